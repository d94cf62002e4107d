#pragma once
// Valid messages for tests, built from the few fields a test cares about.

#include <string>

#include "anpr/common/ids.hpp"
#include "anpr/common/messages.hpp"

namespace anpr::test {

/// A valid read of `plate` by `camera` at site "coalville", captured at `at`, with a tiny JPEG.
inline ReadMessage sample_read(const std::string& plate, const std::string& camera = "cam1",
                               TimestampMs at = 1795590299000) {
  ReadMessage m;
  m.read_id = make_uuid();
  m.camera_id = camera;
  m.site_id = "coalville";
  m.first_seen = m.captured_at = m.last_seen = at;
  m.plate = plate;
  m.confidence = 0.9;
  m.char_confidences = std::vector<double>(plate.size(), 0.9);
  m.box = {1, 1, 10, 5};
  m.crop_jpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xD9};
  return m;
}

}  // namespace anpr::test
