#pragma once
// Generated UK traffic as the system tests play it: 1280x720, quick to write and to read.

#include "anpr/synth/traffic_video.hpp"

namespace anpr::test {

/// `vehicles` passes of generated traffic in 1280x720 frames, the other settings the defaults.
inline synth::TrafficSettings small_traffic(int vehicles) {
  synth::TrafficSettings s;
  s.frame = {1280, 720};
  s.vehicles = vehicles;
  return s;
}

}  // namespace anpr::test
