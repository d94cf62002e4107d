#include "anpr/receiver/analysis/hotspots.hpp"

#include <algorithm>
#include <map>

namespace anpr::receiver::analysis {

HotspotReport hotspots(AnalysisStore& store, CameraStore& cameras, TimestampMs from, TimestampMs to,
                       TimestampMs baseline_from, TimestampMs baseline_to, TimestampMs bucket_ms) {
  // Counts are kept per camera per hour: periods are whole hours.
  auto down = [](TimestampMs t) { return t / kHourMs * kHourMs; };
  auto up = [](TimestampMs t) { return (t + kHourMs - 1) / kHourMs * kHourMs; };
  from = down(from);
  to = up(to);
  if (baseline_to > baseline_from) {
    baseline_from = down(baseline_from);
    baseline_to = up(baseline_to);
  }
  HotspotReport report;
  report.from = from;
  report.to = to;
  report.baseline_from = baseline_from;
  report.baseline_to = baseline_to;
  report.bucket_ms = bucket_ms;
  const CameraDirectory directory(cameras.cameras());
  std::map<std::string, CameraActivity> by_camera;
  std::map<TimestampMs, CameraCount> totals;
  for (const CameraCount& c : store.camera_counts(from, to, bucket_ms)) {
    CameraActivity& a = by_camera[c.camera_id];
    a.reads += c.reads;
    a.hits += c.hits;
    a.buckets.push_back(c);
    CameraCount& t = totals[c.bucket];
    t.bucket = c.bucket;
    t.reads += c.reads;
    t.hits += c.hits;
    // Hour of day from the bucket start: exact for hourly buckets, the day's first hour for daily ones.
    const auto hour = static_cast<std::size_t>((c.bucket % kDayMs + kDayMs) % kDayMs / kHourMs);
    report.reads_by_hour_of_day[hour] += c.reads;
    report.hits_by_hour_of_day[hour] += c.hits;
  }
  const double hours = static_cast<double>(to - from) / static_cast<double>(kHourMs);
  if (baseline_to > baseline_from) {
    const double baseline_hours =
        static_cast<double>(baseline_to - baseline_from) / static_cast<double>(kHourMs);
    // Only each camera's total over the baseline is needed: daily buckets, summed.
    for (const CameraCount& c : store.camera_counts(baseline_from, baseline_to, kDayMs)) {
      by_camera[c.camera_id].baseline_per_hour += static_cast<double>(c.reads) / baseline_hours;
    }
  }
  for (auto& [id, a] : by_camera) {
    a.camera_id = id;
    a.name = directory.name(id);
    if (const CameraInfo* info = directory.find(id)) a.site_id = info->site_id;
    a.reads_per_hour = hours > 0 ? static_cast<double>(a.reads) / hours : 0;
    a.change = a.baseline_per_hour > 0 ? a.reads_per_hour / a.baseline_per_hour - 1.0 : 0.0;
    report.cameras.push_back(std::move(a));
  }
  std::sort(report.cameras.begin(), report.cameras.end(), [](auto& a, auto& b) {
    return a.reads != b.reads ? a.reads > b.reads : a.camera_id < b.camera_id;
  });
  for (auto& [bucket, t] : totals) report.totals.push_back(t);
  return report;
}

}  // namespace anpr::receiver::analysis
