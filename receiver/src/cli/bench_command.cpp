// anpr-receiver bench-match: watchlist matching speed on one core against a generated list.
#include <chrono>
#include <cstdio>
#include <random>

#include "anpr/receiver/watchlist/watchlist.hpp"
#include "cli.hpp"

namespace anpr::receiver::cli {
namespace {

struct BenchOptions {
  int entries = 1'000'000;
  int reads = 500'000;
  double wildcard_share = 0.01;
  double listed_share = 0.05;
  std::uint64_t seed = 1;
};

std::string random_plate(std::mt19937_64& rng) {
  static constexpr char kLetters[] = "ABCDEFGHJKLMNOPRSTUVWXYZ";
  std::uniform_int_distribution<int> letter(0, 23), digit(0, 9);
  std::string p;
  p += kLetters[letter(rng)];
  p += kLetters[letter(rng)];
  p += static_cast<char>('0' + digit(rng));
  p += static_cast<char>('0' + digit(rng));
  for (int i = 0; i < 3; ++i) p += kLetters[letter(rng)];
  return p;
}

// Witness-style partial plates: mostly a known start, some a known end, a few a known middle.
std::string random_pattern(std::mt19937_64& rng) {
  std::string p = random_plate(rng);
  const int kind = std::uniform_int_distribution<int>(0, 19)(rng);
  if (kind < 14) return p.substr(0, 4) + "*";
  if (kind < 19) return "?" + p.substr(1, 3) + "?" + p.substr(5);
  return "*" + p.substr(2, 3) + "*";
}

int run(const BenchOptions& o) {
  std::mt19937_64 rng(o.seed);
  std::vector<WatchlistEntry> entries;
  entries.reserve(static_cast<std::size_t>(o.entries));
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < o.entries; ++i) {
    const bool wildcard = u(rng) < o.wildcard_share;
    entries.push_back(
        {"List", wildcard ? random_pattern(rng) : random_plate(rng), "bench", "bench", 0, std::nullopt});
  }
  std::vector<std::string> reads;
  reads.reserve(static_cast<std::size_t>(o.reads));
  std::uniform_int_distribution<std::size_t> pick(0, entries.size() - 1);
  for (int i = 0; i < o.reads; ++i) {
    const auto& e = entries[pick(rng)];
    reads.push_back(u(rng) < o.listed_share && !e.is_pattern() ? e.plate : random_plate(rng));
  }
  auto t0 = std::chrono::steady_clock::now();
  const WatchlistMatcher matcher({{"List", "stolen-vehicle", 0, "#f00", "Stop"}}, std::move(entries),
                                 MatcherSettings{1});
  const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  t0 = std::chrono::steady_clock::now();
  std::size_t matches = 0;
  for (const auto& r : reads) matches += matcher.match(r, 0).size();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("entries %d (%.1f%% wildcards), index built in %.2f s\n", o.entries, 100 * o.wildcard_share,
              build_s);
  std::printf("matched %d reads in %.3f s on one thread: %.0f reads/s, %.2f us per read, %zu matches\n",
              o.reads, s, o.reads / s, 1e6 * s / o.reads, matches);
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd =
      app.add_subcommand("bench-match", "Measure watchlist matching speed (one thread, generated lists)");
  cmd->add_option("--entries", o->entries, "Watchlist entries")
      ->capture_default_str()
      ->check(CLI::Range(1, 50'000'000));
  cmd->add_option("--reads", o->reads, "Reads to match")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000'000));
  cmd->add_option("--wildcards", o->wildcard_share, "Share of entries that are patterns")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace anpr::receiver::cli
