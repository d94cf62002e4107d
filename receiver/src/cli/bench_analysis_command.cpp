// anpr-receiver bench-analysis: fills a database with a generated district's reads (cameras,
// speed sections, regular and passing vehicles, a few hits) and times each analysis on it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "anpr/common/error.hpp"
#include "anpr/common/progress_bar.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/analysis/analysis_service.hpp"
#include "anpr/receiver/analysis/camera_directory.hpp"
#include "anpr/receiver/store/store.hpp"
#include "cli.hpp"

namespace anpr::receiver::cli {
namespace {

struct BenchAnalysisOptions {
  std::string database;
  std::int64_t reads = 10'000'000;
  int cameras = 40;
  int days = 180;
  int vehicles = 400'000;
  int runs = 3;
  std::uint64_t seed = 1;
};

std::string plate_of(int vehicle) {
  static constexpr char kLetters[] = "ABCDEFGHJKLMNOPRSTUVWXYZ";
  std::string p(7, ' ');
  std::uint64_t v = static_cast<std::uint64_t>(vehicle) * 2654435761u % 796262400u;  // spread, one plate each
  const int radix[7] = {24, 24, 10, 10, 24, 24, 24};
  for (int j = 6; j >= 0; --j) {
    const auto d = static_cast<int>(v % static_cast<std::uint64_t>(radix[j]));
    v /= static_cast<std::uint64_t>(radix[j]);
    p[static_cast<std::size_t>(j)] = radix[j] == 10 ? static_cast<char>('0' + d) : kLetters[d];
  }
  return p;
}

/// A read id in UUID form that sorts with its number: the key index grows at its end.
std::string read_id_of(std::int64_t i) {
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012llx", static_cast<unsigned long long>(i));
  return id;
}

void generate(Store& store, const BenchAnalysisOptions& o, TimestampMs start) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> cruising(33, 7);  // mph
  // Cameras over about 30 x 30 km around Coalville, four to a site. Vehicles drive from camera
  // k to k+1, k+2, ... along roads 1.3 times the straight line.
  std::vector<CameraInfo> cameras;
  for (int c = 0; c < o.cameras; ++c) {
    CameraInfo cam;
    cam.camera_id = "cam" + std::to_string(c);
    cam.site_id = "site" + std::to_string(c / 4);
    cam.name = "Camera " + std::to_string(c);
    cam.latitude = 52.72 + (unit(rng) - 0.5) * 0.27;
    cam.longitude = -1.37 + (unit(rng) - 0.5) * 0.45;
    cam.registered = true;
    store.upsert_camera(cam);
    cameras.push_back(cam);
  }
  auto road_m = [&](int a, int b) {
    const auto& x = cameras[static_cast<std::size_t>(a)];
    const auto& y = cameras[static_cast<std::size_t>(b)];
    return 1300.0 * analysis::distance_km(*x.latitude, *x.longitude, *y.latitude, *y.longitude);
  };
  for (int s = 0; s < 5; ++s) {
    store.upsert_section({"section" + std::to_string(s), "cam" + std::to_string(2 * s),
                          "cam" + std::to_string(2 * s + 1), road_m(2 * s, 2 * s + 1), s % 2 ? 30.0 : 40.0});
  }
  const double step =
      static_cast<double>(o.days) * static_cast<double>(kDayMs) / static_cast<double>(o.reads);
  constexpr std::int64_t kBatch = 50'000;
  ProgressBar progress(static_cast<std::size_t>((o.reads + kBatch - 1) / kBatch), "generating reads");
  ReadMessage m;
  m.crop_jpeg.clear();
  m.format = "gb-current";
  m.country = "GB";
  m.box = {1, 1, 10, 5};
  std::int64_t i = 0;
  auto emit = [&](int vehicle, int camera, TimestampMs at) {
    m.read_id = read_id_of(i);
    m.camera_id = "cam" + std::to_string(camera);
    m.site_id = "site" + std::to_string(camera / 4);
    m.plate = plate_of(vehicle);
    m.first_seen = m.captured_at = m.last_seen = at;
    m.confidence = 0.7 + 0.3 * unit(rng);
    m.char_confidences.assign(m.plate.size(), m.confidence);
    store.insert_read(m, m.captured_at, false, "", "");
    if (i % 1000 == 0) {  // about one read in a thousand is a watchlist hit
      HitMessage h;
      h.hit_id = read_id_of(i).replace(0, 8, "11111111");
      h.read_id = m.read_id;
      h.camera_id = m.camera_id;
      h.site_id = m.site_id;
      h.at = m.captured_at;
      h.plate = h.entry_plate = m.plate;
      h.list = "bench";
      h.category = "stolen-vehicle";
      h.match_kind = "exact";
      h.score = 1;
      store.insert_hit(h, m.captured_at);
    }
    ++i;
  };
  while (i < o.reads) {
    store.in_transaction([&] {
      const std::int64_t batch_end = std::min(o.reads, i + kBatch);
      while (i < batch_end) {
        // A trip: popular vehicles (commuters, local traders) make far more of them than passing ones.
        const int vehicle = static_cast<int>(std::floor(o.vehicles * std::pow(unit(rng), 2.0)));
        int camera = static_cast<int>(rng() % static_cast<std::uint64_t>(o.cameras));
        const double mph = std::max(10.0, cruising(rng)) + (unit(rng) < 0.05 ? 15.0 : 0.0);
        auto at = start + static_cast<TimestampMs>(static_cast<double>(i) * step);
        for (int hop = 1 + static_cast<int>(rng() % 4); hop > 0 && i < batch_end; --hop) {
          emit(vehicle, camera, at);
          const int next = (camera + 1) % o.cameras;
          at += static_cast<TimestampMs>(road_m(camera, next) / 1609.344 / mph * 3'600'000.0);
          camera = next;
        }
      }
    });
    progress.advance();
  }
}

int bench(const BenchAnalysisOptions& o) {
  auto store = open_store(o.database);
  // The history ends at the start of the current day; every period below is within it.
  const TimestampMs end = now_ms() / kDayMs * kDayMs;
  const TimestampMs start = end - o.days * kDayMs;
  const std::int64_t have = store->read_count();
  if (have == 0) {
    const auto t0 = std::chrono::steady_clock::now();
    generate(*store, o, start);
    std::printf("generated %lld reads in %.0f s\n", static_cast<long long>(o.reads),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  } else {
    std::printf("using the %lld reads already in %s\n", static_cast<long long>(have), o.database.c_str());
  }
  auto iso = [](TimestampMs t) { return to_iso8601(t); };
  const std::string top_plate = plate_of(0);  // the most often seen vehicle
  struct Case {
    const char* label;
    std::string kind;
    analysis::Params params;
  };
  const std::vector<Case> cases = {
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
  std::printf("%-48s %10s %10s %10s  %s\n", "analysis", "median ms", "min ms", "max ms", "result");
  for (const auto& c : cases) {
    std::vector<double> ms;
    std::string result;
    for (int run = 0; run < o.runs; ++run) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto out = analysis::run_analysis(*store, c.kind, c.params, {"bench", "benchmark", now_ms()});
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      const auto& j = out.json;
      if (c.kind == "clones")
        result = std::to_string(j["alerts"].size()) + " alerts";
      else if (c.kind == "speed")
        result = j["vehicles"].dump() + " passes, " + std::to_string(j["offenders"].size()) + " over";
      else if (c.kind == "convoy")
        result = j["target_sightings"].dump() + " sightings, " + std::to_string(j["candidates"].size()) +
                 " candidates";
      else if (c.kind == "hotspots")
        result = std::to_string(j["cameras"].size()) + " cameras, " + std::to_string(j["totals"].size()) +
                 " buckets";
      else
        result = std::to_string(j["plates"].size()) + " plates";
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
  cmd->add_option("--reads", o->reads, "Reads to generate")
      ->capture_default_str()
      ->check(CLI::Range(1000LL, 100'000'000LL));
  cmd->add_option("--cameras", o->cameras, "Cameras")->capture_default_str()->check(CLI::Range(12, 1000));
  cmd->add_option("--days", o->days, "Days of history, ending today")
      ->capture_default_str()
      ->check(CLI::Range(40, 3650));
  cmd->add_option("--vehicles", o->vehicles, "Distinct vehicles")
      ->capture_default_str()
      ->check(CLI::Range(100, 10'000'000));
  cmd->add_option("--runs", o->runs, "Runs of each analysis (the median is shown)")
      ->capture_default_str()
      ->check(CLI::Range(1, 50));
  cmd->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = bench(*o); });
}

}  // namespace anpr::receiver::cli
