// The hit service on a real store (SQLite and PostgreSQL): a hit moves new -> acknowledged ->
// closed, each step audited with the note; a step from the wrong state changes nothing and is
// not audited.
#include <catch2/catch.hpp>

#include "../support/postgres_server.hpp"
#include "../support/sample_messages.hpp"
#include "../support/sample_store.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/receiver/services/hit_service.hpp"

using namespace anpr;
using namespace anpr::receiver;

namespace {

constexpr TimestampMs kAt = 1795590299000;

HitMessage hit_of(const std::string& plate) {
  return test::sample_hit(test::sample_read(plate, "cam1", kAt));
}

}  // namespace

TEST_CASE("a hit is acknowledged then closed, each step audited with its note", "[services][hits]") {
  test::TempDir dir("anpr-hits");
  // Both back ends: a SQLite file and a real PostgreSQL database (the transactions differ).
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO("store: " << backend);
  auto store = open_store(backend == "postgresql" ? test::shared_postgres().create_database()
                                                  : (dir / "anpr.db").string());
  const auto hit = hit_of("AB12CDE");
  store->insert_hit(hit, kAt);

  CHECK_FALSE(move_hit(*store, hit.hit_id, HitStep::kClose, {"olly", "too soon", kAt + 1}));  // still new
  CHECK(store->audit_log(10).empty());
  CHECK(move_hit(*store, hit.hit_id, HitStep::kAcknowledge, {"olly", "unit 4 sent", kAt + 2}));
  CHECK_FALSE(move_hit(*store, hit.hit_id, HitStep::kAcknowledge, {"sam", "again", kAt + 3}));
  CHECK(move_hit(*store, hit.hit_id, HitStep::kClose, {"sam", "vehicle stopped", kAt + 4}));
  CHECK_FALSE(move_hit(*store, "no-such-hit", HitStep::kAcknowledge, {"sam", "", kAt + 5}));

  const auto audit = store->audit_log(10);  // newest first
  REQUIRE(audit.size() == 2);
  CHECK(audit[1].action == "hit-acknowledge");
  CHECK(audit[1].actor == "olly");
  CHECK(audit[1].subject == hit.hit_id);
  CHECK(audit[1].reason == "unit 4 sent");
  CHECK(audit[0].action == "hit-close");
  CHECK(audit[0].at == kAt + 4);

  const auto listed = list_hits(*store, std::nullopt, std::string("closed"), 10);
  REQUIRE(listed.size() == 1);
  CHECK_THAT(listed[0].note, Catch::EndsWith("sam: vehicle stopped"));  // the store keeps every note
  CHECK(list_hits(*store, std::nullopt, std::string("new"), 10).empty());
}
