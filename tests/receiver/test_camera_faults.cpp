// Camera faults: the monitor's rules on their own, then against a real SQLite store - offline,
// a growing spool, a busy camera gone quiet - each raised once and cleared on recovery.
#include <catch2/catch.hpp>

#include <filesystem>

#include "../support/sample_messages.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/receiver/cameras/camera_faults.hpp"
#include "anpr/receiver/store.hpp"

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
  CHECK(CameraFaultMonitor::spool_growing(t, s).faulty);
  t.spool = {5, 10, 9, 30};
  CHECK_FALSE(CameraFaultMonitor::spool_growing(t, s).faulty);
  t.spool = {1, 2, 3, 4};  // growing, but a handful of reads in flight is no fault
  CHECK_FALSE(CameraFaultMonitor::spool_growing(t, s).faulty);
  t.spool = {30, 30, 30, 30};  // steady: not growing
  CHECK_FALSE(CameraFaultMonitor::spool_growing(t, s).faulty);
  t.spool = {10, 20, 30};  // too few reports to say
  CHECK_FALSE(CameraFaultMonitor::spool_growing(t, s).faulty);
}

TEST_CASE("fault rules: quiet is a fault only where reads are expected", "[faults]") {
  FaultSettings s;
  CameraFaultMonitor::Track t;
  t.read_seen = kStart;
  const TimestampMs later = kStart + 30 * 60000;
  CHECK_FALSE(CameraFaultMonitor::no_reads(t, std::nullopt, s, later).faulty);  // no history: nothing to expect
  CHECK_FALSE(CameraFaultMonitor::no_reads(t, 20.0, s, later).faulty);          // 10 expected: can happen
  const auto busy = CameraFaultMonitor::no_reads(t, 100.0, s, later);            // 50 expected
  CHECK(busy.faulty);
  CHECK(busy.detail.find("30 min") != std::string::npos);
  // However busy, a couple of minutes without a read is a gap in traffic.
  CHECK_FALSE(CameraFaultMonitor::no_reads(t, 5000.0, s, kStart + 120000).faulty);
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

TEST_CASE("a camera silent for three of its health intervals is offline, on the receiver's clock", "[faults]") {
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
  room.store->set_camera_status({"cam1", "ashby", CameraState::kOnline, 1000, "0.1.0"});
  // A week of history: 60 reads in this hour of each day.
  for (int day = 1; day <= 7; ++day) {
    for (int i = 0; i < 60; ++i) {
      room.store->insert_read(test::sample_read("AB12CDE", "cam1", kStart - day * 24 * kHour + i * 1000), 0, false, "", "");
    }
  }
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
  CHECK(raised[0].detail.find("usually reads 60 an hour") != std::string::npos);
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
