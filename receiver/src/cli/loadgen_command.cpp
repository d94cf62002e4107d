// anpr-receiver loadgen: publishes valid reads from simulated cameras through a broker, to
// measure ingest (reads/s, none lost) and hit latency.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include <mqtt/async_client.h>

#include "anpr/common/error.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/plate_text.hpp"
#include "anpr/common/progress_bar.hpp"
#include "anpr/common/statistics.hpp"
#include "anpr/common/topics.hpp"
#include "cli.hpp"
#include "loadgen_publisher.hpp"
#include "read_payloads.hpp"

namespace anpr::receiver::cli {
namespace {

struct LoadgenOptions {
  std::string broker = "tcp://127.0.0.1:1883";
  int cameras = 10;
  double rate = 1000;  // reads per second, all cameras together
  int count = 10000;
  double hit_share = 0.0;  // share of reads whose plate is in --hit-plates
  std::vector<std::string> hit_plates;
  std::uint64_t seed = 1;
  int connections = 1;                   // each with its own thread and window of publishes
  int window = 1000;                     // publishes unacknowledged at most, per connection
  int hit_wait_s = 30;                   // how long to wait for the last hits after publishing
  std::string crop_file, overview_file;  // real JPEGs to carry instead of the placeholder crop
};

constexpr std::size_t kMaxImageBytes = 1u << 20;

/// A JPEG file's bytes; throws anpr::Error naming the file when it is missing, too big or not a JPEG.
Bytes read_jpeg(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(ErrorCode::kIo, path + ": " + ec.message());
  if (size > kMaxImageBytes) throw Error(ErrorCode::kInput, path + ": larger than 1 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, path + ": cannot open");
  Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8)
    throw Error(ErrorCode::kInput, path + ": not a JPEG file");
  return bytes;
}

/// Times each listed read from its publish to its hit arriving on the hits topic.
class HitLatency {
 public:
  std::unique_ptr<mqtt::async_client> listen(const std::string& broker) {
    auto c = std::make_unique<mqtt::async_client>(broker, "anpr-loadgen-hits-" + make_uuid().substr(0, 8));
    c->set_message_callback([this](const mqtt::const_message_ptr& m) {
      const auto hit = decode_hit(m->to_string());
      if (!hit.ok()) return;
      std::lock_guard lock(mutex_);
      const auto it = sent_.find(hit.value().read_id);
      if (it == sent_.end() || it->second.done) return;  // several hits per read: the first counts
      it->second.done = true;
      latencies_ms_.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - it->second.at)
              .count());
      arrived_.notify_all();
    });
    c->connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
    c->subscribe(std::string(kHitsTopic), 1)->wait();
    return c;
  }
  void published(const std::string& read_id) {
    std::lock_guard lock(mutex_);
    sent_[read_id] = {std::chrono::steady_clock::now(), false};
  }
  void report(std::chrono::seconds wait) {
    std::unique_lock lock(mutex_);
    // Woken by each hit as it arrives: done as soon as the last one is in, or after `wait`.
    arrived_.wait_for(lock, wait, [this] { return latencies_ms_.size() >= sent_.size(); });
    const std::vector<double>& v = latencies_ms_;
    auto pct = [&](double q) { return percentile(v, q); };
    std::printf(
        "hits: %zu of %zu listed reads raised a hit; latency publish -> hit p50 %.1f ms, p95 %.1f ms, p99 "
        "%.1f ms, max %.1f ms\n",
        v.size(), sent_.size(), pct(0.5), pct(0.95), pct(0.99), percentile(v, 1.0));
  }

 private:
  struct Sent {
    std::chrono::steady_clock::time_point at;
    bool done = false;
  };
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::unordered_map<std::string, Sent> sent_;
  std::vector<double> latencies_ms_;
};

std::string random_plate(std::mt19937_64& rng) {
  static constexpr char kLetters[] = "ABCDEFGHJKLMNOPRSTUVWXYZ";
  std::uniform_int_distribution<int> letter(0, 23), digit(0, 9);
  std::string p{kLetters[letter(rng)],
                kLetters[letter(rng)],
                static_cast<char>('0' + digit(rng)),
                static_cast<char>('0' + digit(rng)),
                kLetters[letter(rng)],
                kLetters[letter(rng)],
                kLetters[letter(rng)]};
  return p;
}

/// Random version 4 UUIDs, without a system call each (make_uuid asks the kernel every time):
/// seeded once from the system's entropy, not from --seed, so that runs never repeat read ids.
class ReadIds {
 public:
  std::string next() {
    std::uint64_t hi = rng_(), lo = rng_();
    hi = (hi & ~0xF000ULL) | 0x4000ULL;              // version 4
    lo = (lo & ~(0xC0ULL << 56)) | (0x80ULL << 56);  // RFC 4122 variant
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(36, '-');
    std::size_t at = 0;
    for (int nibble = 0; nibble < 32; ++nibble) {
      if (at == 8 || at == 13 || at == 18 || at == 23) ++at;
      const std::uint64_t half = nibble < 16 ? hi : lo;
      out[at++] = kHex[(half >> (60 - 4 * (nibble % 16))) & 0xF];
    }
    return out;
  }

 private:
  std::mt19937_64 rng_{(static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()};
};

/// What the publishing threads share: the clock they pace to, the payloads, the hit timer and the
/// progress bar.
struct Shared {
  std::chrono::steady_clock::time_point start;
  const ReadPayloads& payloads;
  HitLatency& latency;
  ProgressBar& progress;
  std::mutex progress_mutex;
};

/// Reads due within this much of now go out together, in one write: a write (and a wake-up of
/// the broker) per read cost more than the read itself.
constexpr auto kBatchAhead = std::chrono::milliseconds(1);

/// One connection's share of the reads (every `connections`th, from `first`), paced to the rate,
/// with a sliding window of unacknowledged publishes: waiting for a whole batch instead paused
/// the stream and then sent the late reads in one burst, which the receiver saw as queueing.
void publish_share(const LoadgenOptions& o, int first, LoadgenPublisher& publisher, Shared& shared) {
  std::mt19937_64 rng(o.seed + static_cast<std::uint64_t>(first));
  std::uniform_real_distribution<double> u(0, 1);
  ReadIds ids;
  std::vector<std::string> cameras, topics;
  for (int c = 0; c < o.cameras; ++c) {
    cameras.push_back("cam" + std::to_string(c));
    topics.push_back(camera_topic("loadgen", cameras.back(), TopicKind::kRead));
  }
  for (int i = first; i < o.count; i += o.connections) {
    const auto due = shared.start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                        std::chrono::duration<double>(i / o.rate));
    if (due > std::chrono::steady_clock::now() + kBatchAhead) {
      publisher.flush();
      std::this_thread::sleep_until(due - kBatchAhead);
    }
    // The random draws in the order they always were: the same --seed gives the same plates.
    const bool hit = !o.hit_plates.empty() && u(rng) < o.hit_share;
    const std::string plate =
        hit ? o.hit_plates[static_cast<std::size_t>(i) % o.hit_plates.size()] : random_plate(rng);
    const std::string read_id = ids.next();
    if (hit) shared.latency.published(read_id);
    const auto camera = static_cast<std::size_t>(i % o.cameras);
    publisher.publish(topics[camera], shared.payloads.payload(read_id, cameras[camera], plate, now_ms()));
    const std::lock_guard lock(shared.progress_mutex);
    shared.progress.advance();
  }
  publisher.finish();
}

int run(const LoadgenOptions& o) {
  // Hit latency: publish of a listed plate -> its hit on anpr/v1/hits (stored and checked first).
  HitLatency latency;
  std::unique_ptr<mqtt::async_client> hits_client;
  if (!o.hit_plates.empty() && o.hit_share > 0) hits_client = latency.listen(o.broker);
  const Bytes crop = o.crop_file.empty()
                         ? Bytes{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0xFF, 0xD9}
                         : read_jpeg(o.crop_file);
  const std::optional<Bytes> overview =
      o.overview_file.empty() ? std::nullopt : std::optional<Bytes>(read_jpeg(o.overview_file));
  const ReadPayloads payloads(loadgen_read_prototype(crop, overview), 0.95);
  ProgressBar progress(static_cast<std::size_t>(o.count), "loadgen");
  // Every connection is up before the clock starts: a read due while one was still connecting
  // would go out late, in a burst with those behind it.
  std::vector<std::unique_ptr<LoadgenPublisher>> publishers;
  for (int c = 0; c < o.connections; ++c) {
    publishers.push_back(std::make_unique<LoadgenPublisher>(
        o.broker, "anpr-loadgen-" + make_uuid().substr(0, 8), static_cast<std::size_t>(o.window)));
  }
  Shared shared{std::chrono::steady_clock::now(), payloads, latency, progress, {}};
  // Several connections, each on its own thread: one thread encoding and publishing topped out
  // at about 9,900 reads/s, below what the receiver takes.
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(o.connections));
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      try {
        publish_share(o, c, *publishers[static_cast<std::size_t>(c)], shared);
      } catch (...) {
        errors[static_cast<std::size_t>(c)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - shared.start).count();
  std::printf(
      "published %d reads from %d cameras over %d connections in %.2f s: %.0f reads/s (all acknowledged by "
      "the broker)\n",
      o.count, o.cameras, o.connections, s, o.count / s);
  if (hits_client) latency.report(std::chrono::seconds(o.hit_wait_s));
  return 0;
}

}  // namespace

void add_loadgen_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<LoadgenOptions>();
  CLI::App* cmd =
      app.add_subcommand("loadgen", "Publish valid reads from simulated cameras (QoS 1) for load tests");
  cmd->add_option("--broker", o->broker, "Broker URI")->capture_default_str();
  cmd->add_option("--cameras", o->cameras, "Simulated cameras")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--rate", o->rate, "Reads per second, all cameras together")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e6));
  cmd->add_option("--count", o->count, "Reads to publish")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000'000));
  cmd->add_option("--hit-share", o->hit_share, "Share of reads that carry one of --hit-plates")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--hit-plates", o->hit_plates, "Listed plates to use for hits")
      ->check(CLI::Validator(
          [](const std::string& plate) {
            return is_normalised_plate(plate) ? std::string() : "not normalised plate text: " + plate;
          },
          "PLATE"));
  cmd->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  cmd->add_option("--connections", o->connections,
                  "Connections to the broker, each publishing on its own thread")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--window", o->window, "Publishes unacknowledged by the broker at most, per connection")
      ->capture_default_str()
      ->check(CLI::Range(1, 65000));
  cmd->add_option("--hit-wait", o->hit_wait_s, "Seconds to wait for the last hits after publishing")
      ->capture_default_str();
  cmd->add_option("--crop", o->crop_file,
                  "A JPEG every read carries as its plate crop (default: a tiny placeholder)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--overview", o->overview_file, "A JPEG every read carries as its overview (default: none)")
      ->check(CLI::ExistingFile);
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace anpr::receiver::cli
