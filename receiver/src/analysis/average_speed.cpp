#include "anpr/receiver/analysis/average_speed.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

namespace anpr::receiver::analysis {

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = p / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

namespace {

/// Pairs each entry read with the next exit read of the same plate, fed the section's reads in time
/// order; passes go into the report, entries that never leave in time count as unmatched.
class PassMatcher {
 public:
  PassMatcher(const SpeedSection& section, TimestampMs to, const SpeedSettings& settings,
              SectionReport& report)
      : section_(section),
        to_(to),
        min_confidence_(settings.min_confidence),
        miles_(section.distance_m / 1000.0 / kKmPerMile),
        // The slowest pass still counted: anything longer stopped on the way.
        slowest_ms_(static_cast<TimestampMs>(miles_ / settings.min_mph * 3'600'000.0)),
        report_(report) {}

  [[nodiscard]] TimestampMs slowest_ms() const { return slowest_ms_; }

  void add(const ReadPoint& read) {
    if (read.confidence < min_confidence_) return;
    if (read.camera_id == section_.from_camera) {
      enter(read);
    } else {
      leave(read);
    }
  }

  /// Entries still waiting at the end never left through the exit camera.
  void finish() {
    report_.unmatched_entries += waiting_.size();
    waiting_.clear();
  }

 private:
  void enter(const ReadPoint& read) {
    if (read.at >= to_) return;  // read only to finish passes that entered in the period
    auto [it, fresh] = waiting_.try_emplace(read.plate, read);
    if (!fresh) {
      // Entered again before leaving: the earlier entry never left through the exit camera.
      ++report_.unmatched_entries;
      it->second = read;
    }
  }

  void leave(const ReadPoint& read) {
    const auto it = waiting_.find(read.plate);
    if (it == waiting_.end() || it->second.read_id == read.read_id) return;
    const ReadPoint entry = it->second;
    waiting_.erase(it);
    const TimestampMs took = read.at - entry.at;
    if (took <= 0 || took > slowest_ms_) {
      ++report_.unmatched_entries;
      return;
    }
    SectionPass pass;
    pass.plate = read.plate;
    pass.entry = entry;
    pass.exit = read;
    pass.mph = miles_ / (static_cast<double>(took) / 3'600'000.0);
    pass.over_limit = pass.mph > section_.limit_mph;
    pass.over_threshold = pass.mph > report_.threshold_mph;
    report_.passes.push_back(std::move(pass));
  }

  const SpeedSection& section_;
  TimestampMs to_;
  double min_confidence_;
  double miles_;
  TimestampMs slowest_ms_;
  SectionReport& report_;
  std::unordered_map<std::string, ReadPoint> waiting_;  // plate -> its latest entry not yet matched
};

HourlySpeeds hourly_speeds(TimestampMs hour, const std::vector<double>& speeds, double limit_mph) {
  HourlySpeeds h;
  h.hour = hour;
  h.vehicles = static_cast<int>(speeds.size());
  h.median_mph = percentile(speeds, 50);
  h.p85_mph = percentile(speeds, 85);
  h.share_over_limit = static_cast<double>(std::count_if(speeds.begin(), speeds.end(),
                                                         [&](double v) { return v > limit_mph; })) /
                       static_cast<double>(speeds.size());
  return h;
}

/// Orders the passes by entry, lists the offenders fastest first and sums up each hour.
void summarise(SectionReport& report) {
  std::sort(report.passes.begin(), report.passes.end(),
            [](auto& a, auto& b) { return a.entry.at < b.entry.at; });
  std::map<TimestampMs, std::vector<double>> by_hour;
  for (const auto& p : report.passes) {
    if (p.over_threshold) report.offenders.push_back(p);
    by_hour[p.entry.at - p.entry.at % kHourMs].push_back(p.mph);
  }
  std::sort(report.offenders.begin(), report.offenders.end(), [](auto& a, auto& b) { return a.mph > b.mph; });
  for (const auto& [hour, speeds] : by_hour) {
    report.hours.push_back(hourly_speeds(hour, speeds, report.section.limit_mph));
  }
}

}  // namespace

SectionReport average_speed(AnalysisStore& store, const SpeedSection& section, TimestampMs from,
                            TimestampMs to, const SpeedSettings& settings) {
  SectionReport report;
  report.section = section;
  report.threshold_mph =
      section.limit_mph * (1.0 + settings.tolerance_percent / 100.0) + settings.tolerance_mph;
  PassMatcher matcher(section, to, settings, report);
  store.scan_reads(from, to + matcher.slowest_ms(), {section.from_camera, section.to_camera},
                   [&](const ReadPoint& read) { matcher.add(read); });
  matcher.finish();
  summarise(report);
  return report;
}

}  // namespace anpr::receiver::analysis
