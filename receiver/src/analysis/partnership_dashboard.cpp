#include "anpr/receiver/analysis/partnership_dashboard.hpp"

#include <map>

#include "../csv_line.hpp"
#include "anpr/common/error.hpp"
#include "anpr/receiver/analysis/hotspots.hpp"

namespace anpr::receiver::analysis {

using nlohmann::json;

DashboardReport partnership_dashboard(AnalysisStore& store, CameraStore& cameras, TimestampMs from,
                                      TimestampMs to) {
  if (from >= to)
    throw Error(ErrorCode::kInput,
                "from (" + to_iso8601(from) + ") must be before to (" + to_iso8601(to) + ")");
  if (to - from > kMaxDashboardSpanMs)
    throw Error(ErrorCode::kInput, "the dashboard covers at most 93 days: narrow the period");
  const HotspotReport r = hotspots(store, cameras, from, to, 0, 0, kHourMs);
  DashboardReport out;
  out.json = {{"from", to_iso8601(r.from)},
              {"to", to_iso8601(r.to)},
              {"cameras", json::array()},
              {"hours", json::array()},
              {"lists", json::array()}};
  out.reads_csv = "camera_id,camera_name,site_id,hour,reads\n";
  std::int64_t total_reads = 0;
  for (const auto& c : r.cameras) {
    json hours = json::array();
    for (const auto& b : c.buckets) {
      if (b.reads == 0) continue;
      hours.push_back({{"at", to_iso8601(b.bucket)}, {"reads", b.reads}});
      out.reads_csv += csv_field(c.camera_id) + "," + csv_field(c.name) + "," + csv_field(c.site_id) + "," +
                       to_iso8601(b.bucket) + "," + std::to_string(b.reads) + "\n";
    }
    total_reads += c.reads;
    out.json["cameras"].push_back({{"camera_id", c.camera_id},
                                   {"name", c.name},
                                   {"site_id", c.site_id},
                                   {"reads", c.reads},
                                   {"hours", hours}});
  }
  for (const auto& t : r.totals)
    out.json["hours"].push_back({{"at", to_iso8601(t.bucket)}, {"reads", t.reads}});
  // Hits per list: totals most first, and day by day.
  std::map<std::string, std::pair<std::int64_t, json>> lists;
  out.hits_csv = "list,day,hits\n";
  std::int64_t total_hits = 0;
  for (const auto& l : store.hit_counts(r.from, r.to)) {
    auto& [hits, days] = lists[l.list];
    hits += l.hits;
    days.push_back({{"day", to_iso8601(l.day).substr(0, 10)}, {"hits", l.hits}});
    out.hits_csv +=
        csv_field(l.list) + "," + to_iso8601(l.day).substr(0, 10) + "," + std::to_string(l.hits) + "\n";
    total_hits += l.hits;
  }
  std::vector<std::pair<std::string, std::pair<std::int64_t, json>>> ordered(lists.begin(), lists.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  for (auto& [name, counts] : ordered) {
    out.json["lists"].push_back({{"list", name},
                                 {"hits", counts.first},
                                 {"days", counts.second.is_null() ? json::array() : counts.second}});
  }
  out.json["total_reads"] = total_reads;
  out.json["total_hits"] = total_hits;
  return out;
}

}  // namespace anpr::receiver::analysis
