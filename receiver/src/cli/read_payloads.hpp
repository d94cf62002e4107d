#pragma once
// The load generator's reads, encoded without building a JSON document per read: every read it
// sends is the same message but for its read id, camera, plate and time, so the message is
// encoded once (per plate length, for the one confidence a character) and each read's payload is
// that text with its own values put in. The bytes are those encode() gives for the same read.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "anpr/common/messages.hpp"
#include "anpr/common/plate_text.hpp"

namespace anpr::receiver::cli {

/// What every read of the load generator carries: a GB read of confidence 0.95 with this crop
/// (and overview, if any). Each read adds its id, camera, plate and time (ReadPayloads).
[[nodiscard]] ReadMessage loadgen_read_prototype(const Bytes& crop, const std::optional<Bytes>& overview);

class ReadPayloads {
 public:
  /// `prototype`: what every read carries (site, confidence, format, country, box, images), with
  /// `char_confidence` for each character of a read's plate. Its read id, camera, plate, character
  /// confidences and times are not used.
  ReadPayloads(const ReadMessage& prototype, double char_confidence);

  /// The payload of the prototype with these values (captured, first and last seen all `at`), as
  /// encode() writes it. `read_id` and `camera_id` must be valid ids and `plate` normalised plate
  /// text of 1-12 characters: nothing in them needs escaping in JSON. Throws std::invalid_argument
  /// otherwise.
  [[nodiscard]] std::string payload(std::string_view read_id, std::string_view camera_id,
                                    std::string_view plate, TimestampMs at) const;

 private:
  /// In the order of payload()'s values, which it indexes.
  enum class Slot { kNone, kReadId, kCameraId, kPlate, kTime };
  /// Text as it is, then a value in its slot (kNone after the last piece).
  struct Piece {
    std::string text;
    Slot slot = Slot::kNone;
  };
  struct Template {
    std::vector<Piece> pieces;
    std::size_t text_bytes = 0;
  };
  static Template make_template(ReadMessage message, std::size_t plate_length, double char_confidence);

  std::array<Template, kMaxPlateLength> by_plate_length_;  ///< index: plate length - 1
};

}  // namespace anpr::receiver::cli
