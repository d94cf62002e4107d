#pragma once
/// @file
/// Hotspots and events: reads and hits per camera by hour or day, a chosen period (a race
/// weekend, a festival) against a baseline, and plates first seen at a site.

#include <array>
#include <string>
#include <vector>

#include "anpr/receiver/analysis/camera_directory.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver::analysis {

struct CameraActivity {
  std::string camera_id, name, site_id;
  std::int64_t reads = 0, hits = 0;                  ///< in the period
  double reads_per_hour = 0, baseline_per_hour = 0;  ///< mean rates
  double change = 0;                 ///< reads_per_hour / baseline_per_hour - 1 (0 without a baseline)
  std::vector<CameraCount> buckets;  ///< the period, bucket by bucket
};

struct HotspotReport {
  TimestampMs from = 0, to = 0, baseline_from = 0, baseline_to = 0;
  TimestampMs bucket_ms = kHourMs;
  std::vector<CameraActivity> cameras;                  ///< most reads first
  std::vector<CameraCount> totals;                      ///< all cameras, bucket by bucket (camera_id empty)
  std::array<std::int64_t, 24> reads_by_hour_of_day{};  ///< UTC hour of day, over the period
  std::array<std::int64_t, 24> hits_by_hour_of_day{};
};

/// Periods are widened to whole hours (reads are counted per camera per hour as they are
/// stored). `baseline_from == baseline_to` means no baseline. `cameras`: names and sites (usually
/// the same Store as `store`).
[[nodiscard]] HotspotReport hotspots(AnalysisStore& store, CameraStore& cameras, TimestampMs from,
                                     TimestampMs to, TimestampMs baseline_from, TimestampMs baseline_to,
                                     TimestampMs bucket_ms);

}  // namespace anpr::receiver::analysis
