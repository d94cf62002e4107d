// anpr-receiver bench-search: movement search times for a list of plates over a store's reads,
// through the service call the web page and `anpr-receiver movements` make: the search's audit
// record written and committed, then the store's movement query. scripts/bench-search.sh fills a
// PostgreSQL store for it and reports the query's own time on the server beside.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "anpr/common/error.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/services/sighting_service.hpp"
#include "anpr/receiver/store/store.hpp"
#include "cli.hpp"

namespace anpr::receiver::cli {
namespace {

struct SearchBenchOptions {
  std::string database;
  std::string plates_file;
  int runs = 5;
  int limit = 1000;
  int days = 365;
  bool prepare_only = false;
};

std::vector<std::string> read_plates(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::kIo, "cannot read " + path);
  std::vector<std::string> plates;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) plates.push_back(line);
  }
  if (plates.empty()) throw Error(ErrorCode::kInput, path + " names no plates");
  return plates;
}

struct Times {
  std::vector<double> ms;
  std::size_t rows = 0;
  double percentile(double p) {
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * static_cast<double>(ms.size())))];
  }
};

// One run: every plate searched once over the window; milliseconds each.
template <typename Search>
Times time_searches(const std::vector<std::string>& plates, Search&& search) {
  Times t;
  for (const auto& plate : plates) {
    const auto t0 = std::chrono::steady_clock::now();
    t.rows += search(plate).size();
    t.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return t;
}

int run(const SearchBenchOptions& o) {
  auto store = open_store(o.database);
  if (o.prepare_only) return 0;
  const auto plates = read_plates(o.plates_file);
  const TimestampMs to = now_ms() + 7 * kDayMs;
  const SearchWindow window{to - (o.days + 7) * kDayMs, to, o.limit};
  std::printf("%zu plates, %d days, limit %d\n", plates.size(), o.days, o.limit);
  for (int r = 1; r <= o.runs; ++r) {
    Times t = time_searches(plates, [&](const std::string& p) {
      return search_movements(*store, *store, p, window, {"bench", "benchmark of movement search", now_ms()});
    });
    std::printf("run %d: median %.2f ms, p95 %.2f ms, max %.2f ms; %.1f sightings a plate\n", r,
                t.percentile(0.5), t.percentile(0.95), t.percentile(1.0),
                static_cast<double>(t.rows) / static_cast<double>(plates.size()));
  }
  return 0;
}

}  // namespace

void add_bench_search_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SearchBenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench-search", "Time movement searches for listed plates over a store");
  cmd->add_option("--database", o->database, "SQLite file or postgresql:// connection string")->required();
  cmd->add_option("--plates-file", o->plates_file, "Plates to search, one a line");
  cmd->add_option("--runs", o->runs, "Times to search every plate")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--limit", o->limit, "Sightings a search returns at most")->capture_default_str();
  cmd->add_option("--days", o->days, "Days searched, back from now")->capture_default_str();
  cmd->add_flag("--prepare-only", o->prepare_only,
                "Open the store (making or migrating its schema), then stop");
  cmd->callback([o, &exit_code] {
    if (!o->prepare_only && o->plates_file.empty())
      throw Error(ErrorCode::kInput, "--plates-file is required");
    exit_code = run(*o);
  });
}

}  // namespace anpr::receiver::cli
