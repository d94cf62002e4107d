#include "anpr/receiver/analysis/clones.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "anpr/common/time.hpp"
#include "anpr/receiver/watchlist/watchlist.hpp"

namespace anpr::receiver::analysis {

std::optional<CloneAlert> check_clone(const ReadPoint& a, const ReadPoint& b, const CameraDirectory& cameras,
                                      const CloneSettings& s) {
  if (a.plate != b.plate || a.camera_id == b.camera_id) return std::nullopt;
  if (a.confidence < s.min_confidence || b.confidence < s.min_confidence) return std::nullopt;
  const auto km = cameras.distance_km(a.camera_id, b.camera_id);
  if (!km || *km < s.min_distance_km) return std::nullopt;
  const ReadPoint& earlier = a.at <= b.at ? a : b;
  const ReadPoint& later = a.at <= b.at ? b : a;
  const double seconds = static_cast<double>(later.at - earlier.at) / 1000.0;
  const double needed_s = *km / kKmPerMile / s.speed_ceiling_mph * 3600.0;
  // Even granting the margin to the clocks, the trip would need more than the ceiling.
  if (seconds + s.margin_s >= needed_s) return std::nullopt;
  CloneAlert alert;
  alert.earlier = earlier;
  alert.later = later;
  alert.earlier_camera_name = cameras.name(earlier.camera_id);
  alert.later_camera_name = cameras.name(later.camera_id);
  alert.distance_km = *km;
  alert.minutes = seconds / 60.0;
  alert.implied_mph = *km / kKmPerMile / (std::max(seconds, 1.0) / 3600.0);
  return alert;
}

std::vector<CloneAlert> find_clones(AnalysisStore& store, CameraStore& cameras, TimestampMs from,
                                    TimestampMs to, const CloneSettings& settings, std::size_t limit) {
  const CameraDirectory directory(cameras.cameras());
  std::unordered_map<std::string, ReadPoint> last;  // plate -> its latest sighting so far
  std::vector<CloneAlert> alerts;
  store.scan_reads(from, to, {}, [&](const ReadPoint& read) {
    auto [it, first] = last.try_emplace(read.plate, read);
    if (first) return;
    if (alerts.size() < limit) {
      if (auto alert = check_clone(it->second, read, directory, settings))
        alerts.push_back(std::move(*alert));
    }
    // An unsure read does not replace a sure one: a misread must not hide the next comparison.
    if (read.confidence >= settings.min_confidence || it->second.confidence < settings.min_confidence)
      it->second = read;
  });
  return alerts;
}

HitMessage clone_hit(const CloneAlert& alert, const std::string& read_id, const CloneSettings& settings) {
  const bool later = alert.later.read_id == read_id;
  const ReadPoint& here = later ? alert.later : alert.earlier;
  const ReadPoint& there = later ? alert.earlier : alert.later;
  const std::string& there_name = later ? alert.earlier_camera_name : alert.later_camera_name;
  // A hit on a list of its own, built like every watchlist hit, naming the other sighting.
  WatchlistInfo list;
  list.name = kCloneList;
  list.category = kCloneCategory;
  list.priority = settings.priority;
  list.action =
      "Compare both images: two vehicles may carry this plate, or one read is wrong. Check make, model and "
      "colour.";
  WatchlistEntry entry;
  entry.list = list.name;
  entry.plate = here.plate;
  char reason[512];
  std::snprintf(
      reason, sizeof reason,
      "also read at %s %s, %.1f km away %.1f min %s: %.0f mph needed in a straight line (ceiling %.0f mph)",
      there_name.c_str(), to_iso8601(there.at).c_str(), alert.distance_km, alert.minutes,
      there.at <= here.at ? "earlier" : "later", alert.implied_mph, settings.speed_ceiling_mph);
  entry.reason = reason;
  const double score = std::min(
      1.0, 1.0 - settings.speed_ceiling_mph / std::max(alert.implied_mph, settings.speed_ceiling_mph));
  HitMessage h = make_hit({here.read_id, here.camera_id, here.site_id, here.plate, here.at}, entry, list,
                          "clone", score);
  h.related_read_id = there.read_id;
  return h;
}

}  // namespace anpr::receiver::analysis
