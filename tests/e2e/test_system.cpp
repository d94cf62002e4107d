// The whole system together, every part a real process: mosquitto, anpr-receiver serve (SQLite,
// web API) and anpr-edge run cameras playing generated UK traffic, with faults injected while
// reads flow: the broker restarted, the receiver and a camera killed with SIGKILL and restarted,
// and a receiver stopped while its database refuses writes.

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include "../support/child_process.hpp"
#include "../support/http_client.hpp"
#include "../support/mosquitto_broker.hpp"
#include "../support/small_traffic.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/watchlist/watchlist_service.hpp"
#include "anpr/receiver/web/auth.hpp"
#include "anpr/synth/traffic_video.hpp"

using namespace anpr;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kEdge = std::string(ANPR_BIN_DIR) + "/anpr-edge";
const std::string kReceiver = std::string(ANPR_BIN_DIR) + "/anpr-receiver";
constexpr const char* kPassword = "correct-horse-battery";

template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds within) {
  const auto until = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

/// The control room: its database, an admin user, a watchlist, and `anpr-receiver serve`
/// (restartable) with the web API on a free port.
class ControlRoom {
 public:
  ControlRoom(const test::TempDir& dir, const test::MosquittoBroker& broker,
              const std::vector<std::string>& listed)
      : dir_(dir),
        broker_(broker),
        database_((dir / "anpr.db").string()),
        web_port_(test::free_loopback_port()) {
    auto store = receiver::open_store(database_);
    receiver::add_user(*store, "alice", receiver::Role::kAdmin, kPassword, {"e2e", "", now_ms()});
    std::string csv = "plate,reason\n";
    for (const auto& plate : listed) csv += plate + ",stolen in a burglary\n";
    const auto imported =
        receiver::import_watchlist(*store, {"Stolen vehicles", "stolen-vehicle", 0, "#d00000", "Stop"}, csv,
                                   "e2e", {"e2e", "e2e", 0, now_ms()});
    REQUIRE(imported.errors.empty());
    start();
  }

  void start() {
    ++starts_;
    process_ = std::make_unique<test::ChildProcess>(
        std::vector<std::string>{kReceiver, "serve", "--broker", broker_.uri(), "--database", database_,
                                 "--data-dir", (dir_ / "data").string(), "--http",
                                 "127.0.0.1:" + std::to_string(web_port_), "--client-id", "e2e-receiver"},
        (dir_ / ("receiver-" + std::to_string(starts_) + ".log")).string());
    REQUIRE(eventually([&] { return process_->log().find("ingesting from") != std::string::npos; }, 60s));
  }
  void kill() {
    process_->signal(SIGKILL);
    REQUIRE(process_->wait(5s));
  }
  void stop() {
    process_->signal(SIGTERM);
    CHECK(process_->wait(10s) == std::optional<int>(0));
  }

  /// Stored reads: read id -> (camera, plate).
  std::map<std::string, std::pair<std::string, std::string>> reads() const {
    auto store = receiver::open_store(database_);
    std::map<std::string, std::pair<std::string, std::string>> out;
    for (const auto& s : store->reads("", 0, now_ms() + 86400000, 100000))
      out[s.read_id] = {s.camera_id, s.plate};
    return out;
  }

  test::HttpClient web() const {
    test::HttpClient c(static_cast<unsigned short>(web_port_));
    REQUIRE(c.login("alice", kPassword).status == 200);
    return c;
  }

 private:
  const test::TempDir& dir_;
  const test::MosquittoBroker& broker_;
  std::string database_;
  int web_port_;
  int starts_ = 0;
  std::unique_ptr<test::ChildProcess> process_;
};

/// A camera unit: `anpr-edge run` on a video, with its own spool.
class Camera {
 public:
  Camera(const test::TempDir& dir, std::string id, const std::string& broker, std::string extra_config = "")
      : dir_(dir), id_(std::move(id)), broker_(broker) {
    config_ = (dir / (id_ + ".toml")).string();
    std::ofstream(config_) << "[mqtt]\nhealth_interval_s = 1\nreconnect_max_s = 2\n" << extra_config;
  }
  void play(const std::string& video, std::vector<std::string> more = {}) {
    ++runs_;
    std::vector<std::string> args{kEdge,         "run",
                                  "--config",    config_,
                                  "--source",    video,
                                  "--broker",    broker_,
                                  "--camera-id", id_,
                                  "--site-id",   "coalville",
                                  "--spool-dir", (dir_ / ("spool-" + id_)).string()};
    args.insert(args.end(), more.begin(), more.end());
    process_ = std::make_unique<test::ChildProcess>(
        args, (dir_ / (id_ + "-" + std::to_string(runs_) + ".log")).string());
  }
  test::ChildProcess& process() { return *process_; }
  /// Read ids this camera's runs logged as spooled, so on disk ("read PLATE conf ... (ID)").
  std::set<std::string> logged_read_ids() const {
    std::set<std::string> ids;
    const std::regex made(R"(read (\w+) conf.*?\(([0-9a-f-]{36})\))");
    for (int run = 1; run <= runs_; ++run) {
      std::ifstream in(dir_ / (id_ + "-" + std::to_string(run) + ".log"));
      const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (std::sregex_iterator it(log.begin(), log.end(), made), end; it != end; ++it) ids.insert((*it)[2]);
    }
    return ids;
  }
  [[nodiscard]] const std::string& id() const { return id_; }

 private:
  const test::TempDir& dir_;
  std::string id_, broker_, config_;
  int runs_ = 0;
  std::unique_ptr<test::ChildProcess> process_;
};

}  // namespace

TEST_CASE(
    "every pass read once across the system, hits on the web API, through broker, receiver and camera kills",
    "[e2e]") {
  test::TempDir dir("anpr-e2e");
  // Camera 1 plays one video, is killed mid-way and restarted on new traffic (a live camera does
  // not see the same cars again); camera 2 plays one video throughout.
  const auto video_1a = (dir / "cam1-a.avi").string(), video_1b = (dir / "cam1-b.avi").string(),
             video_2 = (dir / "cam2.avi").string();
  synth::write_traffic_video(video_1a, test::small_traffic(6),
                             501);  // killed part-way: its reads are checked by id
  const auto passes_1b = synth::write_traffic_video(video_1b, test::small_traffic(6), 502);
  const auto passes_2 = synth::write_traffic_video(video_2, test::small_traffic(10), 503);
  const std::vector<std::string> listed = {passes_1b[2].text, passes_2[4].text};

  test::MosquittoBroker broker;
  ControlRoom room(dir, broker, listed);
  Camera cam1(dir, "cam1", broker.uri()), cam2(dir, "cam2", broker.uri());
  cam1.play(video_1a);
  cam2.play(video_2);

  // Fault 1: the broker goes away for 3 s once reads flow, and comes back.
  REQUIRE(eventually([&] { return room.reads().size() >= 2; }, 60s));
  broker.stop();
  std::this_thread::sleep_for(3s);
  broker.start();
  // Fault 2: camera 1 is killed with reads in hand; its spool keeps them. It restarts on new traffic.
  REQUIRE(eventually([&] { return cam1.logged_read_ids().size() >= 3; }, 60s));
  cam1.process().signal(SIGKILL);
  REQUIRE(cam1.process().wait(5s));
  const auto cam1_made_before_kill = cam1.logged_read_ids();
  // Fault 3: the receiver is killed with SIGKILL while camera 2 keeps publishing, and restarted.
  room.kill();
  std::this_thread::sleep_for(2s);
  room.start();
  cam1.play(video_1b);

  INFO(cam1.process().log());
  REQUIRE(cam1.process().wait(180s) == std::optional<int>(0));
  REQUIRE(cam2.process().wait(180s) == std::optional<int>(0));

  // No read lost: every read a camera made (logged) is stored, and nothing else is.
  std::set<std::string> made = cam2.logged_read_ids();
  for (const auto& id : cam1.logged_read_ids()) made.insert(id);
  REQUIRE(eventually([&] { return room.reads().size() >= made.size(); }, 30s));
  const auto stored = room.reads();
  for (const auto& id : made) {
    INFO("read made by a camera: " << id);
    CHECK(stored.count(id) == 1);
  }
  CHECK(stored.size() == made.size());  // stored once each, no stray rows
  CHECK(cam1_made_before_kill.size() >= 3);

  // Every pass of the videos that played to their end read exactly once, right (camera 1: the
  // video after its restart, so not the reads made before the kill).
  auto check_passes = [&](const std::vector<synth::VehiclePass>& passes, const std::string& camera,
                          const std::set<std::string>& leave_out) {
    std::map<std::string, int> reads_of;
    for (const auto& [id, read] : stored) {
      if (read.first == camera && !leave_out.count(id)) ++reads_of[read.second];
    }
    int right = 0;
    for (const auto& p : passes) {
      INFO(camera << " pass " << p.text);
      CHECK(reads_of[p.text] <= 1);  // never two reads of one pass
      right += reads_of[p.text] == 1;
    }
    INFO(camera << ": " << right << " of " << passes.size() << " passes read right");
    CHECK(right >= 0.95 * static_cast<double>(passes.size()));
  };
  check_passes(passes_2, "cam2", {});
  check_passes(passes_1b, "cam1", cam1_made_before_kill);

  // Every listed plate that drove past raised a hit, and the web API shows it.
  auto web = room.web();
  const auto hits = json::parse(web.get("/api/hits").body)["hits"];
  std::set<std::string> hit_plates;
  for (const auto& h : hits) hit_plates.insert(h["plate"].get<std::string>());
  for (const auto& plate : listed) {
    INFO("listed plate " << plate);
    CHECK(hit_plates.count(plate) == 1);
  }
  room.stop();
}

TEST_CASE(
    "a camera that dies shows offline within its keep-alive, raised as a fault and cleared when it is back",
    "[e2e]") {
  test::TempDir dir("anpr-e2e-offline");
  const auto video = (dir / "cam.avi").string();
  synth::write_traffic_video(video, test::small_traffic(2), 601);
  test::MosquittoBroker broker;
  ControlRoom room(dir, broker, {});
  Camera cam(dir, "cam-offline", broker.uri(), "keep_alive_s = 5\n");
  cam.play(video, {"--loop"});
  auto web = room.web();
  auto state = [&] {
    const auto answer =
        json::parse(web.get("/api/cameras").body);  // kept: a loop over a temporary's part dangles
    for (const auto& c : answer["cameras"]) {
      if (c["camera_id"] == "cam-offline") return c["state"].get<std::string>();
    }
    return std::string("unknown");
  };
  if (!eventually([&] { return state() == "online"; }, 30s)) {
    FAIL("the camera never showed online: " << web.get("/api/cameras").body << "\n" << cam.process().log());
  }
  cam.process().signal(SIGKILL);
  REQUIRE(cam.process().wait(5s));
  const auto killed = std::chrono::steady_clock::now();
  // The broker publishes the Last Will after 1.5 keep-alives without a packet (7.5 s here).
  CHECK(eventually([&] { return state() == "offline"; }, 15s));
  INFO("offline shown after " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - killed)
                                     .count()
                              << " ms");
  CHECK(std::chrono::steady_clock::now() - killed < 15s);

  // The same outage is a camera fault in the live feed's list; the camera's return clears it.
  auto offline_fault = [&] {
    const auto answer = json::parse(web.get("/api/faults").body);
    for (const auto& f : answer["faults"]) {
      if (f["camera_id"] == "cam-offline" && f["kind"] == "offline") return f;
    }
    return json();
  };
  if (!eventually([&] { return !offline_fault().is_null(); }, 10s)) {
    FAIL("no offline fault raised: " << web.get("/api/faults").body);
  }
  CHECK(offline_fault()["cleared_at"].is_null());
  CHECK(offline_fault()["state"] == "new");
  cam.play(video, {"--loop"});
  CHECK(eventually([&] { return offline_fault()["cleared_at"].is_string(); }, 30s));
  INFO(web.get("/api/faults").body);
  CHECK(state() == "online");
  // Acknowledged like a hit, and audited.
  const std::string id = offline_fault()["fault_id"];
  CHECK(web.post("/api/faults/" + id + "/acknowledge", R"({"note":"power cut at the site"})").status == 200);
  CHECK(offline_fault().is_null());  // settled: no longer in the list that needs someone
  CHECK(web.get("/api/audit").body.find("fault-acknowledge") != std::string::npos);
  room.stop();
}

TEST_CASE(
    "a receiver stopped while its database refuses a read leaves the read with the broker, the next one "
    "stores it",
    "[e2e]") {
  test::TempDir dir("anpr-e2e-stop-store-down");
  test::MosquittoBroker broker;
  const std::string database = (dir / "anpr.db").string();
  const std::vector<std::string> serve{kReceiver, "serve",       "--broker", broker.uri(), "--database",
                                       database,  "--client-id", "e2e-stop", "--http",     "off"};
  test::ChildProcess first(serve, (dir / "receiver-1.log").string());
  REQUIRE(eventually([&] { return first.log().find("ingesting from") != std::string::npos; }, 60s));
  // The database refuses every write: another connection holds it locked.
  sqlite3* lock = nullptr;
  REQUIRE(sqlite3_open(database.c_str(), &lock) == SQLITE_OK);
  REQUIRE(sqlite3_exec(lock, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
  test::ChildProcess loadgen({kReceiver, "loadgen", "--broker", broker.uri(), "--cameras", "1", "--count",
                              "1", "--rate", "1", "--hit-wait", "0"},
                             (dir / "loadgen.log").string());
  REQUIRE(loadgen.wait(20s) == std::optional<int>(0));
  REQUIRE(
      eventually([&] { return first.log().find("could not store a message") != std::string::npos; }, 20s));
  first.signal(SIGTERM);
  // It retries for a grace period, then stops without acknowledging, saying so (75: try again).
  CHECK(first.wait(30s) == std::optional<int>(75));
  CHECK(first.log().find("it stays with the broker") != std::string::npos);
  sqlite3_exec(lock, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(lock);
  test::ChildProcess second(serve, (dir / "receiver-2.log").string());
  const auto stored = [&] { return receiver::open_store(database)->read_count(); };
  CHECK(eventually([&] { return stored() == 1; }, 60s));  // the start included
  second.signal(SIGTERM);
  CHECK(second.wait(10s) == std::optional<int>(0));
}
