// The camera service on a real store (SQLite and PostgreSQL): a camera's place changed with a
// reason and audited from the old place to the new; refused changes change nothing;
// registrations and fault acknowledgements audited.
#include <catch2/catch.hpp>

#include "../support/postgres_server.hpp"
#include "../support/sample_store.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/receiver/services/camera_service.hpp"

using namespace anpr;
using namespace anpr::receiver;

namespace {

constexpr TimestampMs kAt = 1795590299000;

struct Fixture {
  test::TempDir dir{"anpr-cameras"};
  // Both back ends: a SQLite file and a real PostgreSQL database (the transactions differ).
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  std::unique_ptr<Store> store = open_store(
      backend == "postgresql" ? test::shared_postgres().create_database() : (dir / "anpr.db").string());
  static CameraInfo cam1() { return test::registered_camera("cam1", "coalville", "A511 east"); }
};

}  // namespace

TEST_CASE("a camera's place is changed with a reason and audited from the old place to the new",
          "[services][cameras]") {
  Fixture f;
  INFO("store: " << f.backend);
  register_cameras(*f.store, {f.cam1()}, "cameras.csv", {"admin", "", kAt});
  const auto before = find_camera(*f.store, "cam1");
  REQUIRE(before);
  const auto moved =
      set_camera_place(*f.store, *before, {52.7236, -1.3702, 90}, {"alice", "site survey", kAt});
  CHECK(moved.latitude == 52.7236);
  const auto stored = find_camera(*f.store, "cam1");
  REQUIRE(stored);
  CHECK(stored->bearing == 90);
  CHECK(stored->name == "A511 east");  // only the place changes

  const auto audit = f.store->audit_log(10);
  REQUIRE(test::audit_actions(audit) == std::vector<std::string>{"camera-position", "cameras-register"});
  CHECK(audit[1].subject == "cameras.csv");
  CHECK(audit[1].reason == "1 cameras");
  CHECK(audit[0].subject == "cam1 none,none bearing none -> 52.723600,-1.370200 bearing 90.000000");
  CHECK(audit[0].reason == "site survey");
}

TEST_CASE("a camera change without a reason, with half a position or out of range changes nothing",
          "[services][cameras]") {
  Fixture f;
  INFO("store: " << f.backend);
  register_cameras(*f.store, {f.cam1()}, "cameras.csv", {"admin", "", kAt});
  const auto cam = *find_camera(*f.store, "cam1");
  CHECK_THROWS_WITH(set_camera_place(*f.store, cam, {52.0, -1.0, 0}, {"alice", "", kAt}),
                    Catch::Contains("give the reason for the change"));
  CHECK_THROWS_WITH(set_camera_place(*f.store, cam, {52.0, std::nullopt, 0}, {"alice", "survey", kAt}),
                    "give latitude and longitude together");
  CHECK_THROWS_WITH(set_camera_place(*f.store, cam, {91.0, -1.0, 0}, {"alice", "survey", kAt}),
                    "latitude must be from -90 to 90");
  CHECK_THROWS_AS(set_camera_place(*f.store, cam, {52.0, -1.0, 361}, {"alice", "survey", kAt}), Error);
  CHECK_FALSE(find_camera(*f.store, "cam1")->latitude.has_value());
  CHECK(f.store->audit_log(10).size() == 1);  // the registration only
}

TEST_CASE("a new fault is acknowledged once, audited with the note", "[services][cameras]") {
  Fixture f;
  INFO("store: " << f.backend);
  const CameraFault fault = test::offline_fault("coalville", "no status for 5 minutes", kAt);
  REQUIRE(f.store->raise_fault(fault));

  CHECK(list_faults(*f.store, 0, true, 10).size() == 1);
  CHECK(acknowledge_fault(*f.store, fault.fault_id, {"olly", "engineer called", kAt + 1}));
  CHECK_FALSE(acknowledge_fault(*f.store, fault.fault_id, {"sam", "again", kAt + 2}));
  CHECK_FALSE(acknowledge_fault(*f.store, "no-such-fault", {"sam", "", kAt + 3}));
  const auto audit = f.store->audit_log(10);
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].action == "fault-acknowledge");
  CHECK(audit[0].actor == "olly");
  CHECK(audit[0].subject == fault.fault_id);
  CHECK(audit[0].reason == "engineer called");
}
