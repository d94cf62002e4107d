#include "anpr/receiver/analysis/analysis_service.hpp"

#include "anpr/receiver/audit_reason.hpp"

#include <charconv>
#include <cmath>
#include <functional>
#include <sstream>

#include "../csv_line.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/plate_text.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/analysis/average_speed.hpp"
#include "anpr/receiver/analysis/convoy.hpp"
#include "anpr/receiver/analysis/hotspots.hpp"

namespace anpr::receiver::analysis {
namespace {

using nlohmann::json;

/// The longest period one request may cover: bounds the work and the report.
constexpr TimestampMs kMaxSpanMs = 400 * kDayMs;

[[noreturn]] void bad(const std::string& name, const std::string& value, const std::string& why) {
  throw Error(ErrorCode::kInput, name + " '" + value + "': " + why);
}

class ParamReader {
 public:
  ParamReader(const Params& params, TimestampMs now) : params_(params), now_(now) {}

  [[nodiscard]] std::string text(const std::string& name, bool required = false) const {
    const auto it = params_.find(name);
    if (it == params_.end() || it->second.empty()) {
      if (required) throw Error(ErrorCode::kInput, name + " is required");
      return {};
    }
    if (it->second.size() > 200) bad(name, it->second.substr(0, 20) + "...", "longer than 200 characters");
    return it->second;
  }
  [[nodiscard]] double number(const std::string& name, double fallback, double lo, double hi) const {
    const std::string v = text(name);
    if (v.empty()) return fallback;
    double x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(x)) bad(name, v, "not a number");
    if (x < lo || x > hi) bad(name, v, "must be between " + fmt(lo) + " and " + fmt(hi));
    return x;
  }
  [[nodiscard]] TimestampMs time(const std::string& name, TimestampMs fallback) const {
    const std::string v = text(name);
    if (v.empty()) return fallback;
    const auto t = parse_iso8601(v);
    if (!t) bad(name, v, "not an ISO 8601 UTC time (2026-01-31T12:00:00Z)");
    return *t;
  }
  /// from/to: default the 7 days up to now; checked for order and span.
  [[nodiscard]] std::pair<TimestampMs, TimestampMs> period(const std::string& from_name,
                                                           const std::string& to_name,
                                                           TimestampMs default_span) const {
    const TimestampMs to = time(to_name, now_);
    const TimestampMs from = time(from_name, to - default_span);
    if (from >= to)
      bad(from_name, to_iso8601(from), "must be before " + to_name + " (" + to_iso8601(to) + ")");
    if (to - from > kMaxSpanMs) bad(from_name, to_iso8601(from), "the period may be at most 400 days");
    return {from, to};
  }

 private:
  static std::string fmt(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
  }
  const Params& params_;
  TimestampMs now_;
};

/// Writes the audit entry: called once the parameters are checked, before any read is looked at.
using Audit = std::function<void(const std::string& subject)>;

std::string iso(TimestampMs t) { return to_iso8601(t); }

json read_json(const ReadPoint& r, const CameraDirectory& cameras) {
  return {{"read_id", r.read_id},      {"plate", r.plate},
          {"camera_id", r.camera_id},  {"camera_name", cameras.name(r.camera_id)},
          {"site_id", r.site_id},      {"at", iso(r.at)},
          {"confidence", r.confidence}};
}

std::string num(double v, int decimals = 1) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(decimals);
  o << v;
  return o.str();
}

AnalysisOutput clones(AnalysisStore& store, CameraStore& camera_store, const ParamReader& p,
                      const CloneSettings& defaults, const Audit& audit) {
  CloneSettings s = defaults;
  s.speed_ceiling_mph = p.number("ceiling_mph", s.speed_ceiling_mph, 20, 1000);
  s.margin_s = p.number("margin_s", s.margin_s, 0, 3600);
  s.min_distance_km = p.number("min_distance_km", s.min_distance_km, 0, 1000);
  s.min_confidence = p.number("min_confidence", s.min_confidence, 0, 1);
  const auto [from, to] = p.period("from", "to", 7 * kDayMs);
  audit(iso(from) + ".." + iso(to));
  const CameraDirectory cameras(camera_store.cameras());
  const auto alerts = find_clones(store, camera_store, from, to, s);
  AnalysisOutput out;
  out.json = {{"analysis", "clones"},
              {"from", iso(from)},
              {"to", iso(to)},
              {"parameters",
               {{"ceiling_mph", s.speed_ceiling_mph},
                {"margin_s", s.margin_s},
                {"min_distance_km", s.min_distance_km},
                {"min_confidence", s.min_confidence}}},
              {"alerts", json::array()}};
  out.csv =
      "plate,earlier_at,earlier_camera,later_at,later_camera,distance_km,minutes,implied_mph,earlier_read_id,"
      "later_read_id\n";
  for (const auto& a : alerts) {
    out.json["alerts"].push_back({{"plate", a.later.plate},
                                  {"earlier", read_json(a.earlier, cameras)},
                                  {"later", read_json(a.later, cameras)},
                                  {"distance_km", a.distance_km},
                                  {"minutes", a.minutes},
                                  {"implied_mph", a.implied_mph}});
    out.csv += a.later.plate + "," + iso(a.earlier.at) + "," + csv_field(a.earlier_camera_name) + "," +
               iso(a.later.at) + "," + csv_field(a.later_camera_name) + "," + num(a.distance_km, 2) + "," +
               num(a.minutes, 2) + "," + num(a.implied_mph, 0) + "," + a.earlier.read_id + "," +
               a.later.read_id + "\n";
  }
  return out;
}

json pass_json(const SectionPass& x, const CameraDirectory& cameras) {
  return {{"plate", x.plate}, {"entry", read_json(x.entry, cameras)}, {"exit", read_json(x.exit, cameras)},
          {"mph", x.mph},     {"over_limit", x.over_limit},           {"over_threshold", x.over_threshold}};
}

/// The registered section named `name`; a parameter error listing the known ones if there is none.
SpeedSection find_section(const std::vector<SpeedSection>& sections, const std::string& name) {
  const auto it = std::find_if(sections.begin(), sections.end(), [&](auto& s) { return s.name == name; });
  if (it == sections.end()) {
    std::string known;
    for (const auto& s : sections) known += (known.empty() ? "" : ", ") + s.name;
    bad("section", name,
        "no such section" + (known.empty() ? std::string(" (none registered)") : " (known: " + known + ")"));
  }
  return *it;
}

/// Every pass with its speed, up to a bound (the CSV has them all), and the speeds' median and 85th
/// percentile.
void add_passes_json(json& out, const std::vector<SectionPass>& passes) {
  constexpr std::size_t kMaxPasses = 20000;
  out["passes"] = json::array();
  for (std::size_t i = 0; i < passes.size() && i < kMaxPasses; ++i) {
    const auto& x = passes[i];
    out["passes"].push_back({{"plate", x.plate},
                             {"entry_at", iso(x.entry.at)},
                             {"exit_at", iso(x.exit.at)},
                             {"mph", x.mph},
                             {"entry_read_id", x.entry.read_id},
                             {"exit_read_id", x.exit.read_id}});
  }
  out["passes_truncated"] = passes.size() > kMaxPasses;
  std::vector<double> all;
  for (const auto& x : passes) all.push_back(x.mph);
  out["median_mph"] = percentile(all, 50);
  out["p85_mph"] = percentile(all, 85);
}

json speed_json(const SectionReport& r, const SpeedSettings& s, TimestampMs from, TimestampMs to,
                const CameraDirectory& cameras) {
  json out = {{"analysis", "speed"},
              {"from", iso(from)},
              {"to", iso(to)},
              {"section",
               {{"name", r.section.name},
                {"from_camera", r.section.from_camera},
                {"to_camera", r.section.to_camera},
                {"distance_m", r.section.distance_m},
                {"limit_mph", r.section.limit_mph}}},
              {"parameters",
               {{"tolerance_percent", s.tolerance_percent},
                {"tolerance_mph", s.tolerance_mph},
                {"min_confidence", s.min_confidence}}},
              {"threshold_mph", r.threshold_mph},
              {"vehicles", r.passes.size()},
              {"unmatched_entries", r.unmatched_entries},
              {"offenders", json::array()},
              {"hours", json::array()}};
  for (const auto& o : r.offenders) out["offenders"].push_back(pass_json(o, cameras));
  add_passes_json(out, r.passes);
  for (const auto& h : r.hours) {
    out["hours"].push_back({{"hour", iso(h.hour)},
                            {"vehicles", h.vehicles},
                            {"median_mph", h.median_mph},
                            {"p85_mph", h.p85_mph},
                            {"share_over_limit", h.share_over_limit}});
  }
  return out;
}

std::string speed_csv(const std::vector<SectionPass>& passes) {
  std::string csv = "plate,entry_at,exit_at,mph,over_limit,over_threshold,entry_read_id,exit_read_id\n";
  for (const auto& x : passes) {
    csv += x.plate + "," + iso(x.entry.at) + "," + iso(x.exit.at) + "," + num(x.mph) + "," +
           (x.over_limit ? "yes" : "no") + "," + (x.over_threshold ? "yes" : "no") + "," + x.entry.read_id +
           "," + x.exit.read_id + "\n";
  }
  return csv;
}

AnalysisOutput speed(AnalysisStore& store, CameraStore& camera_store, const ParamReader& p,
                     const Audit& audit) {
  const std::string name = p.text("section", true);
  const SpeedSection section = find_section(store.sections(), name);
  SpeedSettings s;
  s.tolerance_percent = p.number("tolerance_percent", s.tolerance_percent, 0, 100);
  s.tolerance_mph = p.number("tolerance_mph", s.tolerance_mph, 0, 50);
  s.min_confidence = p.number("min_confidence", s.min_confidence, 0, 1);
  const auto [from, to] = p.period("from", "to", 7 * kDayMs);
  audit(name + " " + iso(from) + ".." + iso(to));
  const CameraDirectory cameras(camera_store.cameras());
  const SectionReport r = average_speed(store, section, from, to, s);
  AnalysisOutput out;
  out.json = speed_json(r, s, from, to, cameras);
  out.csv = speed_csv(r.passes);
  return out;
}

AnalysisOutput convoy(AnalysisStore& store, ReadStore& reads, CameraStore& camera_store, const ParamReader& p,
                      const Audit& audit) {
  const std::string raw = p.text("plate", true);
  const std::string plate = normalise_plate(raw);
  if (plate.size() < 2 || plate.find_first_of("?*") != std::string::npos)
    bad("plate", raw, "a whole plate is needed, not a pattern");
  ConvoySettings s;
  s.window_ms = static_cast<TimestampMs>(p.number("window_s", 10, 1, 600) * 1000);
  s.min_sightings = static_cast<int>(p.number("min_sightings", s.min_sightings, 1, 1000));
  s.min_cameras = static_cast<int>(p.number("min_cameras", s.min_cameras, 1, 1000));
  const auto [from, to] = p.period("from", "to", 30 * kDayMs);
  audit(plate + " " + iso(from) + ".." + iso(to));
  const CameraDirectory cameras(camera_store.cameras());
  const ConvoyReport r = find_convoys(store, reads, plate, from, to, s);
  AnalysisOutput out;
  out.json = {{"analysis", "convoy"},
              {"from", iso(from)},
              {"to", iso(to)},
              {"target", r.target},
              {"parameters",
               {{"window_s", static_cast<double>(s.window_ms) / 1000.0},
                {"min_sightings", s.min_sightings},
                {"min_cameras", s.min_cameras}}},
              {"target_sightings", r.target_sightings},
              {"truncated", r.truncated},
              {"vehicles_per_window", r.vehicles_per_window},
              {"note", r.note},
              {"candidates", json::array()}};
  out.csv = "plate,sightings,cameras,mean_gap_s,chance\n";
  for (const auto& c : r.candidates) {
    json together = json::array();
    for (const auto& [t, o] : c.together)
      together.push_back({{"target", read_json(t, cameras)}, {"other", read_json(o, cameras)}});
    out.json["candidates"].push_back({{"plate", c.plate},
                                      {"sightings", c.sightings},
                                      {"cameras", c.cameras},
                                      {"mean_gap_s", c.mean_gap_s},
                                      {"chance", c.chance},
                                      {"together", together}});
    out.csv += c.plate + "," + std::to_string(c.sightings) + "," + std::to_string(c.cameras) + "," +
               num(c.mean_gap_s) + "," + num(c.chance, 2) + "\n";
  }
  return out;
}

AnalysisOutput hotspots(AnalysisStore& store, CameraStore& cameras, const ParamReader& p,
                        const Audit& audit) {
  const std::string bucket = p.text("bucket").empty() ? "hour" : p.text("bucket");
  if (bucket != "hour" && bucket != "day") bad("bucket", bucket, "must be hour or day");
  const TimestampMs bucket_ms = bucket == "hour" ? kHourMs : kDayMs;
  const auto [from, to] = p.period("from", "to", 7 * kDayMs);
  TimestampMs baseline_from = 0, baseline_to = 0;
  if (!p.text("baseline_from").empty() || !p.text("baseline_to").empty()) {
    std::tie(baseline_from, baseline_to) = p.period("baseline_from", "baseline_to", 28 * kDayMs);
  }
  if ((to - from) / bucket_ms > 24 * 400) bad("bucket", bucket, "too many buckets for the period: use day");
  audit(iso(from) + ".." + iso(to) +
        (baseline_to > baseline_from ? " vs " + iso(baseline_from) + ".." + iso(baseline_to) : ""));
  const HotspotReport r = analysis::hotspots(store, cameras, from, to, baseline_from, baseline_to, bucket_ms);
  AnalysisOutput out;
  out.json = {{"analysis", "hotspots"}, {"from", iso(r.from)},      {"to", iso(r.to)},
              {"bucket", bucket},       {"cameras", json::array()}, {"totals", json::array()}};
  if (baseline_to > baseline_from)
    out.json["baseline"] = {{"from", iso(r.baseline_from)}, {"to", iso(r.baseline_to)}};
  out.csv = "camera_id,camera_name,site_id,bucket,reads,hits\n";
  for (const auto& c : r.cameras) {
    json buckets = json::array();
    for (const auto& b : c.buckets) {
      buckets.push_back({{"at", iso(b.bucket)}, {"reads", b.reads}, {"hits", b.hits}});
      out.csv += csv_field(c.camera_id) + "," + csv_field(c.name) + "," + csv_field(c.site_id) + "," +
                 iso(b.bucket) + "," + std::to_string(b.reads) + "," + std::to_string(b.hits) + "\n";
    }
    json cam = {{"camera_id", c.camera_id}, {"name", c.name}, {"site_id", c.site_id},
                {"reads", c.reads},         {"hits", c.hits}, {"reads_per_hour", c.reads_per_hour},
                {"buckets", buckets}};
    if (baseline_to > baseline_from) {
      cam["baseline_per_hour"] = c.baseline_per_hour;
      cam["change"] = c.change;
    }
    out.json["cameras"].push_back(std::move(cam));
  }
  for (const auto& t : r.totals)
    out.json["totals"].push_back({{"at", iso(t.bucket)}, {"reads", t.reads}, {"hits", t.hits}});
  out.json["reads_by_hour_of_day"] = r.reads_by_hour_of_day;
  out.json["hits_by_hour_of_day"] = r.hits_by_hour_of_day;
  return out;
}

AnalysisOutput first_seen(AnalysisStore& store, const ParamReader& p, const Audit& audit) {
  const std::string site = p.text("site", true);
  const double lookback_days = p.number("lookback_days", 90, 1, 400);
  const auto [from, to] = p.period("from", "to", 7 * kDayMs);
  const auto lookback_from = from - static_cast<TimestampMs>(lookback_days * static_cast<double>(kDayMs));
  audit(site + " " + iso(from) + ".." + iso(to) + " lookback " + num(lookback_days, 0) + " d");
  constexpr int kLimit = 10000;
  const auto rows = store.first_seen(site, from, to, lookback_from, kLimit + 1);
  AnalysisOutput out;
  out.json = {{"analysis", "first-seen"},
              {"site", site},
              {"from", iso(from)},
              {"to", iso(to)},
              {"lookback_from", iso(lookback_from)},
              {"truncated", rows.size() > kLimit},
              {"plates", json::array()}};
  out.csv = "plate,first,last,reads\n";
  for (std::size_t i = 0; i < rows.size() && i < kLimit; ++i) {
    const auto& f = rows[i];
    out.json["plates"].push_back(
        {{"plate", f.plate}, {"first", iso(f.first)}, {"last", iso(f.last)}, {"reads", f.reads}});
    out.csv += f.plate + "," + iso(f.first) + "," + iso(f.last) + "," + std::to_string(f.reads) + "\n";
  }
  return out;
}

}  // namespace

const std::vector<std::string>& analysis_kinds() {
  static const std::vector<std::string> kinds = {"clones", "speed", "convoy", "hotspots", "first-seen"};
  return kinds;
}

// The whole Store: the analyses between them read the analysis queries, the cameras and a plate's
// movements, and the run is audited; each analysis below takes only the interfaces it reads.
AnalysisOutput run_analysis(Store& store, const std::string& kind, const Params& params,
                            const AnalysisCaller& caller, const CloneSettings& clone_defaults) {
  if (!audit_reason(caller.reason)) {
    throw Error(ErrorCode::kInput,
                std::string("reason is required (") + kReasonRule + "): every analysis is audited");
  }
  const TimestampMs now = caller.now != 0 ? caller.now : now_ms();
  const ParamReader p(params, now);
  const Audit audit = [&](const std::string& subject) {
    store.audit({0, now, caller.user, "analysis-" + kind, subject, caller.reason});
  };
  AnalysisOutput out;
  if (kind == "clones")
    out = clones(store, store, p, clone_defaults, audit);
  else if (kind == "speed")
    out = speed(store, store, p, audit);
  else if (kind == "convoy")
    out = convoy(store, store, store, p, audit);
  else if (kind == "hotspots")
    out = hotspots(store, store, p, audit);
  else if (kind == "first-seen")
    out = first_seen(store, p, audit);
  else
    throw Error(ErrorCode::kInput,
                "analysis '" + kind + "': unknown (clones, speed, convoy, hotspots, first-seen)");
  return out;
}

std::vector<SpeedSection> speed_sections(AnalysisStore& store) { return store.sections(); }

// The whole Store: the sections and their audit record are written in one transaction.
void register_sections(Store& store, const std::vector<SpeedSection>& sections, const std::string& file,
                       const AnalysisCaller& caller) {
  store.in_transaction([&] {
    for (const auto& s : sections) store.upsert_section(s);
    store.audit({0, caller.now, caller.user, "sections-register", file,
                 std::to_string(sections.size()) + " sections"});
  });
}

}  // namespace anpr::receiver::analysis
