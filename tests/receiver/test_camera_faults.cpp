// Camera faults: the monitor's rules on their own, then against a real SQLite store - offline,
// a growing spool, a busy camera gone quiet - each raised once and cleared on recovery.
#include <catch2/catch.hpp>

#include <filesystem>

#include <sqlite3.h>

#include "../support/sample_messages.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/receiver/cameras/camera_faults.hpp"
#include "anpr/receiver/live_events.hpp"
#include "anpr/receiver/store/store.hpp"

using namespace anpr;
using namespace anpr::receiver;

namespace {

constexpr TimestampMs kHour = 3600000;
// A fixed receiver clock: ten minutes into an hour, so the looks below stay in that hour.
constexpr TimestampMs kStart = 1795590000000 / kHour * kHour + 10 * 60000;

HealthMessage health(TimestampMs at, std::int64_t spool = 0) {
  HealthMessage h;
  h.camera_id = "cam1";
  h.site_id = "ashby";
  h.at = at;
  h.spool_depth = spool;
  return h;
}

struct Room {
  test::TempDir dir{"anpr-faults"};
  std::unique_ptr<Store> store = open_store((dir / "anpr.db").string());
  /// cam1 online, with 60 reads in this hour of each of the last 7 days.
  void online_with_a_busy_week() {
    store->set_camera_status({"cam1", "ashby", CameraState::kOnline, 1000, "0.1.0"});
    for (int day = 1; day <= 7; ++day) {
      for (int i = 0; i < 60; ++i) {
        store->insert_read(test::sample_read("AB12CDE", "cam1", kStart - day * 24 * kHour + i * 1000), 0,
                           false, "", "");
      }
    }
  }
  std::vector<CameraFault> open(const std::string& kind) {
    std::vector<CameraFault> out;
    for (auto& f : store->faults(0, true, 100)) {
      if (f.kind == kind && f.cleared_at == 0) out.push_back(f);
    }
    return out;
  }
};

}  // namespace

TEST_CASE("fault rules: a growing spool needs every report to grow, from the minimum up", "[faults]") {
  FaultSettings s;
  CameraFaultMonitor::Track t;
  t.spool = {5, 10, 20, 30};
  CHECK(CameraFaultMonitor::spool_growing(t, s).faulty());
  t.spool = {5, 10, 9, 30};
  CHECK_FALSE(CameraFaultMonitor::spool_growing(t, s).faulty());
  t.spool = {1, 2, 3, 4};  // growing, but a handful of reads in flight is no fault
  CHECK_FALSE(CameraFaultMonitor::spool_growing(t, s).faulty());
  t.spool = {30, 30, 30, 30};  // steady: not growing
  CHECK_FALSE(CameraFaultMonitor::spool_growing(t, s).faulty());
  t.spool = {10, 20, 30};  // too few reports to say
  CHECK_FALSE(CameraFaultMonitor::spool_growing(t, s).faulty());
}

HourlyRates rates(double per_hour) {
  HourlyRates r;
  r.fill(per_hour);
  return r;
}

TEST_CASE("fault rules: quiet is a fault only where reads are expected", "[faults]") {
  FaultSettings s;
  CameraFaultMonitor::Track t;
  t.started = t.read_seen = kStart;
  const TimestampMs later = kStart + 30 * 60000;
  CHECK_FALSE(
      CameraFaultMonitor::no_reads(t, std::nullopt, s, later).faulty());  // no history: nothing to expect
  CHECK_FALSE(CameraFaultMonitor::no_reads(t, rates(20.0), s, later).faulty());  // 10 expected: can happen
  const auto busy = CameraFaultMonitor::no_reads(t, rates(100.0), s, later);     // 50 expected
  CHECK(busy.faulty());
  CHECK(busy.detail.find("30 min") != std::string::npos);
  // However busy, a couple of minutes without a read is a gap in traffic.
  CHECK_FALSE(CameraFaultMonitor::no_reads(t, rates(5000.0), s, kStart + 120000).faulty());
  // Nothing seen since the monitor started: neither faulty nor recovered.
  CHECK(CameraFaultMonitor::no_reads(t, rates(1.0), s, later).kind == FaultVerdict::Kind::kUnknown);
}

TEST_CASE("fault rules: the reads expected add up hour by hour, quiet nights included", "[faults]") {
  FaultSettings s;
  HourlyRates usual{};
  for (int h = 6; h < 22; ++h) usual[static_cast<std::size_t>(h)] = 30.0;  // 30 an hour by day, none at night
  CameraFaultMonitor::Track t;
  const TimestampMs day = kStart / (24 * kHour) * (24 * kHour);
  t.started = t.read_seen = day + 2 * kHour;  // the last read at 02:00
  // At 06:00 nothing was expected yet: the night was quiet as usual.
  CHECK_FALSE(CameraFaultMonitor::no_reads(t, usual, s, day + 6 * kHour).faulty());
  CHECK_FALSE(
      CameraFaultMonitor::no_reads(t, usual, s, day + 6 * kHour + 30 * 60000).faulty());    // 15 expected
  CHECK(CameraFaultMonitor::no_reads(t, usual, s, day + 6 * kHour + 41 * 60000).faulty());  // 20.5 expected
}

TEST_CASE("fault rules: a spool stuck high is still a fault, small or draining is recovered", "[faults]") {
  FaultSettings s;
  CameraFaultMonitor::Track t;
  t.spool = {500, 500, 500, 500};  // full: no longer growing, reads still not getting through
  CHECK(CameraFaultMonitor::spool_growing(t, s).kind == FaultVerdict::Kind::kUnknown);
  t.spool = {500, 500, 500, 480};
  CHECK(CameraFaultMonitor::spool_growing(t, s).healthy());
  t.spool = {3};
  CHECK(CameraFaultMonitor::spool_growing(t, s).healthy());
}

TEST_CASE("a camera whose connection ends raises an offline fault, cleared when it is back", "[faults]") {
  Room room;
  CameraFaultMonitor monitor(*room.store, {});
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOnline, kStart - 5000, "0.1.0"});
  CHECK(monitor.check(kStart).empty());
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOffline, kStart + 1000, "0.1.0"});
  const auto raised = monitor.check(kStart + 2000);
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].kind == kFaultOffline);
  CHECK(raised[0].detail.find("connection ended") != std::string::npos);
  CHECK(monitor.check(kStart + 4000).empty());  // raised once, not on every look
  REQUIRE(room.open(kFaultOffline).size() == 1);
  CHECK(room.open(kFaultOffline)[0].state == "new");

  room.store->set_camera_status({"cam1", "ashby", CameraState::kOnline, kStart + 9000, "0.1.0"});
  const auto cleared = monitor.check(kStart + 10000);
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].cleared_at == kStart + 10000);
  CHECK(room.open(kFaultOffline).empty());
  // Cleared but not yet acknowledged: it still needs someone, until acknowledged.
  const auto pending = room.store->faults(0, true, 10);
  REQUIRE(pending.size() == 1);
  CHECK(room.store->acknowledge_fault(pending[0].fault_id, "alice", "engineer on site", kStart + 11000));
  CHECK_FALSE(room.store->acknowledge_fault(pending[0].fault_id, "bob", "", kStart + 12000));
  CHECK(room.store->faults(0, true, 10).empty());
  const auto all = room.store->faults(0, false, 10);
  REQUIRE(all.size() == 1);
  CHECK(all[0].acknowledged_by == "alice");
  CHECK(all[0].note == "engineer on site");
}

TEST_CASE("a camera silent for three of its health intervals is offline, on the receiver's clock",
          "[faults]") {
  Room room;
  CameraFaultMonitor monitor(*room.store, {});
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOnline, 1000, "0.1.0"});
  // Its clock is a day behind: only the intervals between its reports count, not their stamps.
  const TimestampMs behind = kStart - 24 * kHour;
  room.store->set_camera_health(health(behind));
  CHECK(monitor.check(kStart).empty());
  room.store->set_camera_health(health(behind + 5000));
  CHECK(monitor.check(kStart + 5000).empty());
  room.store->set_camera_health(health(behind + 10000));
  CHECK(monitor.check(kStart + 10000).empty());
  CHECK(monitor.check(kStart + 24000).empty());  // 14 s: under 15 s
  const auto raised = monitor.check(kStart + 27000);
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].detail.find("no status, health report or read for 17 s") != std::string::npos);
  room.store->set_camera_health(health(behind + 40000));
  const auto cleared = monitor.check(kStart + 40000);
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].kind == kFaultOffline);
}

TEST_CASE("a spool that keeps growing raises a fault, cleared when it drains", "[faults]") {
  Room room;
  CameraFaultMonitor monitor(*room.store, {});
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOnline, 1000, "0.1.0"});
  TimestampMs now = kStart;
  std::vector<CameraFault> changed;
  for (const std::int64_t depth : {0, 8, 19, 33, 50}) {
    room.store->set_camera_health(health(now, depth));
    changed = monitor.check(now);
    if (!changed.empty()) break;
    now += 5000;
  }
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].kind == kFaultSpoolGrowing);
  CHECK(changed[0].detail.find("from 0 to 33") != std::string::npos);  // four reports, each up on the last
  room.store->set_camera_health(health(now + 5000, 60));
  CHECK(monitor.check(now + 5000).empty());
  room.store->set_camera_health(health(now + 10000, 12));
  const auto cleared = monitor.check(now + 10000);
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].kind == kFaultSpoolGrowing);
}

TEST_CASE("a busy camera gone quiet raises a no-reads fault, cleared by its next read", "[faults]") {
  Room room;
  room.online_with_a_busy_week();
  CameraFaultMonitor monitor(*room.store, {});
  auto keep_in_touch = [&](TimestampMs now) { room.store->set_camera_health(health(now)); };
  keep_in_touch(kStart);
  CHECK(monitor.check(kStart).empty());
  for (TimestampMs t = kStart + 10000; t <= kStart + 19 * 60000; t += 10000) {  // 19 min, 19 expected
    keep_in_touch(t);
    REQUIRE(monitor.check(t).empty());
  }
  keep_in_touch(kStart + 21 * 60000);
  const auto raised = monitor.check(kStart + 21 * 60000);
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].kind == kFaultNoReads);
  CHECK(raised[0].detail.find("it usually reads 60 an hour") != std::string::npos);
  room.store->insert_read(test::sample_read("XY12ZZZ", "cam1", kStart + 22 * 60000), 0, false, "", "");
  keep_in_touch(kStart + 22 * 60000);
  const auto cleared = monitor.check(kStart + 22 * 60000);
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].kind == kFaultNoReads);
}

TEST_CASE("two receivers watching one database raise a fault once", "[faults]") {
  Room room;
  auto other = open_store((room.dir / "anpr.db").string());
  CameraFaultMonitor first(*room.store, {}), second(*other, {});
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOffline, 1000, "0.1.0"});
  CHECK(first.check(kStart).size() == 1);
  CHECK(second.check(kStart + 1).empty());
  CHECK(room.store->faults(0, false, 10).size() == 1);
}

TEST_CASE("a camera registered but never heard from raises nothing", "[faults]") {
  Room room;
  CameraInfo c;
  c.camera_id = "cam9";
  c.site_id = "ashby";
  c.registered = true;
  room.store->upsert_camera(c);
  CameraFaultMonitor monitor(*room.store, {});
  CHECK(monitor.check(kStart).empty());
  CHECK(monitor.check(kStart + 24 * kHour).empty());
}

TEST_CASE("a receiver that restarts keeps the faults it cannot judge yet open, and clears them on contact",
          "[faults]") {
  Room room;
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOnline, 1000, "0.1.0"});
  room.store->set_camera_health(health(kStart - 60000));
  {
    CameraFaultMonitor before(*room.store, {});
    CHECK(before.check(kStart).empty());
    REQUIRE(before.check(kStart + 100000).size() == 1);  // silent for 100 s: offline
  }
  // A new receiver (or a second one) starts: it has seen nothing change, so it cannot say the
  // camera is back, and it raises nothing again either.
  CameraFaultMonitor after(*room.store, {});
  CHECK(after.check(kStart + 102000).empty());
  CHECK(after.check(kStart + 104000).empty());
  CHECK(room.open(kFaultOffline).size() == 1);
  CHECK(room.store->faults(0, false, 10).size() == 1);  // no flapping: one fault in all
  room.store->set_camera_health(health(kStart + 105000));
  const auto cleared = after.check(kStart + 106000);
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].kind == kFaultOffline);
}

TEST_CASE("a camera back with its clock behind is not held offline by its own older-looking status",
          "[faults]") {
  Room room;
  CameraFaultMonitor monitor(*room.store, {});
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOnline, kStart - 5000, "0.1.0"});
  room.store->set_camera_health(health(kStart - 5000));
  CHECK(monitor.check(kStart).empty());
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOffline, kStart + 1000, "0.1.0"});
  REQUIRE(monitor.check(kStart + 2000).size() == 1);
  // It restarts with its clock an hour behind: its "online" loses to the newer-looking offline,
  // but its health reports keep coming.
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOnline, kStart - kHour, "0.1.0"});
  CHECK(room.store->camera("cam1")->state == "offline");
  room.store->set_camera_health(health(kStart - kHour + 5000));
  CHECK(monitor.check(kStart + 10000).empty());  // one report could be in flight from before
  room.store->set_camera_health(health(kStart - kHour + 10000));
  const auto cleared = monitor.check(kStart + 15000);
  REQUIRE(cleared.size() == 1);
  CHECK(cleared[0].kind == kFaultOffline);
}

TEST_CASE("a no-reads fault stays open into a quiet hour until a read comes", "[faults]") {
  Room room;
  room.online_with_a_busy_week();  // and none in the next hour
  CameraFaultMonitor monitor(*room.store, {});
  TimestampMs t = kStart;
  room.store->set_camera_health(health(t));
  CHECK(monitor.check(t).empty());
  std::vector<CameraFault> raised;
  for (t += 10000; t < kStart + 49 * 60000 && raised.empty(); t += 10000) {
    room.store->set_camera_health(health(t));
    raised = monitor.check(t);
  }
  REQUIRE(raised.size() == 1);
  for (t = kStart + 55 * 60000; t < kStart + 80 * 60000; t += 60000) {  // into the next, quiet hour
    room.store->set_camera_health(health(t));
    CHECK(monitor.check(t).empty());
  }
  CHECK(room.open(kFaultNoReads).size() == 1);
}

namespace {

/// The faults handed over to be shown live, in order.
class RecordedLive : public LiveEvents {
 public:
  std::vector<LiveMessage> views(const LiveBatch& batch) override {
    std::vector<LiveMessage> out;
    for (const auto& f : batch.faults) out.push_back(std::make_shared<const std::string>(f.fault.camera_id));
    return out;
  }
  /// Each view to the other receivers on `notices` (channel "live"), as the web's LiveViews does.
  void notify(Notifier& notices, const std::vector<LiveMessage>& views) override {
    for (const auto& v : views) notices.notify("live", *v);
  }
  void publish(std::vector<LiveMessage> messages) override {
    for (const auto& m : messages) shown.push_back(*m);
  }
  std::vector<std::string> shown;
};

/// The notices sent to the other receivers ("channel:payload"): SQLite sends none, so a test of
/// what the monitor sends gives it this in place of the store's.
class RecordedNotices : public Notifier {
 public:
  void notify(const std::string& channel, const std::string& payload) override {
    sent.push_back(channel + ":" + payload);
  }
  std::vector<std::string> sent;
};

}  // namespace

TEST_CASE("faults stored before the store fails part way are still shown live", "[faults]") {
  Room room;
  RecordedLive live;
  CameraFaultMonitor monitor(*room.store, {}, &live);
  for (const char* cam : {"cam1", "cam2"}) {
    room.store->set_camera_status({cam, "ashby", CameraState::kOnline, kStart - 5000, "0.1.0"});
  }
  CHECK(monitor.check(kStart).empty());
  for (const char* cam : {"cam1", "cam2"}) {
    room.store->set_camera_status({cam, "ashby", CameraState::kOffline, kStart + 1000, "0.1.0"});
  }
  // The disk fails for cam2's fault, after cam1's was stored (a trigger in the real database).
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((room.dir / "anpr.db").string().c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "CREATE TRIGGER fail_cam2 BEFORE INSERT ON camera_faults WHEN NEW.camera_id = 'cam2'"
                       " BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  CHECK_THROWS(monitor.check(kStart + 2000));
  REQUIRE(room.open(kFaultOffline).size() == 1);
  CHECK(live.shown == std::vector<std::string>{"cam1"});
}

TEST_CASE("each fault raised or cleared is sent to the other receivers on the monitor's notices",
          "[faults]") {
  Room room;
  RecordedLive live;
  RecordedNotices notices;
  CameraFaultMonitor monitor({*room.store, *room.store, notices}, {}, &live);
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOnline, kStart - 5000, "0.1.0"});
  CHECK(monitor.check(kStart).empty());
  CHECK(notices.sent.empty());  // nothing changed, nothing sent
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOffline, kStart + 1000, "0.1.0"});
  REQUIRE(monitor.check(kStart + 2000).size() == 1);
  CHECK(monitor.check(kStart + 4000).empty());
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOnline, kStart + 9000, "0.1.0"});
  REQUIRE(monitor.check(kStart + 10000).size() == 1);
  CHECK(live.shown == std::vector<std::string>{"cam1", "cam1"});
  CHECK(notices.sent == std::vector<std::string>{"live:cam1", "live:cam1"});
}
