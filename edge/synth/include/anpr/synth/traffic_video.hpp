#pragma once
/// @file
/// Short UK traffic videos with ground truth: vehicles carrying rendered plates drive towards the
/// camera, away from it or across it over a static street, one pass after another with overlaps,
/// so the edge pipeline can be checked pass by pass (text, exactly one read, direction).
/// Deterministic for a given seed. Host-only.

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "anpr/common/messages.hpp"

namespace anpr::synth {

struct TrafficSettings {
  cv::Size frame{1280, 720};
  double fps = 25;
  int vehicles = 10;
  double pass_seconds = 2.4;     ///< time a vehicle is in view
  double gap_seconds = 2.0;      ///< between the starts of consecutive passes (passes overlap a little)
  int min_char_px = 16;          ///< character height when far
  int max_char_px = 36;          ///< ... and when near
  double lateral_share = 0.25;   ///< passes across the picture instead of along the road
};

struct VehiclePass {
  std::string text;
  std::string format;
  std::int64_t first_frame = 0, last_frame = 0;  ///< 1-based, as the edge numbers frames
  Direction direction;
  bool rear = false;
  bool two_rows = false;
};

/// Writes the video (".avi": Motion-JPEG, ".mp4": MPEG-4 part 2) and returns the passes in it.
/// Throws anpr::Error when the file cannot be written.
std::vector<VehiclePass> write_traffic_video(const std::string& path, const TrafficSettings& settings,
                                             std::uint64_t seed);

/// The passes as CSV: text,format,first_frame,last_frame,motion,lateral,rear,two_rows.
void write_passes_csv(const std::string& path, const std::vector<VehiclePass>& passes);

}  // namespace anpr::synth
