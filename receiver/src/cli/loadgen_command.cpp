// anpr-receiver loadgen: publishes valid reads from simulated cameras through a broker, to
// measure ingest (reads/s, none lost) and hit latency.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
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
#include "anpr/common/progress_bar.hpp"
#include "anpr/common/statistics.hpp"
#include "anpr/common/topics.hpp"
#include "cli.hpp"

namespace anpr::receiver::cli {
namespace {

/// Publishes in flight at most per connection (the client's max_inflight is 1000).
constexpr std::size_t kPublishWindow = 900;

struct LoadgenOptions {
  std::string broker = "tcp://127.0.0.1:1883";
  int cameras = 10;
  double rate = 1000;  // reads per second, all cameras together
  int count = 10000;
  double hit_share = 0.0;  // share of reads whose plate is in --hit-plates
  std::vector<std::string> hit_plates;
  std::uint64_t seed = 1;
  int connections = 1;                   // each with its own thread and window of publishes
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

/// The images every read carries.
struct Images {
  Bytes crop;
  std::optional<Bytes> overview;
};

ReadMessage make_read(const LoadgenOptions& o, int i, std::mt19937_64& rng, const Images& images, bool& hit) {
  std::uniform_real_distribution<double> u(0, 1);
  ReadMessage m;
  m.read_id = make_uuid();
  m.camera_id = "cam" + std::to_string(i % o.cameras);
  m.site_id = "loadgen";
  m.first_seen = m.captured_at = m.last_seen = now_ms();
  hit = !o.hit_plates.empty() && u(rng) < o.hit_share;
  m.plate = hit ? o.hit_plates[static_cast<std::size_t>(i) % o.hit_plates.size()] : random_plate(rng);
  m.confidence = 0.95;
  m.char_confidences = std::vector<double>(m.plate.size(), 0.95);
  m.format = "gb-current";
  m.country = "GB";
  m.box = {100, 100, 120, 30};
  m.crop_jpeg = images.crop;
  m.overview_jpeg = images.overview;
  return m;
}

/// What the publishing threads share: the clock they pace to, the hit timer and the progress bar.
struct Shared {
  std::chrono::steady_clock::time_point start;
  HitLatency& latency;
  ProgressBar& progress;
  std::mutex progress_mutex;
};

/// A publishing connection (QoS 1, up to 1,000 in flight).
std::unique_ptr<mqtt::async_client> connect_publisher(const std::string& broker) {
  auto client = std::make_unique<mqtt::async_client>(broker, "anpr-loadgen-" + make_uuid().substr(0, 8),
                                                     mqtt::create_options(MQTTVERSION_3_1_1, 100000));
  try {
    client->connect(mqtt::connect_options_builder().clean_session(true).max_inflight(1000).finalize())
        ->wait();
  } catch (const mqtt::exception& e) {
    throw Error(ErrorCode::kIo, "cannot connect to " + broker + ": " + e.what());
  }
  return client;
}

/// One connection's share of the reads (every `connections`th, from `first`), paced to the rate,
/// with a sliding window of unacknowledged publishes: waiting for a whole batch instead paused
/// the stream and then sent the late reads in one burst, which the receiver saw as queueing.
void publish_share(const LoadgenOptions& o, int first, const Images& images, mqtt::async_client& client,
                   Shared& shared) {
  std::mt19937_64 rng(o.seed + static_cast<std::uint64_t>(first));
  std::deque<mqtt::delivery_token_ptr> pending;
  for (int i = first; i < o.count; i += o.connections) {
    const auto due = shared.start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                        std::chrono::duration<double>(i / o.rate));
    std::this_thread::sleep_until(due);
    bool hit = false;
    const ReadMessage m = make_read(o, i, rng, images, hit);
    if (hit) shared.latency.published(m.read_id);
    pending.push_back(
        client.publish(camera_topic(m.site_id, m.camera_id, TopicKind::kRead), encode(m), 1, false));
    while (pending.size() > kPublishWindow) {
      pending.front()->wait();
      pending.pop_front();
    }
    const std::lock_guard lock(shared.progress_mutex);
    shared.progress.advance();
  }
  for (auto& t : pending) t->wait();
  client.disconnect()->wait();
}

int run(const LoadgenOptions& o) {
  // Hit latency: publish of a listed plate -> its hit on anpr/v1/hits (stored and checked first).
  HitLatency latency;
  std::unique_ptr<mqtt::async_client> hits_client;
  if (!o.hit_plates.empty() && o.hit_share > 0) hits_client = latency.listen(o.broker);
  const Images images{
      o.crop_file.empty() ? Bytes{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0xFF, 0xD9}
                          : read_jpeg(o.crop_file),
      o.overview_file.empty() ? std::nullopt : std::optional<Bytes>(read_jpeg(o.overview_file))};
  ProgressBar progress(static_cast<std::size_t>(o.count), "loadgen");
  // Every connection is up before the clock starts: a read due while one was still connecting
  // would go out late, in a burst with those behind it.
  std::vector<std::unique_ptr<mqtt::async_client>> clients;
  for (int c = 0; c < o.connections; ++c) clients.push_back(connect_publisher(o.broker));
  Shared shared{std::chrono::steady_clock::now(), latency, progress, {}};
  // Several connections, each on its own thread: one thread encoding and publishing topped out
  // at about 9,900 reads/s, below what the receiver takes.
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(o.connections));
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      try {
        publish_share(o, c, images, *clients[static_cast<std::size_t>(c)], shared);
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
  cmd->add_option("--hit-plates", o->hit_plates, "Listed plates to use for hits");
  cmd->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  cmd->add_option("--connections", o->connections,
                  "Connections to the broker, each publishing on its own thread")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
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
