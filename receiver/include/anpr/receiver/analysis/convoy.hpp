#pragma once
/// @file
/// Convoys: vehicles that travel with a target vehicle, seen at the same cameras within a few
/// seconds of it, again and again. A lead for an investigator, not proof: on a busy road many
/// vehicles pass any camera within seconds of any other, so the report states how busy the
/// target's cameras were and how often chance alone would put a vehicle beside it.

#include <string>
#include <vector>

#include "anpr/receiver/analysis/camera_directory.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver::analysis {

struct ConvoySettings {
  TimestampMs window_ms = 10'000;   ///< seen this close in time to the target, either side
  int min_sightings = 3;            ///< with the target at least this many times ...
  int min_cameras = 2;              ///< ... at this many different cameras
  int max_target_sightings = 5000;  ///< bound on the work for one request
  int limit = 50;                   ///< candidates listed
};

struct ConvoyCandidate {
  std::string plate;
  int sightings = 0;      ///< target sightings it was beside
  int cameras = 0;        ///< distinct cameras among them
  double mean_gap_s = 0;  ///< mean time from the target (negative: ahead of it)
  double chance = 0;      ///< expected count of such sightings for a vehicle unrelated to the target
  std::vector<std::pair<ReadPoint, ReadPoint>> together;  ///< (target, candidate), time order
};

struct ConvoyReport {
  std::string target;
  int target_sightings = 0;
  bool truncated = false;                   ///< the target had more sightings than were examined
  double vehicles_per_window = 0;           ///< mean other vehicles near the target per sighting
  std::vector<ConvoyCandidate> candidates;  ///< most sightings first, then most cameras
  std::string note;                         ///< the false-positive risk in words
};

/// `reads`: where the target's movements are found (usually the same Store as `store`).
[[nodiscard]] ConvoyReport find_convoys(AnalysisStore& store, ReadStore& reads, const std::string& target,
                                        TimestampMs from, TimestampMs to, const ConvoySettings& settings);

}  // namespace anpr::receiver::analysis
