// The reads-and-movements service on a real store (SQLite and PostgreSQL): every search audited
// with its reason before it runs, and refused (nothing audited) without a proper reason.
#include <catch2/catch.hpp>

#include "../support/postgres_server.hpp"
#include "../support/sample_messages.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/services/sighting_service.hpp"

using namespace anpr;
using namespace anpr::receiver;

namespace {

constexpr TimestampMs kAt = 1795590299000;  // 2026-11-25T02:24:59Z
constexpr TimestampMs kMinute = 60'000;

struct Fixture {
  test::TempDir dir{"anpr-sightings"};
  // Both back ends: a SQLite file and a real PostgreSQL database (the transactions differ).
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  std::unique_ptr<Store> store = open_store(
      backend == "postgresql" ? test::shared_postgres().create_database() : (dir / "anpr.db").string());
  Fixture() {
    // AB12CDE twice (cam1, then cam2), another car once.
    store->insert_read(test::sample_read("AB12CDE", "cam1", kAt), kAt, false, "", "");
    store->insert_read(test::sample_read("AB12CDE", "cam2", kAt + kMinute), kAt + kMinute, false, "", "");
    store->insert_read(test::sample_read("XY99ZZZ", "cam1", kAt + 2 * kMinute), kAt, false, "", "");
  }
};

const SearchWindow kDay{kAt - 12 * 3'600'000, kAt + 12 * 3'600'000, 100};

}  // namespace

TEST_CASE("a movement search is audited with its reason and returns the sightings in time order",
          "[services][sightings]") {
  Fixture f;
  INFO("store: " << f.backend);
  const auto rows = search_movements(*f.store, *f.store, "ab12 cde", kDay,
                                     {"dc.jones", "  theft enquiry 42/7  ", kAt + kMinute});
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].camera_id == "cam1");
  CHECK(rows[1].camera_id == "cam2");
  const auto audit = f.store->audit_log(10);
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].action == "movements");
  CHECK(audit[0].actor == "dc.jones");
  CHECK(audit[0].at == kAt + kMinute);
  CHECK(audit[0].subject == "AB12CDE " + to_iso8601(kDay.from) + ".." + to_iso8601(kDay.to));
  CHECK(audit[0].reason == "theft enquiry 42/7");  // trimmed, as audit_reason gives it
}

TEST_CASE("a search of reads is audited with the camera searched, or all cameras", "[services][sightings]") {
  Fixture f;
  INFO("store: " << f.backend);
  CHECK(search_reads(*f.store, *f.store, "cam1", kDay, {"olly", "patrol briefing", kAt}).size() == 2);
  CHECK(search_reads(*f.store, *f.store, "", kDay, {"olly", "patrol briefing", kAt}).size() == 3);
  const auto audit = f.store->audit_log(10);  // newest first
  REQUIRE(audit.size() == 2);
  CHECK(audit[1].action == "reads");
  CHECK(audit[1].subject.rfind("cam1 ", 0) == 0);
  CHECK(audit[0].subject.rfind("all cameras ", 0) == 0);
}

TEST_CASE("a search without a proper reason is refused and leaves no audit record", "[services][sightings]") {
  Fixture f;
  INFO("store: " << f.backend);
  for (const std::string reason : {"", "ab", "     ", "12345!", "abcdef\x01"}) {
    INFO("reason '" << reason << "'");
    CHECK_THROWS_AS(search_movements(*f.store, *f.store, "AB12CDE", kDay, {"olly", reason, kAt}), Error);
    CHECK_THROWS_WITH(search_reads(*f.store, *f.store, "", kDay, {"olly", reason, kAt}),
                      Catch::Contains("give the reason for this search"));
  }
  CHECK(f.store->audit_log(10).empty());
}

TEST_CASE("a bad plate or a period that runs backwards is refused before anything is audited",
          "[services][sightings]") {
  Fixture f;
  INFO("store: " << f.backend);
  const Caller caller{"olly", "theft enquiry", kAt};
  CHECK_THROWS_WITH(search_movements(*f.store, *f.store, "AB12!", kDay, caller),
                    Catch::Contains("plate 'AB12!'"));
  CHECK_THROWS_WITH(search_movements(*f.store, *f.store, "A*", kDay, caller), Catch::Contains("plate 'A*'"));
  const SearchWindow backwards{kDay.to, kDay.from, 100};
  CHECK_THROWS_WITH(search_reads(*f.store, *f.store, "", backwards, caller), "from is after to");
  CHECK(f.store->audit_log(10).empty());
  // A pattern is a plate too: '?' one character, '*' any run.
  CHECK(search_movements(*f.store, *f.store, "AB1?C*", kDay, caller).size() == 2);
}
