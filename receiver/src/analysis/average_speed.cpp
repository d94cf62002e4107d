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

SectionReport average_speed(AnalysisStore& store, const SpeedSection& section, TimestampMs from,
                            TimestampMs to, const SpeedSettings& settings) {
  SectionReport report;
  report.section = section;
  report.threshold_mph =
      section.limit_mph * (1.0 + settings.tolerance_percent / 100.0) + settings.tolerance_mph;
  const double miles = section.distance_m / 1000.0 / kKmPerMile;
  // The slowest pass still counted: anything longer stopped on the way.
  const auto slowest_ms = static_cast<TimestampMs>(miles / settings.min_mph * 3'600'000.0);
  std::unordered_map<std::string, ReadPoint> waiting;  // plate -> its latest entry not yet matched
  store.scan_reads(from, to + slowest_ms, {section.from_camera, section.to_camera},
                   [&](const ReadPoint& read) {
                     if (read.confidence < settings.min_confidence) return;
                     if (read.camera_id == section.from_camera) {
                       if (read.at >= to) return;  // read only to finish passes that entered in the period
                       auto [it, fresh] = waiting.try_emplace(read.plate, read);
                       if (!fresh) {
                         // Entered again before leaving: the earlier entry never left through the exit
                         // camera.
                         ++report.unmatched_entries;
                         it->second = read;
                       }
                       return;
                     }
                     const auto it = waiting.find(read.plate);
                     if (it == waiting.end() || it->second.read_id == read.read_id) return;
                     const ReadPoint entry = it->second;
                     waiting.erase(it);
                     const TimestampMs took = read.at - entry.at;
                     if (took <= 0 || took > slowest_ms) {
                       ++report.unmatched_entries;
                       return;
                     }
                     SectionPass pass;
                     pass.plate = read.plate;
                     pass.entry = entry;
                     pass.exit = read;
                     pass.mph = miles / (static_cast<double>(took) / 3'600'000.0);
                     pass.over_limit = pass.mph > section.limit_mph;
                     pass.over_threshold = pass.mph > report.threshold_mph;
                     report.passes.push_back(std::move(pass));
                   });
  report.unmatched_entries += waiting.size();
  std::sort(report.passes.begin(), report.passes.end(),
            [](auto& a, auto& b) { return a.entry.at < b.entry.at; });
  std::map<TimestampMs, std::vector<double>> by_hour;
  for (const auto& p : report.passes) {
    if (p.over_threshold) report.offenders.push_back(p);
    by_hour[p.entry.at - p.entry.at % kHourMs].push_back(p.mph);
  }
  std::sort(report.offenders.begin(), report.offenders.end(), [](auto& a, auto& b) { return a.mph > b.mph; });
  for (auto& [hour, speeds] : by_hour) {
    HourlySpeeds h;
    h.hour = hour;
    h.vehicles = static_cast<int>(speeds.size());
    h.median_mph = percentile(speeds, 50);
    h.p85_mph = percentile(speeds, 85);
    h.share_over_limit = static_cast<double>(std::count_if(speeds.begin(), speeds.end(),
                                                           [&](double v) { return v > section.limit_mph; })) /
                         static_cast<double>(speeds.size());
    report.hours.push_back(h);
  }
  return report;
}

}  // namespace anpr::receiver::analysis
