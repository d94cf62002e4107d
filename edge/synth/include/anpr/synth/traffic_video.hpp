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

/// Where a CCTV recorder burns its caption into the picture.
enum class CaptionCorner { kNone, kTopLeft, kTopRight, kBottomLeft, kBottomRight };

/// The date, time (ticking every second) and camera name a CCTV recorder writes over the picture.
struct CaptionSettings {
  CaptionCorner corner = CaptionCorner::kNone;
  int font = 0;  ///< 0-3: Hershey simplex, duplex, plain, complex (recorder styles)
  std::string camera_name = "CAM08 HIGH ST";
  TimestampMs start = 1780583378000;  ///< the caption's clock at the first frame (2026-06-04 14:29:38)
};

struct TrafficSettings {
  cv::Size frame{1280, 720};
  double fps = 25;
  int vehicles = 10;
  double pass_seconds = 2.4;    ///< time a vehicle is in view
  double gap_seconds = 2.0;     ///< between the starts of consecutive passes (passes overlap a little)
  int min_char_px = 16;         ///< character height when far
  int max_char_px = 36;         ///< ... and when near
  double lateral_share = 0.25;  ///< passes across the picture instead of along the road
  CaptionSettings caption;      ///< none by default
  bool sign = false;            ///< a static sign on a building with plate-like text
  bool parked_car = false;      ///< a car parked at the kerb for the whole video, plate in view
  /// Registrations that must pass (each once, at passes drawn at random); the other passes carry
  /// random ones. Each must be a UK registration, at most `vehicles` of them.
  std::vector<std::string> plates;
};

/// What stands still in the video and must never be published as a pass.
struct StaticTexts {
  std::string sign;        ///< the sign's text, "" without one
  std::string parked_car;  ///< the parked car's registration, "" without one
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
/// Caption, sign and parked car come from their own random stream: a seed gives the same
/// vehicles with or without them. `statics` (optional) receives their texts.
std::vector<VehiclePass> write_traffic_video(const std::string& path, const TrafficSettings& settings,
                                             std::uint64_t seed, StaticTexts* statics = nullptr);

/// The passes as CSV: text,format,first_frame,last_frame,motion,lateral,rear,two_rows.
void write_passes_csv(const std::string& path, const std::vector<VehiclePass>& passes);

}  // namespace anpr::synth
