// `anpr-receiver analyse clones|speed|convoy|hotspots|first-seen|sections` and
// `anpr-receiver register-sections FILE`: the analyses of docs/analysis.md from the command line.
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/analysis/analysis_service.hpp"
#include "anpr/receiver/analysis/sections_csv.hpp"
#include "anpr/receiver/store/store.hpp"
#include "cli.hpp"
#include "cli_inputs.hpp"

namespace anpr::receiver::cli {
namespace {

using nlohmann::json;

struct AnalyseOptions {
  std::string database = "anpr.db";
  std::string user = "cli";
  std::string reason;
  bool json = false, csv = false;
  analysis::Params params;
  std::string file;
};

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

/// A readable table of the report's main rows.
void print_report(const std::string& kind, const json& r) {
  if (kind == "clones") {
    std::printf("%-10s %-22s %-18s %-22s %-18s %8s %8s %6s\n", "PLATE", "EARLIER", "AT", "LATER", "AT", "KM",
                "MIN", "MPH");
    for (const auto& a : r["alerts"]) {
      std::printf("%-10s %-22s %-18s %-22s %-18s %8.1f %8.1f %6.0f\n", text_of(a["plate"]).c_str(),
                  text_of(a["earlier"]["at"]).c_str(), text_of(a["earlier"]["camera_name"]).c_str(),
                  text_of(a["later"]["at"]).c_str(), text_of(a["later"]["camera_name"]).c_str(),
                  a["distance_km"].get<double>(), a["minutes"].get<double>(), a["implied_mph"].get<double>());
    }
    std::printf("%zu possible clones\n", r["alerts"].size());
  } else if (kind == "speed") {
    std::printf("section %s: %s -> %s, %.0f m, limit %.0f mph, listed above %.1f mph\n",
                text_of(r["section"]["name"]).c_str(), text_of(r["section"]["from_camera"]).c_str(),
                text_of(r["section"]["to_camera"]).c_str(), r["section"]["distance_m"].get<double>(),
                r["section"]["limit_mph"].get<double>(), r["threshold_mph"].get<double>());
    std::printf("%s vehicles, median %.1f mph, 85th percentile %.1f mph\n", text_of(r["vehicles"]).c_str(),
                r["median_mph"].get<double>(), r["p85_mph"].get<double>());
    std::printf("%-10s %-24s %-24s %6s\n", "PLATE", "ENTRY", "EXIT", "MPH");
    for (const auto& o : r["offenders"]) {
      std::printf("%-10s %-24s %-24s %6.1f\n", text_of(o["plate"]).c_str(), text_of(o["entry"]["at"]).c_str(),
                  text_of(o["exit"]["at"]).c_str(), o["mph"].get<double>());
    }
    std::printf("%zu over the threshold\n", r["offenders"].size());
  } else if (kind == "convoy") {
    std::printf("target %s: %s sightings\n", text_of(r["target"]).c_str(),
                text_of(r["target_sightings"]).c_str());
    std::printf("%-10s %9s %7s %10s %7s\n", "PLATE", "SIGHTINGS", "CAMERAS", "MEAN GAP S", "CHANCE");
    for (const auto& c : r["candidates"]) {
      std::printf("%-10s %9d %7d %10.1f %7.2f\n", text_of(c["plate"]).c_str(), c["sightings"].get<int>(),
                  c["cameras"].get<int>(), c["mean_gap_s"].get<double>(), c["chance"].get<double>());
    }
    std::printf("%s\n", text_of(r["note"]).c_str());
  } else if (kind == "hotspots") {
    const bool baseline = r.contains("baseline");
    std::printf("%-16s %-22s %-14s %9s %6s %9s%s\n", "CAMERA", "NAME", "SITE", "READS", "HITS", "PER HOUR",
                baseline ? "  BASELINE  CHANGE" : "");
    for (const auto& c : r["cameras"]) {
      std::printf("%-16s %-22s %-14s %9lld %6lld %9.1f", text_of(c["camera_id"]).c_str(),
                  text_of(c["name"]).c_str(), text_of(c["site_id"]).c_str(), c["reads"].get<long long>(),
                  c["hits"].get<long long>(), c["reads_per_hour"].get<double>());
      if (baseline)
        std::printf("  %8.1f  %+5.0f%%", c["baseline_per_hour"].get<double>(),
                    100 * c["change"].get<double>());
      std::printf("\n");
    }
  } else if (kind == "first-seen") {
    std::printf("%-10s %-24s %-24s %6s\n", "PLATE", "FIRST", "LAST", "READS");
    for (const auto& f : r["plates"]) {
      std::printf("%-10s %-24s %-24s %6lld\n", text_of(f["plate"]).c_str(), text_of(f["first"]).c_str(),
                  text_of(f["last"]).c_str(), f["reads"].get<long long>());
    }
    std::printf("%zu plates first seen at %s\n", r["plates"].size(), text_of(r["site"]).c_str());
  }
}

int analyse(const std::string& kind, const AnalyseOptions& o) {
  auto store = open_store(o.database);
  const auto out = analysis::run_analysis(*store, kind, o.params, {o.user, o.reason, now_ms()});
  if (o.json)
    std::cout << out.json.dump(2) << "\n";
  else if (o.csv)
    std::cout << out.csv;
  else
    print_report(kind, out.json);
  return 0;
}

int list_sections(const AnalyseOptions& o) {
  auto store = open_store(o.database);
  const auto sections = analysis::speed_sections(*store);
  if (o.json) {
    json out = json::array();
    for (const auto& s : sections) {
      out.push_back({{"name", s.name},
                     {"from_camera", s.from_camera},
                     {"to_camera", s.to_camera},
                     {"distance_m", s.distance_m},
                     {"limit_mph", s.limit_mph}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%-20s %-16s %-16s %10s %6s\n", "NAME", "FROM", "TO", "METRES", "LIMIT");
  for (const auto& s : sections) {
    std::printf("%-20s %-16s %-16s %10.0f %6.0f\n", s.name.c_str(), s.from_camera.c_str(),
                s.to_camera.c_str(), s.distance_m, s.limit_mph);
  }
  return 0;
}

int register_sections(const AnalyseOptions& o) {
  const auto parsed = analysis::parse_sections_csv(read_input_file(o.file));
  if (report_bad_rows(o.file, parsed.errors, "registered")) return 1;
  auto store = open_store(o.database);
  analysis::register_sections(*store, parsed.sections, o.file, {o.user, "", now_ms()});
  std::printf("registered %zu speed sections\n", parsed.sections.size());
  return 0;
}

using Options = std::shared_ptr<AnalyseOptions>;

// Options write into the parameter map the web API also uses, so both check them the same way.
void param(const Options& o, CLI::App* sub, const std::string& flag, const std::string& name,
           const std::string& help) {
  sub->add_option_function<std::string>(
      flag, [o, name](const std::string& v) { o->params[name] = v; }, help);
}

void positional(const Options& o, CLI::App* sub, const std::string& name, const std::string& help) {
  sub->add_option_function<std::string>(
         name, [o, name](const std::string& v) { o->params[name] = v; }, help)
      ->required();
}

/// One subcommand per analysis with the parameters of its own; returned in the order added.
std::vector<CLI::App*> add_analyses(CLI::App* cmd, const Options& o) {
  CLI::App* clones =
      cmd->add_subcommand("clones", "Plates seen at two cameras further apart than a vehicle could travel");
  param(o, clones, "--ceiling-mph", "ceiling_mph", "Straight-line speed no vehicle averages (default 100)");
  param(o, clones, "--margin-s", "margin_s", "Camera clock disagreement allowed, seconds (default 60)");
  param(o, clones, "--min-distance-km", "min_distance_km",
        "Cameras nearer than this are not compared (default 2)");
  param(o, clones, "--min-confidence", "min_confidence", "Both reads at least this sure (default 0.8)");
  CLI::App* speed =
      cmd->add_subcommand("speed", "Average speed over a registered section; vehicles over the limit");
  positional(o, speed, "section", "Section name (see `analyse sections`)");
  param(o, speed, "--tolerance-percent", "tolerance_percent", "Listed above limit + this % (default 10)");
  param(o, speed, "--tolerance-mph", "tolerance_mph", "... + this many mph (default 2)");
  CLI::App* convoy = cmd->add_subcommand("convoy", "Vehicles repeatedly seen with a target vehicle");
  positional(o, convoy, "plate", "The target plate");
  param(o, convoy, "--window-s", "window_s",
        "Seen this close to the target, seconds either side (default 10)");
  param(o, convoy, "--min-sightings", "min_sightings", "With the target at least this often (default 3)");
  param(o, convoy, "--min-cameras", "min_cameras", "... at this many cameras (default 2)");
  CLI::App* hot = cmd->add_subcommand(
      "hotspots", "Reads and hits per camera by hour or day; a period against a baseline");
  param(o, hot, "--baseline-from", "baseline_from", "Baseline start, ISO 8601 UTC");
  param(o, hot, "--baseline-to", "baseline_to", "Baseline end, ISO 8601 UTC");
  param(o, hot, "--bucket", "bucket", "hour or day (default hour)");
  CLI::App* first =
      cmd->add_subcommand("first-seen", "Plates read at a site in the period and not in the lookback before");
  positional(o, first, "site", "Site id");
  param(o, first, "--lookback-days", "lookback_days", "Days before the period to look back (default 90)");
  return {clones, speed, convoy, hot, first};
}

/// The options every analysis takes (period, reason, database, output form), and the run itself.
void add_common_options(CLI::App* sub, const Options& o, int& exit_code) {
  param(o, sub, "--from", "from", "From, ISO 8601 UTC (default: 7 days before --to; 30 for convoy)");
  param(o, sub, "--to", "to", "To, ISO 8601 UTC (default: now)");
  sub->add_option("--reason", o->reason, "Why you run it (required, audited)")->required();
  sub->add_option("--database", o->database, "SQLite file or postgresql:// connection string")
      ->capture_default_str();
  sub->add_option("--user", o->user, "Who asks (audited)")->capture_default_str();
  sub->add_flag("--json", o->json, "The full report as JSON");
  sub->add_flag("--csv", o->csv, "The report's rows as CSV");
  const std::string kind = sub->get_name();
  sub->callback([o, kind, &exit_code] { exit_code = analyse(kind, *o); });
}

void add_register_sections_command(CLI::App& app, const Options& o, int& exit_code) {
  CLI::App* reg = app.add_subcommand(
      "register-sections",
      "Add or update speed sections from a CSV file (name,from_camera,to_camera,distance_m,limit_mph)");
  reg->add_option("file", o->file, "CSV file")->required();
  reg->add_option("--database", o->database, "SQLite file or postgresql:// connection string")
      ->capture_default_str();
  reg->add_option("--user", o->user, "Who (audited)")->capture_default_str();
  reg->callback([o, &exit_code] { exit_code = register_sections(*o); });
}

}  // namespace

void add_analyse_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<AnalyseOptions>();
  CLI::App* cmd = app.add_subcommand("analyse",
                                     "Analyses of stored reads: cloned plates, average speed, convoys, "
                                     "hotspots, first-seen plates (docs/analysis.md); every run audited");
  cmd->require_subcommand(1);
  for (CLI::App* sub : add_analyses(cmd, o)) add_common_options(sub, o, exit_code);
  CLI::App* sections = cmd->add_subcommand("sections", "List the registered speed sections");
  sections->add_option("--database", o->database, "SQLite file or postgresql:// connection string")
      ->capture_default_str();
  sections->add_flag("--json", o->json, "JSON for scripts");
  sections->callback([o, &exit_code] { exit_code = list_sections(*o); });
  add_register_sections_command(app, o, exit_code);
}

}  // namespace anpr::receiver::cli
