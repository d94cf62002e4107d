#include "anpr/receiver/analysis/convoy.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace anpr::receiver::analysis {

ConvoyReport find_convoys(Store& store, const std::string& target, TimestampMs from, TimestampMs to,
                          const ConvoySettings& settings) {
  ConvoyReport report;
  report.target = target;
  auto sightings = store.movements(target, from, to, settings.max_target_sightings + 1);
  if (static_cast<int>(sightings.size()) > settings.max_target_sightings) {
    report.truncated = true;
    sightings.resize(static_cast<std::size_t>(settings.max_target_sightings));
  }
  report.target_sightings = static_cast<int>(sightings.size());
  struct Tally {
    std::vector<std::pair<ReadPoint, ReadPoint>> together;
    std::set<std::string> cameras;
    double gap_sum = 0;
  };
  std::map<std::string, Tally> tallies;
  std::int64_t others = 0;
  for (const Sighting& s : sightings) {
    const ReadPoint target_read{s.read_id, s.plate, s.camera_id, s.site_id, s.at, s.confidence};
    std::map<std::string, ReadPoint> nearest;  // one per plate per sighting: the closest in time
    store.scan_reads(s.at - settings.window_ms, s.at + settings.window_ms + 1, {s.camera_id},
                     [&](const ReadPoint& r) {
                       if (r.plate == target) return;
                       auto [it, fresh] = nearest.try_emplace(r.plate, r);
                       if (!fresh && std::llabs(r.at - s.at) < std::llabs(it->second.at - s.at))
                         it->second = r;
                     });
    others += static_cast<std::int64_t>(nearest.size());
    for (auto& [plate, r] : nearest) {
      Tally& t = tallies[plate];
      t.gap_sum += static_cast<double>(r.at - s.at) / 1000.0;
      t.cameras.insert(r.camera_id);
      t.together.emplace_back(target_read, r);
    }
  }
  report.vehicles_per_window =
      sightings.empty() ? 0 : static_cast<double>(others) / static_cast<double>(sightings.size());
  // Chance: an unrelated vehicle that passes the same cameras as often as the busiest traffic
  // there would be beside the target about (vehicles per window / distinct vehicles seen) times
  // per sighting. Estimated from what was seen: the share of all neighbours one plate takes.
  const double distinct = std::max<double>(1.0, static_cast<double>(tallies.size()));
  for (auto& [plate, t] : tallies) {
    const int n = static_cast<int>(t.together.size());
    if (n < settings.min_sightings || static_cast<int>(t.cameras.size()) < settings.min_cameras) continue;
    ConvoyCandidate c;
    c.plate = plate;
    c.sightings = n;
    c.cameras = static_cast<int>(t.cameras.size());
    c.mean_gap_s = t.gap_sum / n;
    c.chance = static_cast<double>(others) / distinct;
    c.together = std::move(t.together);
    report.candidates.push_back(std::move(c));
  }
  std::sort(report.candidates.begin(), report.candidates.end(), [](auto& a, auto& b) {
    if (a.sightings != b.sightings) return a.sightings > b.sightings;
    if (a.cameras != b.cameras) return a.cameras > b.cameras;
    return a.plate < b.plate;
  });
  if (static_cast<int>(report.candidates.size()) > settings.limit)
    report.candidates.resize(static_cast<std::size_t>(settings.limit));
  char note[400];
  std::snprintf(
      note, sizeof note,
      "On average %.1f other vehicles passed within %.0f s of the target at each sighting; a vehicle seen "
      "with it by chance is expected about %.2f times. Busy roads and shared routines (the same commute, "
      "the same school run) make false leads: check the images and the places before acting.",
      report.vehicles_per_window, static_cast<double>(settings.window_ms) / 1000.0,
      static_cast<double>(others) / distinct);
  report.note = note;
  return report;
}

}  // namespace anpr::receiver::analysis
