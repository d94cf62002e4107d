#include "anpr/receiver/analysis/convoy.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace anpr::receiver::analysis {

namespace {

/// What one other plate shared with the target.
struct Tally {
  std::vector<std::pair<ReadPoint, ReadPoint>> together;
  std::set<std::string> cameras;
  double gap_sum = 0;
};

/// The other plates read at the sighting's camera within the window, one per plate: the closest in time.
std::map<std::string, ReadPoint> nearest_others(AnalysisStore& store, const Sighting& s,
                                                const std::string& target, TimestampMs window_ms) {
  std::map<std::string, ReadPoint> nearest;
  store.scan_reads(s.at - window_ms, s.at + window_ms + 1, {s.camera_id}, [&](const ReadPoint& r) {
    if (r.plate == target) return;
    auto [it, fresh] = nearest.try_emplace(r.plate, r);
    if (!fresh && std::llabs(r.at - s.at) < std::llabs(it->second.at - s.at)) it->second = r;
  });
  return nearest;
}

/// The plates that qualify as candidates, most sightings and cameras first, at most settings.limit.
std::vector<ConvoyCandidate> ranked_candidates(std::map<std::string, Tally>& tallies, double chance,
                                               const ConvoySettings& settings) {
  std::vector<ConvoyCandidate> candidates;
  for (auto& [plate, t] : tallies) {
    const int n = static_cast<int>(t.together.size());
    if (n < settings.min_sightings || static_cast<int>(t.cameras.size()) < settings.min_cameras) continue;
    ConvoyCandidate c;
    c.plate = plate;
    c.sightings = n;
    c.cameras = static_cast<int>(t.cameras.size());
    c.mean_gap_s = t.gap_sum / n;
    c.chance = chance;
    c.together = std::move(t.together);
    candidates.push_back(std::move(c));
  }
  std::sort(candidates.begin(), candidates.end(), [](auto& a, auto& b) {
    if (a.sightings != b.sightings) return a.sightings > b.sightings;
    if (a.cameras != b.cameras) return a.cameras > b.cameras;
    return a.plate < b.plate;
  });
  if (static_cast<int>(candidates.size()) > settings.limit)
    candidates.resize(static_cast<std::size_t>(settings.limit));
  return candidates;
}

std::string chance_note(double vehicles_per_window, TimestampMs window_ms, double chance) {
  char note[400];
  std::snprintf(
      note, sizeof note,
      "On average %.1f other vehicles passed within %.0f s of the target at each sighting; a vehicle seen "
      "with it by chance is expected about %.2f times. Busy roads and shared routines (the same commute, "
      "the same school run) make false leads: check the images and the places before acting.",
      vehicles_per_window, static_cast<double>(window_ms) / 1000.0, chance);
  return note;
}

}  // namespace

ConvoyReport find_convoys(AnalysisStore& store, ReadStore& reads, const std::string& target, TimestampMs from,
                          TimestampMs to, const ConvoySettings& settings) {
  ConvoyReport report;
  report.target = target;
  auto sightings = reads.movements(target, from, to, settings.max_target_sightings + 1);
  if (static_cast<int>(sightings.size()) > settings.max_target_sightings) {
    report.truncated = true;
    sightings.resize(static_cast<std::size_t>(settings.max_target_sightings));
  }
  report.target_sightings = static_cast<int>(sightings.size());
  std::map<std::string, Tally> tallies;
  std::int64_t others = 0;
  for (const Sighting& s : sightings) {
    const ReadPoint target_read{s.read_id, s.plate, s.camera_id, s.site_id, s.at, s.confidence};
    const auto nearest = nearest_others(store, s, target, settings.window_ms);
    others += static_cast<std::int64_t>(nearest.size());
    for (const auto& [plate, r] : nearest) {
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
  const double chance = static_cast<double>(others) / distinct;
  report.candidates = ranked_candidates(tallies, chance, settings);
  report.note = chance_note(report.vehicles_per_window, settings.window_ms, chance);
  return report;
}

}  // namespace anpr::receiver::analysis
