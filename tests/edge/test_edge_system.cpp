// The edge appliance as a whole: the real anpr-edge binary, a real mosquitto broker on loopback,
// generated traffic videos with known passes; outages, SIGKILL, a full spool, damaged files.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include <mqtt/async_client.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"
#include "anpr/edge/reader/evaluation.hpp"
#include "anpr/edge/uplink/spool.hpp"
#include "anpr/synth/traffic_video.hpp"
#include "support/child_process.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/sample_messages.hpp"
#include "support/small_traffic.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_certificates.hpp"

using namespace anpr;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string kEdge = ANPR_BIN_DIR "/anpr-edge";

/// Subscribes to every camera topic and keeps what arrives.
class Collector {
 public:
  Collector(const std::string& broker, const std::string& client_id, bool persistent)
      : client_(broker, client_id), persistent_(persistent) {
    client_.start_consuming();
    connect();
    thread_ = std::thread([this] {
      while (!stop_) {
        mqtt::const_message_ptr m;
        if (client_.try_consume_message_for(&m, 100ms) && m) keep(*m);
      }
    });
  }
  ~Collector() {
    stop_ = true;
    thread_.join();
    try {
      if (client_.is_connected()) client_.disconnect()->wait_for(2s);
    } catch (...) {
    }
  }
  void connect() {
    client_
        .connect(mqtt::connect_options_builder().clean_session(!persistent_).connect_timeout(5s).finalize())
        ->wait();
    client_.subscribe("anpr/v1/+/+/+", 1)->wait();
  }
  void disconnect() { client_.disconnect()->wait(); }

  std::vector<ReadMessage> reads() {
    std::lock_guard l(mutex_);
    return reads_;
  }
  std::vector<StatusMessage> statuses() {
    std::lock_guard l(mutex_);
    return statuses_;
  }
  std::vector<HealthMessage> health() {
    std::lock_guard l(mutex_);
    return health_;
  }
  std::vector<std::string> rejected() {
    std::lock_guard l(mutex_);
    return bad_;
  }

  /// Waits until `done` holds or the timeout passes.
  void keep(const mqtt::message& m) {
    std::lock_guard lock(mutex_);
    const auto topic = parse_camera_topic(m.get_topic());
    if (!topic) {
      bad_.push_back("unexpected topic " + m.get_topic());
    } else if (topic->kind == TopicKind::kRead) {
      auto r = decode_read(m.to_string());
      if (r.ok())
        reads_.push_back(r.value());
      else
        bad_.push_back(r.error().message());
    } else if (topic->kind == TopicKind::kStatus) {
      auto s = decode_status(m.to_string());
      if (s.ok()) statuses_.push_back(s.value());
    } else {
      auto h = decode_health(m.to_string());
      if (h.ok()) health_.push_back(h.value());
    }
  }

  /// Waits until the camera's last status says `state`; false when it does not within `timeout`.
  bool wait_for_state(CameraState state, std::chrono::milliseconds timeout) {
    return wait_until(
        [state](Collector& c) { return !c.statuses().empty() && c.statuses().back().state == state; },
        timeout);
  }

  template <class Pred>
  bool wait_until(Pred done, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (done(*this)) return true;
      std::this_thread::sleep_for(50ms);
    }
    return done(*this);
  }

 private:
  mqtt::async_client client_;
  bool persistent_;
  std::mutex mutex_;
  std::vector<ReadMessage> reads_;
  std::vector<StatusMessage> statuses_;
  std::vector<HealthMessage> health_;
  std::vector<std::string> bad_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string write_config(const test::TempDir& dir, const std::string& extra = "") {
  const auto path = (dir / "edge.toml").string();
  std::ofstream(path) << "[mqtt]\nhealth_interval_s = 1\nreconnect_max_s = 2\n" << extra;
  return path;
}

std::vector<std::string> run_args(const std::string& config, const std::string& source,
                                  const std::string& broker, const fs::path& spool,
                                  std::vector<std::string> more = {}) {
  std::vector<std::string> a = {kEdge,       "run",       "--config",    config,        "--source",
                                source,      "--broker",  broker,        "--camera-id", "cam1",
                                "--site-id", "coalville", "--spool-dir", spool.string()};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

std::size_t spooled_files(const fs::path& dir) {
  std::size_t n = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    n += e.path().extension() == ".msg" &&
         e.path().filename().string().rfind(".tmp-", 0) != 0;  // not half-written
  }
  return n;
}

/// Read ids of what is in a spool folder right now.
std::set<std::string> spooled_read_ids(const fs::path& dir) {
  std::set<std::string> ids;
  edge::Spool spool({dir, 1LL << 40});
  for (auto seq : spool.oldest(100000)) {
    if (auto m = spool.load(seq)) {
      auto r = decode_read(m->payload);
      if (r.ok()) ids.insert(r.value().read_id);
    }
  }
  return ids;
}

}  // namespace

TEST_CASE("every vehicle pass of a generated video gives exactly one read, right, with its direction",
          "[edge][system]") {
  test::TempDir dir("anpr-edge-system");
  const auto video = (dir / "traffic.avi").string();
  const auto passes = synth::write_traffic_video(video, test::small_traffic(10), 20261126);
  test::MosquittoBroker broker;
  Collector collector(broker.uri(), "test-collector", false);

  test::ChildProcess edge(run_args(write_config(dir), video, broker.uri(), dir / "spool"),
                          (dir / "edge.log").string());
  const auto code = edge.wait(120s);
  INFO(edge.log());
  REQUIRE(code == std::optional<int>(0));
  collector.wait_for_state(CameraState::kOffline, 5s);

  const auto reads = collector.reads();
  CHECK(collector.rejected().empty());
  std::set<std::string> ids;
  for (const auto& r : reads) ids.insert(r.read_id);
  CHECK(ids.size() == reads.size());  // no read twice

  int right = 0, direction_right = 0;
  std::map<std::string, int> reads_per_pass;
  for (const auto& p : passes) reads_per_pass[p.text] = 0;
  for (const auto& r : reads) {
    const auto pass = std::find_if(passes.begin(), passes.end(), [&](auto& p) { return p.text == r.plate; });
    if (pass == passes.end()) {
      UNSCOPED_INFO("read not in the video: " << r.plate << " (" << r.confidence << ")");
      continue;
    }
    ++reads_per_pass[pass->text];
    ++right;
    const bool lateral = pass->direction.lateral != Lateral::kNone;
    direction_right += lateral ? r.direction.lateral == pass->direction.lateral
                               : r.direction.motion == pass->direction.motion;
    CHECK_FALSE(r.crop_jpeg.empty());
    CHECK(r.overview_jpeg.has_value());
    CHECK(r.frames_seen >= 3);
    CHECK(r.first_seen <= r.captured_at);
    CHECK(r.captured_at <= r.last_seen);
  }
  for (const auto& [text, n] : reads_per_pass) {
    INFO("pass " << text);
    CHECK(n <= 1);  // never two reads for one pass
  }
  CHECK(reads.size() == passes.size());  // one read per pass, no stray reads
  CHECK(right >= 0.95 * static_cast<double>(passes.size()));
  CHECK(direction_right == right);

  const auto statuses = collector.statuses();
  REQUIRE(statuses.size() >= 2);
  CHECK(statuses.front().state == CameraState::kOnline);
  CHECK(statuses.back().state == CameraState::kOffline);  // said on a clean exit
  const auto health = collector.health();
  REQUIRE_FALSE(health.empty());
  CHECK(health.back().frames_captured > 0);
  CHECK(health.back().camera_id == "cam1");
  CHECK(spooled_files(dir / "spool") == 0);  // everything acknowledged
}

namespace {

/// Runs the firmware on a generated video with a burnt-in caption, a static sign and a parked
/// car, and checks what it published: every pass once (a misread plate counts as published, it
/// is the reader's fault, not the camera's), and nothing that stands still. `runs` > 1 plays the
/// clip again with the same spool folder and static-text memory, as after a restart.
void check_only_passes_published(synth::TrafficSettings traffic, std::uint64_t seed,
                                 const std::string& config_extra = "", int runs = 1) {
  test::TempDir dir("anpr-edge-statics");
  const auto video = (dir / "traffic.avi").string();
  synth::StaticTexts statics;
  const auto passes = synth::write_traffic_video(video, traffic, seed, &statics);
  for (const auto& p : passes) UNSCOPED_INFO("pass in the video: " << p.text);
  UNSCOPED_INFO("sign " << statics.sign << ", parked car " << statics.parked_car);
  REQUIRE_FALSE(statics.sign.empty());
  REQUIRE_FALSE(statics.parked_car.empty());
  test::MosquittoBroker broker;
  for (int run = 1; run <= runs; ++run) {
    INFO("run " << run);
    Collector collector(broker.uri(), "test-collector-" + std::to_string(run), false);
    // At the camera's pace, but every frame in a sanitized build: six times slower, it would drop
    // frames enough to lose passes, which is a measure of that build's speed, not of the camera.
    const std::vector<std::string> pace =
        test::kSanitizerSlowdown > 1 ? std::vector<std::string>{"--fast"} : std::vector<std::string>{};
    test::ChildProcess edge(
        run_args(write_config(dir, config_extra), video, broker.uri(), dir / "spool", pace),
        (dir / ("edge-" + std::to_string(run) + ".log")).string());
    const auto code = edge.wait(180s);
    INFO(edge.log());
    REQUIRE(code == std::optional<int>(0));
    collector.wait_for_state(CameraState::kOffline, 5s);
    if (run == 1 && runs > 1) {  // learned what stood still (the parked car's plate), and kept it
      CHECK(edge.log().find("static text learned: '") != std::string::npos);
      CHECK(fs::exists(dir / "spool.static-texts.json"));
    }
    if (run > 1) {  // read back at start, with what was learned
      std::smatch m;
      const std::string log = edge.log();
      REQUIRE(std::regex_search(log, m, std::regex(R"(static-text memory: \d+ texts \((\d+) learned\))")));
      CHECK(std::stoi(m[1]) >= 1);
      // Health says where the learned texts are, not only how many.
      const auto health = collector.health();
      REQUIRE_FALSE(health.empty());
      const auto& places = health.back().static_text_places;
      CHECK(static_cast<std::int64_t>(places.size()) == health.back().static_texts);
      CHECK_FALSE(places.empty());
      for (const auto& p : places) {
        CHECK(p.width > 0);
        CHECK(p.x + p.width <= 1.0);
        CHECK_FALSE(p.text.empty());
      }
    }

    std::map<std::string, int> reads_per_pass;
    int unmatched = 0;
    for (const auto& r : collector.reads()) {
      // The pass it belongs to: the plate it reads closest to (at most two characters off).
      const synth::VehiclePass* best = nullptr;
      std::size_t best_distance = 3;
      for (const auto& p : passes) {
        const std::size_t d = edge::edit_distance(p.text, r.plate);
        if (d < best_distance) {
          best_distance = d;
          best = &p;
        }
      }
      UNSCOPED_INFO("published " << r.plate << " (" << r.confidence << ")"
                                 << (best ? " for " + best->text : ""));
      CHECK(r.plate != statics.sign);
      CHECK(r.plate != statics.parked_car);
      if (best == nullptr)
        ++unmatched;
      else
        ++reads_per_pass[best->text];
    }
    CHECK(unmatched == 0);  // no caption, sign or parked-car text, nor anything else
    for (const auto& p : passes) {
      INFO("pass " << p.text);
      CHECK(reads_per_pass[p.text] == 1);  // every pass published, once
    }
  }
}

}  // namespace

TEST_CASE("a burnt-in caption, a static sign and a parked car are never published, every pass is, once",
          "[edge][system][statics]") {
  synth::TrafficSettings traffic = test::small_traffic(10);
  traffic.caption.corner = synth::CaptionCorner::kTopLeft;
  traffic.caption.font = 0;
  traffic.sign = true;
  traffic.parked_car = true;
  check_only_passes_published(traffic, 20261204);
}

TEST_CASE("a caption in another corner and font is not published either, without a zone for it",
          "[edge][system][statics]") {
  synth::TrafficSettings traffic = test::small_traffic(10);
  traffic.caption.corner = synth::CaptionCorner::kBottomRight;
  traffic.caption.font = 2;
  traffic.caption.camera_name = "NORTH GATE 3";
  traffic.sign = true;
  traffic.parked_car = true;
  check_only_passes_published(traffic, 20261205);
}

TEST_CASE(
    "the camera learns the parked car's plate as static text, remembers it across a restart, and still "
    "publishes every pass once",
    "[edge][system][statics]") {
  synth::TrafficSettings traffic = test::small_traffic(6);
  traffic.sign = true;
  traffic.parked_car = true;
  // Learning quickly, so that a short clip teaches it; the defaults (50 frames over 2 minutes)
  // are for a camera that runs for months.
  check_only_passes_published(traffic, 20261206, "[static_text]\nmin_sightings = 10\nmin_minutes = 0.1\n", 2);
}

TEST_CASE("anpr-edge zones draws the configured zones where they are, on a frame of the source",
          "[edge][system][zones]") {
  test::TempDir dir("anpr-edge-zones");
  const auto video = (dir / "traffic.avi").string();
  synth::write_traffic_video(video, test::small_traffic(1), 7);
  const auto config = (dir / "zones.toml").string();
  std::ofstream(config) << "[zones]\nunits = \"pixels\"\nignore = [[[0, 0], [600, 0], [600, 60], [0, 60]]]\n"
                        << "read = [[[200, 300], [1000, 300], [1000, 700], [200, 700]]]\n";
  const auto out = (dir / "zones.png").string();
  test::ChildProcess zones({kEdge, "zones", "--config", config, "--source", video, "--out", out},
                           (dir / "zones.log").string());
  REQUIRE(zones.wait(30s) == std::optional<int>(0));
  INFO(zones.log());
  const cv::Mat picture = cv::imread(out);
  REQUIRE(picture.size() == cv::Size(1280, 720));
  cv::VideoCapture capture(video);
  cv::Mat frame;
  REQUIRE(capture.read(frame));
  const auto tint = [&](int x, int y) {  // how the drawing changed a pixel, per channel
    const cv::Vec3b a = picture.at<cv::Vec3b>(y, x), b = frame.at<cv::Vec3b>(y, x);
    return cv::Vec3i(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  };
  CHECK(tint(500, 50)[2] > tint(500, 50)[1] + 30);    // inside the ignore zone: redder
  CHECK(tint(900, 650)[1] > tint(900, 650)[2] + 30);  // inside the read zone: greener
  const cv::Vec3i outside = tint(1200, 200);          // in neither: as the source has it
  CHECK(std::abs(outside[0]) + std::abs(outside[1]) + std::abs(outside[2]) < 30);
  CHECK(zones.log().find("1 read zone(s)") != std::string::npos);

  std::ofstream(config) << "[zones]\nunits = \"pixels\"\nignore = [[[0, 0], [6000, 0], [6000, 60]]]\n";
  test::ChildProcess outside_frame({kEdge, "zones", "--config", config, "--source", video, "--out", out},
                                   (dir / "zones2.log").string());
  CHECK(outside_frame.wait(30s) == std::optional<int>(2));
  CHECK(outside_frame.log().find("zones.ignore[1]: point 2 (6000, 0) is outside the frame of 1280x720") !=
        std::string::npos);
}

TEST_CASE("broker down, edge killed with SIGKILL and restarted, broker back: every read arrives once",
          "[edge][system]") {
  test::TempDir dir("anpr-edge-outage");
  const auto video = (dir / "traffic.avi").string();
  synth::write_traffic_video(video, test::small_traffic(8), 77);
  test::MosquittoBroker broker;
  {
    Collector setup(broker.uri(), "test-collector", true);  // a persistent session that queues reads
    setup.disconnect();
  }
  broker.stop();
  const auto config = write_config(dir);
  const auto spool = dir / "spool";

  std::set<std::string> spooled_before_kill;
  {
    test::ChildProcess first(run_args(config, video, broker.uri(), spool), (dir / "edge1.log").string());
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (spooled_files(spool) < 3 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(50ms);
    first.signal(SIGKILL);
    REQUIRE(first.wait(5s));
    spooled_before_kill = spooled_read_ids(spool);
  }
  REQUIRE(spooled_before_kill.size() >= 3);

  test::ChildProcess second(run_args(config, video, broker.uri(), spool, {"--fast"}),
                            (dir / "edge2.log").string());
  std::this_thread::sleep_for(3s);
  broker.start();
  // Resumes the persistent session restored from the broker's persistence file.
  Collector collector(broker.uri(), "test-collector", true);
  const auto code = second.wait(120s);
  INFO(second.log());
  REQUIRE(code == std::optional<int>(0));
  std::smatch m;
  const std::string log = second.log();
  REQUIRE(std::regex_search(log, m, std::regex(R"((\d+) reads, (\d+) acknowledged)")));
  const int second_reads = std::stoi(m[1]);
  CHECK(second_reads >= 6);

  const std::size_t expected = spooled_before_kill.size() + static_cast<std::size_t>(second_reads);
  collector.wait_until([&](Collector& c) { return c.reads().size() >= expected; }, 15s);
  std::set<std::string> received;
  for (const auto& r : collector.reads()) received.insert(r.read_id);
  for (const auto& why : collector.rejected()) {
    INFO("rejected by the decoder: " << why);
    CHECK(why.empty());
  }
  for (const auto& id : spooled_before_kill) {
    INFO("read spooled before the kill: " << id);
    CHECK(received.count(id) == 1);
  }
  CHECK(received.size() == expected);
  // Every read the restarted process made arrived too.
  const std::regex made(R"(read (\w+) conf.*?\(([0-9a-f-]{36})\))");
  for (std::sregex_iterator it(log.begin(), log.end(), made), end; it != end; ++it) {
    INFO("read made after the restart: " << (*it)[1] << " " << (*it)[2]);
    CHECK(received.count((*it)[2]) == 1);
  }
  CHECK(spooled_files(spool) == 0);
}

TEST_CASE("a full spool evicts the oldest reads and says so, the rest go out oldest first",
          "[edge][system]") {
  test::TempDir dir("anpr-edge-spool-full");
  const auto video = (dir / "traffic.avi").string();
  synth::write_traffic_video(video, test::small_traffic(8), 99);
  test::MosquittoBroker broker;
  {
    Collector setup(broker.uri(), "test-collector", true);
    setup.disconnect();
  }
  broker.stop();
  // Large overviews make each read about 200-400 kB, so a 1 MB spool holds only a few.
  const auto config =
      write_config(dir, "[spool]\nmax_mb = 1\n[images]\noverview_width = 1280\noverview_quality = 100\n");
  const auto spool = dir / "spool";
  {
    test::ChildProcess edge(run_args(config, video, broker.uri(), spool, {"--fast"}),
                            (dir / "edge1.log").string());
    REQUIRE(edge.wait(120s) == std::optional<int>(0));
    INFO(edge.log());
    CHECK(edge.log().find("evicting the oldest unsent read") != std::string::npos);
  }
  std::int64_t bytes = 0;
  for (const auto& e : fs::directory_iterator(spool)) bytes += static_cast<std::int64_t>(e.file_size());
  CHECK(bytes <= 1024 * 1024);
  const auto left = spooled_read_ids(spool);
  REQUIRE(left.size() >= 1);
  CHECK(left.size() < 8);

  broker.start();
  // No video this time (an unreachable stream): the process only sends what the spool holds.
  test::ChildProcess sender(
      run_args(config, "rtsp://127.0.0.1:" + std::to_string(test::free_loopback_port()) + "/none",
               broker.uri(), spool),
      (dir / "edge2.log").string());
  Collector collector(broker.uri(), "test-collector", true);
  CHECK(collector.wait_until([&](Collector& c) { return c.reads().size() >= left.size(); }, 20s));
  sender.signal(SIGTERM);
  CHECK(sender.wait(5s) == std::optional<int>(0));
  const auto reads = collector.reads();
  REQUIRE(reads.size() == left.size());
  for (std::size_t i = 1; i < reads.size(); ++i)
    CHECK(reads[i - 1].first_seen <= reads[i].first_seen);  // oldest first
}

TEST_CASE("an unreachable source is retried and reported in health, SIGTERM stops within 5 s",
          "[edge][system]") {
  test::TempDir dir("anpr-edge-source");
  test::MosquittoBroker broker;
  Collector collector(broker.uri(), "test-collector", false);
  test::ChildProcess edge(
      run_args(write_config(dir), "rtsp://127.0.0.1:" + std::to_string(test::free_loopback_port()) + "/cam",
               broker.uri(), dir / "spool"),
      (dir / "edge.log").string());
  const bool reported = collector.wait_until(
      [](Collector& c) {
        const auto h = c.health();
        return !h.empty() && h.back().source_state == "reconnecting";
      },
      15s);
  INFO(edge.log());
  CHECK(reported);
  CHECK(edge.running());
  const auto t0 = std::chrono::steady_clock::now();
  edge.signal(SIGTERM);
  CHECK(edge.wait(5s) == std::optional<int>(0));
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  CHECK(edge.log().find("cannot be opened") != std::string::npos);
  collector.wait_for_state(CameraState::kOffline, 3s);
  REQUIRE_FALSE(collector.statuses().empty());
  CHECK(collector.statuses().back().state == CameraState::kOffline);
}

TEST_CASE("bad config, missing video and an unusable spool folder give clear errors and exit 2",
          "[edge][system]") {
  test::TempDir dir("anpr-edge-bad");
  const std::string broker = "tcp://127.0.0.1:" + std::to_string(test::free_loopback_port());
  {
    const auto bad = (dir / "bad.toml").string();
    std::ofstream(bad) << "[tracking]\nmax_publish_delay_ms = \"soon\"\n";
    test::ChildProcess edge({kEdge, "config", "check", bad}, (dir / "check.log").string());
    CHECK(edge.wait(10s) == std::optional<int>(2));
    CHECK_THAT(edge.log(), Catch::Contains("bad.toml:2: tracking.max_publish_delay_ms: must be an integer"));
  }
  {
    test::ChildProcess edge(
        run_args(write_config(dir), (dir / "missing.mp4").string(), broker, dir / "spool"),
        (dir / "missing.log").string());
    CHECK(edge.wait(20s) == std::optional<int>(2));
    CHECK_THAT(edge.log(), Catch::Contains("missing.mp4': no such file"));
  }
  {
    std::ofstream(dir / "not-a-folder") << "x";
    test::ChildProcess edge(
        run_args(write_config(dir), (dir / "missing.mp4").string(), broker, dir / "not-a-folder"),
        (dir / "spool.log").string());
    CHECK(edge.wait(20s) == std::optional<int>(2));
    CHECK_THAT(edge.log(), Catch::Contains("spool folder"));
  }
  {
    test::ChildProcess edge({kEdge, "run", "--source", "x.mp4"}, (dir / "noid.log").string());
    CHECK(edge.wait(10s) == std::optional<int>(2));
    CHECK_THAT(edge.log(), Catch::Contains("camera.id (--camera-id): is required"));
  }
}

TEST_CASE("a damaged spool file is set aside, the good reads beside it are still sent", "[edge][system]") {
  test::TempDir dir("anpr-edge-damaged");
  const auto spool = dir / "spool";
  std::string good_id;
  {
    edge::Spool s({spool, 1 << 20});
    const ReadMessage r = test::sample_read("AB12CDE");
    good_id = r.read_id;
    s.put(camera_topic("coalville", "cam1", TopicKind::kRead), encode(r));
  }
  std::ofstream(spool / "00000000000000000000.msg")
      << "anpr-spool 1 anpr/v1/coalville/cam1/read 999 abc\n{\"trunc";
  test::MosquittoBroker broker;
  Collector collector(broker.uri(), "test-collector", false);
  test::ChildProcess edge(
      run_args(write_config(dir), "rtsp://127.0.0.1:" + std::to_string(test::free_loopback_port()) + "/x",
               broker.uri(), spool),
      (dir / "edge.log").string());
  CHECK(collector.wait_until([](Collector& c) { return !c.reads().empty(); }, 15s));
  edge.signal(SIGTERM);
  CHECK(edge.wait(5s) == std::optional<int>(0));
  INFO(edge.log());
  for (const auto& why : collector.rejected()) UNSCOPED_INFO("rejected: " << why);
  REQUIRE(collector.reads().size() == 1);
  CHECK(collector.reads().front().read_id == good_id);
  CHECK(fs::exists(spool / "00000000000000000000.msg.damaged"));
  CHECK(edge.log().find("set aside") != std::string::npos);
}

TEST_CASE("a spool file claiming a huge length does not crash-loop the camera: every good read is sent",
          "[edge][system]") {
  // Regression: a header claiming 2e9 bytes (or more than memory can hold) made the spool
  // allocate before checking, the exception ended the process, and systemd restarted it into
  // the same file: no read was ever sent again.
  test::TempDir dir("anpr-edge-huge");
  const auto spool = dir / "spool";
  std::set<std::string> good_ids;
  {
    edge::Spool s({spool, 1 << 20});
    for (const char* plate : {"AB12CDE", "CD34EFG", "EF56GHJ", "GH78JKL"}) {
      const ReadMessage r = test::sample_read(plate);
      good_ids.insert(r.read_id);
      s.put(camera_topic("coalville", "cam1", TopicKind::kRead), encode(r));
    }
  }
  // Between the good files (sequences 1-4), damaged ones whose headers claim huge payloads.
  const std::string topic = "anpr/v1/coalville/cam1/read";
  std::ofstream(spool / "00000000000000000000.msg") << "anpr-spool 1 " << topic << " 2000000000 abc\n{}";
  fs::rename(spool / "00000000000000000002.msg", spool / "00000000000000000002.keep");
  std::ofstream(spool / "00000000000000000002.msg")
      << "anpr-spool 1 " << topic << " 18446744073709551615 abc\n{}";
  fs::rename(spool / "00000000000000000002.keep", spool / "00000000000000000010.msg");
  test::MosquittoBroker broker;
  Collector collector(broker.uri(), "test-collector", false);
  const auto source = "rtsp://127.0.0.1:" + std::to_string(test::free_loopback_port()) + "/x";
  for (int start = 0; start < 2; ++start) {  // the second start is the restart after the first
    test::ChildProcess edge(run_args(write_config(dir), source, broker.uri(), spool),
                            (dir / "edge.log").string());
    if (start == 0)
      CHECK(collector.wait_until([&](Collector& c) { return c.reads().size() >= good_ids.size(); }, 20s));
    else
      std::this_thread::sleep_for(2s);
    edge.signal(SIGTERM);
    INFO(edge.log());
    CHECK(edge.wait(5s) == std::optional<int>(0));
  }
  std::set<std::string> arrived;
  for (const auto& r : collector.reads()) arrived.insert(r.read_id);
  CHECK(arrived == good_ids);
  CHECK(fs::exists(spool / "00000000000000000000.msg.damaged"));
  CHECK(fs::exists(spool / "00000000000000000002.msg.damaged"));
}

TEST_CASE("the real toll-booth clip gives one read per vehicle and nothing else, with no zone configured",
          "[edge][system][real]") {
  const fs::path clip = fs::path(ANPR_SHARED_DATA_DIR) / "video" / "vn_toll_booth_cars.mp4";
  if (!fs::exists(clip)) {
    WARN("SKIPPED: " << clip.string() << " is absent (../shared/data is not part of the repository)");
    return;
  }
  test::TempDir dir("anpr-edge-real");
  test::MosquittoBroker broker;
  Collector collector(broker.uri(), "test-collector", false);
  // No region of interest and no zone: the camera's burnt-in clock and toll tag at the top, the
  // booth's signs and the lettering on a passing lorry must be left out by the reader and the
  // tracker themselves.
  test::ChildProcess edge(run_args(write_config(dir), clip.string(), broker.uri(), dir / "spool", {"--fast"}),
                          (dir / "edge.log").string());
  const auto exit_code = edge.wait(120s * test::kSanitizerSlowdown);
  INFO(edge.log());
  REQUIRE(exit_code == std::optional<int>(0));
  collector.wait_for_state(CameraState::kOffline, 5s);
  const auto reads = collector.reads();
  for (const auto& r : reads) {
    UNSCOPED_INFO("read " << r.plate << " conf " << r.confidence << " frames " << r.frames_seen << " box "
                          << r.box.x << "," << r.box.y << " " << r.box.width << "x" << r.box.height);
  }
  // The clip (1280x720, looked at by eye): two plates come into view. The car that drives
  // through the booth shows 34A23126; the blue lorry behind it shows its plate (...C-203.39)
  // small, in the right half below the middle, when the clip ends. Anything else is a false read.
  const cv::Rect lorry_plate_area(700, 360, 260, 120);
  int car = 0, lorry = 0;
  for (const auto& r : reads) {
    const cv::Rect box(r.box.x, r.box.y, r.box.width, r.box.height);
    if (r.plate == "34A23126")
      ++car;
    else if ((box & lorry_plate_area) == box)
      ++lorry;
    else
      FAIL_CHECK("published something that is not a vehicle's plate: " << r.plate);
  }
  CHECK(car == 1);
  CHECK(lorry <= 1);
}

TEST_CASE(
    "TLS with a client certificate, credentials and MQTT 5: reads arrive, a wrong password keeps them "
    "spooled",
    "[edge][system][tls]") {
  test::TempDir dir("anpr-edge-tls");
  test::make_test_certificates(dir.path());
  const int tls_port = test::free_loopback_port();
  const std::string d = dir.path().string();
  test::MosquittoBroker broker(test::tls_listener(tls_port, dir.path()));
  Collector collector(broker.uri(), "test-collector", false);  // on the plain listener
  const auto video = (dir / "traffic.avi").string();
  synth::write_traffic_video(video, test::small_traffic(3), 5);
  const std::string tls = "ssl://127.0.0.1:" + std::to_string(tls_port);
  auto config = [&](const std::string& password) {
    return write_config(dir, "version = 5\nusername = \"cam1\"\npassword = \"" + password +
                                 "\"\nca_file = \"" + d + "/ca.pem\"\ncert_file = \"" + d +
                                 "/client.pem\"\nkey_file = \"" + d + "/client.key\"\n");
  };

  {  // the wrong password: refused, nothing lost
    test::ChildProcess edge(run_args(config("wrong"), video, tls, dir / "spool", {"--fast"}),
                            (dir / "wrong.log").string());
    const auto code = edge.wait(120s);
    INFO(edge.log());
    INFO("exit code " << code.value_or(-1));
    REQUIRE(code == std::optional<int>(0));
    CHECK(edge.log().find("cannot connect") != std::string::npos);
    CHECK(collector.reads().empty());
    CHECK(spooled_files(dir / "spool") >= 2);
  }
  const std::size_t spooled = spooled_files(dir / "spool");
  test::ChildProcess edge(run_args(config("correct horse"), video, tls, dir / "spool", {"--fast"}),
                          (dir / "right.log").string());
  const auto code = edge.wait(120s);
  INFO(edge.log());
  REQUIRE(code == std::optional<int>(0));
  CHECK(edge.log().find("mqtt: connected to ssl://") != std::string::npos);
  CHECK(collector.wait_until([&](Collector& c) { return c.reads().size() >= 2 * spooled; }, 10s));
  CHECK(spooled_files(dir / "spool") == 0);
}

TEST_CASE("killed with SIGKILL, the camera shows offline through its Last Will", "[edge][system]") {
  test::TempDir dir("anpr-edge-lwt");
  test::MosquittoBroker broker;
  Collector collector(broker.uri(), "test-collector", false);
  test::ChildProcess edge(run_args(write_config(dir, "keep_alive_s = 5\n"),
                                   "rtsp://127.0.0.1:" + std::to_string(test::free_loopback_port()) + "/cam",
                                   broker.uri(), dir / "spool"),
                          (dir / "edge.log").string());
  REQUIRE(collector.wait_for_state(CameraState::kOnline, 15s));
  edge.signal(SIGKILL);
  REQUIRE(edge.wait(5s));
  // The broker sends the Will after 1.5 keep-alive periods without a packet.
  CHECK(collector.wait_until([](Collector& c) { return c.statuses().back().state == CameraState::kOffline; },
                             15s));
}

TEST_CASE("under systemd the firmware says READY and pets the watchdog", "[edge][system]") {
  test::TempDir dir("anpr-edge-notify");
  const fs::path socket_path = dir / "notify.sock";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  timeval timeout{0, 200000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

  ::setenv("NOTIFY_SOCKET", socket_path.c_str(), 1);
  ::setenv("WATCHDOG_USEC", "1500000", 1);  // the child inherits these
  test::ChildProcess edge(
      run_args(write_config(dir), "rtsp://127.0.0.1:" + std::to_string(test::free_loopback_port()) + "/cam",
               "tcp://127.0.0.1:" + std::to_string(test::free_loopback_port()), dir / "spool"),
      (dir / "edge.log").string());
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  std::vector<std::string> messages;
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < until &&
         std::count(messages.begin(), messages.end(), "WATCHDOG=1") < 2) {
    char buffer[256];
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n > 0) messages.emplace_back(buffer, static_cast<std::size_t>(n));
  }
  edge.signal(SIGTERM);
  CHECK(edge.wait(5s) == std::optional<int>(0));
  char buffer[256];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;)
    messages.emplace_back(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  CHECK(std::find(messages.begin(), messages.end(), "READY=1") != messages.end());
  CHECK(std::count(messages.begin(), messages.end(), "WATCHDOG=1") >= 2);
  CHECK(std::find(messages.begin(), messages.end(), "STOPPING=1") != messages.end());
}

TEST_CASE("a looping file plays again at its end until stopped", "[edge][system]") {
  test::TempDir dir("anpr-edge-loop");
  const auto video = (dir / "traffic.avi").string();
  synth::write_traffic_video(video, test::small_traffic(1), 3);  // 3.4 s, 85 frames
  test::ChildProcess edge(
      run_args(write_config(dir), video, "tcp://127.0.0.1:" + std::to_string(test::free_loopback_port()),
               dir / "spool", {"--loop"}),
      (dir / "edge.log").string());
  std::this_thread::sleep_for(8s);
  CHECK(edge.running());
  edge.signal(SIGTERM);
  REQUIRE(edge.wait(5s) == std::optional<int>(0));
  INFO(edge.log());
  std::smatch m;
  const std::string log = edge.log();
  REQUIRE(std::regex_search(log, m, std::regex(R"((\d+) frames captured)")));
  CHECK(std::stoi(m[1]) > 85);                         // more than the file holds: it looped
  CHECK(spooled_read_ids(dir / "spool").size() >= 2);  // the vehicle passed again: another read
}

TEST_CASE("a GStreamer pipeline is a source, and its end is a loss that is retried",
          "[edge][system][sources]") {
  test::TempDir dir("anpr-edge-gst");
  test::ChildProcess edge(
      run_args(write_config(dir),
               "gst:videotestsrc num-buffers=30 ! video/x-raw,width=640,height=480,framerate=25/1 ! "
               "videoconvert ! appsink",
               "tcp://127.0.0.1:" + std::to_string(test::free_loopback_port()), dir / "spool"),
      (dir / "edge.log").string());
  const auto until = std::chrono::steady_clock::now() + 20s * test::kSanitizerSlowdown;
  while (std::chrono::steady_clock::now() < until &&
         edge.log().find("reconnecting in") == std::string::npos) {
    std::this_thread::sleep_for(100ms);
  }
  edge.signal(SIGTERM);
  CHECK(edge.wait(5s * test::kSanitizerSlowdown) == std::optional<int>(0));
  INFO(edge.log());
  CHECK(edge.log().find("open (640x480 at 25.0 fps)") != std::string::npos);
  CHECK(edge.log().find("lost after 30 frames") != std::string::npos);
}

/// Waits until a child's log holds `text`.
bool wait_for_log(const test::ChildProcess& child, const std::string& text,
                  std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (child.log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

TEST_CASE(
    "an RTSP camera is a source: its vehicles are read, and a camera outage is reported and reconnected",
    "[edge][system][sources]") {
  test::TempDir dir("anpr-edge-rtsp");
  const auto video = (dir / "traffic.avi").string();
  const auto passes = synth::write_traffic_video(video, test::small_traffic(3), 11);
  const int port = test::free_loopback_port();
  // A real RTSP server (GStreamer's) streaming the video as RTP/JPEG in real time.
  const std::vector<std::string> camera = {"/usr/bin/python3",
                                           ANPR_SOURCE_DIR "/tests/support/rtsp_server.py",
                                           std::to_string(port), "/cam", video};
  auto server = std::make_unique<test::ChildProcess>(camera, (dir / "rtsp1.log").string());
  REQUIRE(wait_for_log(*server, "serving", 10s));
  test::MosquittoBroker broker;
  Collector collector(broker.uri(), "test-collector", false);
  test::ChildProcess edge(
      run_args(write_config(dir, "[source]\nreconnect_min_s = 0.5\nreconnect_max_s = 1\n"),
               "rtsp://127.0.0.1:" + std::to_string(port) + "/cam", broker.uri(), dir / "spool"),
      (dir / "edge.log").string());
  collector.wait_until([&](Collector& c) { return c.reads().size() >= passes.size(); }, 60s);
  {
    INFO(edge.log());
    const auto reads = collector.reads();
    REQUIRE(reads.size() >= passes.size());
    for (std::size_t i = 0; i < passes.size(); ++i) CHECK(reads[i].plate == passes[i].text);
  }

  // The camera goes away: health says the source is reconnecting, and the run goes on.
  server.reset();
  CHECK(collector.wait_until(
      [](Collector& c) {
        const auto h = c.health();
        return !h.empty() && h.back().source_state == "reconnecting";
      },
      20s));
  CHECK(edge.running());
  // It comes back: the stream is opened again and its vehicles are read again.
  const auto before = collector.reads().size();
  server = std::make_unique<test::ChildProcess>(camera, (dir / "rtsp2.log").string());
  REQUIRE(wait_for_log(*server, "serving", 10s));
  CHECK(collector.wait_until([&](Collector& c) { return c.reads().size() >= before + passes.size(); }, 60s));
  CHECK(collector.wait_until(
      [](Collector& c) {
        const auto h = c.health();
        return !h.empty() && h.back().source_state == "ok" && h.back().reconnects >= 1;
      },
      10s));
  edge.signal(SIGTERM);
  CHECK(edge.wait(5s) == std::optional<int>(0));
  INFO(edge.log());
  CHECK(collector.rejected().empty());
}

TEST_CASE("an HTTP stream is a source: the vehicles in it are read", "[edge][system][sources]") {
  test::TempDir dir("anpr-edge-http");
  const auto passes = synth::write_traffic_video((dir / "traffic.avi").string(), test::small_traffic(3), 11);
  const int port = test::free_loopback_port();
  test::ChildProcess server({"/usr/bin/python3", "-m", "http.server", std::to_string(port), "--bind",
                             "127.0.0.1", "--directory", dir.path().string()},
                            (dir / "http.log").string());
  std::this_thread::sleep_for(1s);
  test::MosquittoBroker broker;
  Collector collector(broker.uri(), "test-collector", false);
  test::ChildProcess edge(
      run_args(write_config(dir), "http://127.0.0.1:" + std::to_string(port) + "/traffic.avi", broker.uri(),
               dir / "spool"),
      (dir / "edge.log").string());
  // A stream that ends is reconnected (and here plays again): stop once the first pass of it is read.
  collector.wait_until([&](Collector& c) { return c.reads().size() >= passes.size(); }, 60s);
  edge.signal(SIGTERM);
  CHECK(edge.wait(5s) == std::optional<int>(0));
  INFO(edge.log());
  const auto reads = collector.reads();
  REQUIRE(reads.size() >= passes.size());
  for (std::size_t i = 0; i < passes.size(); ++i) CHECK(reads[i].plate == passes[i].text);
}

TEST_CASE("a looped video file is opened again at its end, so a new video moved into its place plays next",
          "[edge][system][loop]") {
  // What the demo's cameras rely on to keep producing new traffic without a restart (a restart
  // would show each camera offline between videos). Replaying a file is not a lost source.
  test::TempDir dir("anpr-edge-loop-next");
  const auto video = (dir / "traffic.avi").string();
  synth::TrafficSettings first = test::small_traffic(2);
  first.plates = {"AB12CDE", "FT60KLM"};
  synth::write_traffic_video(video, first, 1);
  synth::TrafficSettings next = test::small_traffic(2);
  next.plates = {"XY65ZZT", "GH19PRS"};
  const auto next_video = (dir / "next.avi").string();
  synth::write_traffic_video(next_video, next, 2);
  test::MosquittoBroker broker;
  Collector collector(broker.uri(), "test-collector", false);
  test::ChildProcess edge(run_args(write_config(dir), video, broker.uri(), dir / "spool", {"--loop"}),
                          (dir / "edge.log").string());
  const auto has = [](Collector& c, const std::string& plate) {
    const auto reads = c.reads();
    return std::any_of(reads.begin(), reads.end(), [&](const ReadMessage& r) { return r.plate == plate; });
  };
  const auto slow = std::chrono::seconds(60 * test::kSanitizerSlowdown);
  REQUIRE(collector.wait_until([&](Collector& c) { return has(c, "AB12CDE") || has(c, "FT60KLM"); }, slow));
  fs::rename(next_video, video);  // the file's old contents stay open until its end
  CHECK(collector.wait_until([&](Collector& c) { return has(c, "XY65ZZT") && has(c, "GH19PRS"); }, slow));
  INFO(edge.log());
  CHECK(edge.running());
  CHECK(collector.wait_until([](Collector& c) { return !c.health().empty(); }, 5s));
  CHECK(collector.health().back().reconnects == 0);
  edge.signal(SIGTERM);
  CHECK(edge.wait(10s) == std::optional<int>(0));
}
