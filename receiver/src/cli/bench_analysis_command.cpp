// anpr-receiver bench-analysis: fills a database with a generated district's reads (cameras,
// speed sections, regular and passing vehicles, a few hits) and times each analysis on it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/analysis/analysis_service.hpp"
#include "anpr/receiver/analysis/synthetic_history.hpp"
#include "anpr/receiver/store/store.hpp"
#include "cli.hpp"

namespace anpr::receiver::cli {
namespace {

struct BenchAnalysisOptions {
  std::string database;
  analysis::SyntheticDistrict district;
  int runs = 3;
};

/// Generates the district into an empty store; a store that already holds reads is used as it is.
void fill_if_empty(Store& store, const BenchAnalysisOptions& o, TimestampMs start) {
  const std::int64_t have = analysis::stored_reads(store);
  if (have == 0) {
    const auto t0 = std::chrono::steady_clock::now();
    analysis::write_synthetic_district(store, o.district, start);
    std::printf("generated %lld reads in %.0f s\n", static_cast<long long>(o.district.reads),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  } else {
    std::printf("using the %lld reads already in %s\n", static_cast<long long>(have), o.database.c_str());
  }
}

struct Case {
  const char* label;
  std::string kind;
  analysis::Params params;
};

/// The analyses timed, over a history of [start, end).
std::vector<Case> bench_cases(TimestampMs start, TimestampMs end) {
  auto iso = [](TimestampMs t) { return to_iso8601(t); };
  const std::string top_plate = analysis::synthetic_plate(0);  // the most often seen vehicle
  return {
      {"clones, last 24 h", "clones", {{"from", iso(end - kDayMs)}, {"to", iso(end)}}},
      {"clones, last 7 days", "clones", {{"from", iso(end - 7 * kDayMs)}, {"to", iso(end)}}},
      {"average speed, one section, 7 days",
       "speed",
       {{"section", "section0"}, {"from", iso(end - 7 * kDayMs)}, {"to", iso(end)}}},
      {"convoy of the most seen vehicle, 30 days",
       "convoy",
       {{"plate", top_plate}, {"from", iso(end - 30 * kDayMs)}, {"to", iso(end)}}},
      {"hotspots, 7 days hourly vs the 28 days before",
       "hotspots",
       {{"from", iso(end - 7 * kDayMs)},
        {"to", iso(end)},
        {"baseline_from", iso(end - 35 * kDayMs)},
        {"baseline_to", iso(end - 7 * kDayMs)}}},
      {"hotspots, 180 days daily", "hotspots", {{"from", iso(start)}, {"to", iso(end)}, {"bucket", "day"}}},
      {"first-seen at a site, 7 days, 90 days back",
       "first-seen",
       {{"site", "site0"}, {"from", iso(end - 7 * kDayMs)}, {"to", iso(end)}, {"lookback_days", "90"}}},
  };
}

/// One line on what the analysis found, to show that it did its work.
std::string result_summary(const std::string& kind, const nlohmann::json& j) {
  if (kind == "clones") return std::to_string(j["alerts"].size()) + " alerts";
  if (kind == "speed")
    return j["vehicles"].dump() + " passes, " + std::to_string(j["offenders"].size()) + " over";
  if (kind == "convoy")
    return j["target_sightings"].dump() + " sightings, " + std::to_string(j["candidates"].size()) +
           " candidates";
  if (kind == "hotspots")
    return std::to_string(j["cameras"].size()) + " cameras, " + std::to_string(j["totals"].size()) +
           " buckets";
  return std::to_string(j["plates"].size()) + " plates";
}

int bench(const BenchAnalysisOptions& o) {
  auto store = open_store(o.database);
  // The history ends at the start of the current day; every period below is within it.
  const TimestampMs end = now_ms() / kDayMs * kDayMs;
  const TimestampMs start = end - o.district.days * kDayMs;
  fill_if_empty(*store, o, start);
  std::printf("%-48s %10s %10s %10s  %s\n", "analysis", "median ms", "min ms", "max ms", "result");
  for (const auto& c : bench_cases(start, end)) {
    std::vector<double> ms;
    std::string result;
    for (int run = 0; run < o.runs; ++run) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto out = analysis::run_analysis(*store, c.kind, c.params, {"bench", "benchmark", now_ms()});
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      result = result_summary(c.kind, out.json);
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%-48s %10.0f %10.0f %10.0f  %s\n", c.label, ms[ms.size() / 2], ms.front(), ms.back(),
                result.c_str());
  }
  return 0;
}

}  // namespace

void add_bench_analysis_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BenchAnalysisOptions>();
  CLI::App* cmd = app.add_subcommand(
      "bench-analysis",
      "Time each analysis on a generated district's reads (generated into an empty database)");
  cmd->add_option("--database", o->database,
                  "SQLite file or postgresql:// connection string (filled when empty)")
      ->required();
  cmd->add_option("--reads", o->district.reads, "Reads to generate")
      ->capture_default_str()
      ->check(CLI::Range(1000LL, 100'000'000LL));
  cmd->add_option("--cameras", o->district.cameras, "Cameras")
      ->capture_default_str()
      ->check(CLI::Range(12, 1000));
  cmd->add_option("--days", o->district.days, "Days of history, ending today")
      ->capture_default_str()
      ->check(CLI::Range(40, 3650));
  cmd->add_option("--vehicles", o->district.vehicles, "Distinct vehicles")
      ->capture_default_str()
      ->check(CLI::Range(100, 10'000'000));
  cmd->add_option("--runs", o->runs, "Runs of each analysis (the median is shown)")
      ->capture_default_str()
      ->check(CLI::Range(1, 50));
  cmd->add_option("--seed", o->district.seed, "Random seed")->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = bench(*o); });
}

}  // namespace anpr::receiver::cli
