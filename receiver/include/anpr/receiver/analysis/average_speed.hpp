#pragma once
/// @file
/// Average speed over a road section between two cameras (section control): each vehicle's time
/// from the entry camera to the exit camera over the section's road distance.

#include <string>
#include <vector>

#include "anpr/receiver/analysis/camera_directory.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver::analysis {

struct SpeedSettings {
  double tolerance_percent = 10;  ///< the usual enforcement tolerance: limit + 10% + 2 mph
  double tolerance_mph = 2;
  double min_mph = 5;           ///< slower passes are stops on the way, not a speed
  double min_confidence = 0.8;  ///< both reads this sure; unsure passes are left out
};

/// One vehicle from the entry camera to the exit camera.
struct SectionPass {
  std::string plate;
  ReadPoint entry, exit;
  double mph = 0;
  bool over_limit = false;      ///< above the posted limit
  bool over_threshold = false;  ///< above limit + tolerance: listed for enforcement
};

/// Passes that entered the section in one hour.
struct HourlySpeeds {
  TimestampMs hour = 0;
  int vehicles = 0;
  double median_mph = 0, p85_mph = 0;
  double share_over_limit = 0;  ///< 0..1
};

struct SectionReport {
  SpeedSection section;
  double threshold_mph = 0;            ///< limit * (1 + tolerance %) + tolerance mph
  std::vector<SectionPass> passes;     ///< time order of entry
  std::vector<SectionPass> offenders;  ///< over the threshold, fastest first
  std::vector<HourlySpeeds> hours;
  std::size_t unmatched_entries = 0;  ///< entered and not seen leaving within the slowest time
};

/// Passes that entered in [from, to). An entry pairs with the next exit read of the same plate
/// within distance / min_mph; each read is used once.
[[nodiscard]] SectionReport average_speed(AnalysisStore& store, const SpeedSection& section, TimestampMs from,
                                          TimestampMs to, const SpeedSettings& settings);

/// The p-th percentile (0..100) of `values` by linear interpolation; 0 when empty.
[[nodiscard]] double percentile(std::vector<double> values, double p);

}  // namespace anpr::receiver::analysis
