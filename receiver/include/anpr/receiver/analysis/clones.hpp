#pragma once
/// @file
/// Cloned plates: one plate seen at two cameras further apart than any vehicle could travel in
/// the time between. Checked live on every read (a "possible clone" hit in the feed) and over a
/// period on request. The distance is the straight line between the cameras, shorter than any
/// road between them, so the implied speed is a lower bound: the check errs towards silence.

#include <optional>
#include <string>
#include <vector>

#include "anpr/common/messages.hpp"
#include "anpr/receiver/analysis/camera_directory.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver::analysis {

struct CloneSettings {
  bool live = true;                     ///< check every new read as it is stored
  double speed_ceiling_mph = 100;       ///< no vehicle averages more than this in a straight line
  double margin_s = 60;                 ///< camera clocks may disagree by this much
  double min_distance_km = 2;           ///< nearer cameras are not compared (one junction, map error)
  double min_confidence = 0.8;          ///< both reads this sure: a misread is the commoner cause
  TimestampMs window_ms = 6 * kHourMs;  ///< the live check looks this far either side of a read
  int priority = 1;                     ///< of the hit in the feed (0 = highest)
};

/// Two sightings of one plate that one vehicle cannot both have made.
struct CloneAlert {
  ReadPoint earlier, later;
  std::string earlier_camera_name, later_camera_name;
  double distance_km = 0;
  double minutes = 0;      ///< between the sightings
  double implied_mph = 0;  ///< straight-line speed needed to make both
};

/// The alert for two sightings of the same plate, or nullopt when one vehicle could make both
/// (or the cameras are unknown, too close, or a read is too unsure to judge).
[[nodiscard]] std::optional<CloneAlert> check_clone(const ReadPoint& a, const ReadPoint& b,
                                                    const CameraDirectory& cameras,
                                                    const CloneSettings& settings);

/// Every consecutive pair of sightings of a plate in [from, to) that fails the check, in time
/// order of the later sighting. Streams the period's reads once, keeping the last sighting of
/// each plate. `cameras`: where each camera is (usually the same Store as `store`).
[[nodiscard]] std::vector<CloneAlert> find_clones(AnalysisStore& store, CameraStore& cameras,
                                                  TimestampMs from, TimestampMs to,
                                                  const CloneSettings& settings, std::size_t limit = 10000);

/// The hit raised in the feed for an alert, on the later read (`read_id`), naming the other.
[[nodiscard]] HitMessage clone_hit(const CloneAlert& alert, const std::string& read_id,
                                   const CloneSettings& settings);

inline constexpr const char* kCloneList = "Possible clones";
inline constexpr const char* kCloneCategory = "possible-clone";

}  // namespace anpr::receiver::analysis
