#include <catch2/catch.hpp>

#include <filesystem>

#include <sqlite3.h>
#include <pqxx/pqxx>

#include "../support/mosquitto_broker.hpp"
#include "../support/postgres_server.hpp"
#include "../support/sample_messages.hpp"
#include "../support/sample_store.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/receiver/cameras/camera_faults.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/watchlist/watchlist.hpp"

using namespace anpr;
using namespace anpr::receiver;
namespace fs = std::filesystem;

namespace {

std::string temp_db() {
  const fs::path p = anpr::test::scratch_dir() / ("anpr-store-" + make_uuid() + ".db");
  return p.string();
}

// Every store test runs against both back ends: a temporary SQLite file, and a fresh database on
// a real PostgreSQL server started for this test process.
std::string backend_under_test() { return GENERATE(as<std::string>{}, "sqlite", "postgresql"); }

std::string temp_database(const std::string& backend) {
  return backend == "postgresql" ? test::shared_postgres().create_database() : temp_db();
}

ReadMessage read_of(const std::string& plate, const std::string& camera, TimestampMs at) {
  return test::sample_read(plate, camera, at);
}

}  // namespace

TEST_CASE("a read is stored once, whatever the redelivery", "[store]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  const auto r = read_of("AB12CDE", "cam1", 1000);
  CHECK(store->insert_read(r, 2000, true, "", ""));
  CHECK_FALSE(store->insert_read(r, 3000, true, "", ""));
  CHECK(store->read_count() == 1);
}

TEST_CASE("reads stored together: each read id once, the first of a batch, and counted per camera hour",
          "[store]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  const auto a = read_of("AB12CDE", "cam1", 1000), b = read_of("XY65ZZT", "cam1", 2000),
             c = read_of("CD34EFG", "cam2", 3000), stored_before = read_of("EF56GHJ", "cam2", 4000);
  // The message ingest cut from c's payload (quoted in arrays too); the others' are encoded here.
  const std::string c_message = R"({"plate":"CD34EFG","note":"a \"quote\", {braces}, a \\ backslash"})";
  REQUIRE(store->insert_read(stored_before, 5000, false, "", ""));
  const std::vector<ReadRow> rows{{&a, 5000, false, "a-crop.jpg", "", {}},
                                  {&b, 5000, true, "b \"1\",{2}\\3 NULL.jpg", "", {}},  // quoted in arrays
                                  {&a, 5000, false, "", "", {}},  // a redelivery within the batch
                                  {&stored_before, 5000, false, "", "", {}},
                                  {&c, 5000, false, "", "c-overview.jpg", c_message}};
  std::vector<bool> stored;
  store->in_transaction([&] { stored = store->insert_reads(rows); });
  CHECK(stored == std::vector<bool>{true, true, false, false, true});
  CHECK(store->read_count() == 4);
  CHECK(store->read_images(a.read_id)->crop_path == "a-crop.jpg");  // the first of the batch's two
  CHECK(store->read_images(c.read_id)->overview_path == "c-overview.jpg");
  CHECK(store->read_images(b.read_id)->crop_path == "b \"1\",{2}\\3 NULL.jpg");
  CHECK(store->read_message(c.read_id) == c_message);
  auto a_without_images = a;
  a_without_images.crop_jpeg.clear();
  CHECK(store->read_message(a.read_id) == encode(a_without_images));
  CHECK(store->movements(b.plate, 0, 4102444800000, 10).at(0).unknown_camera);
  std::int64_t cam1 = 0, cam2 = 0;
  for (const CameraCount& n : store->camera_counts(0, 3'600'000, 3'600'000)) {
    (n.camera_id == "cam1" ? cam1 : cam2) += n.reads;
  }
  CHECK(cam1 == 2);
  CHECK(cam2 == 2);
  CHECK(store->insert_reads({}).empty());
}

TEST_CASE("movements in time order, by plate or pattern, within the range", "[store]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  store->upsert_camera(test::registered_camera("cam1", "coalville", "Coalville Market St", 52.72, -1.37));
  REQUIRE(store->insert_read(read_of("AB12CDE", "cam2", 3000), 0, true, "", ""));
  REQUIRE(store->insert_read(read_of("AB12CDE", "cam1", 1000), 0, false, "", ""));
  REQUIRE(store->insert_read(read_of("AB12CDF", "cam1", 2000), 0, false, "", ""));
  const auto exact = store->movements("AB12CDE", 0, 10000, 100);
  REQUIRE(exact.size() == 2);
  CHECK(exact[0].at == 1000);
  CHECK(exact[0].camera_name == "Coalville Market St");
  CHECK(exact[0].latitude == Approx(52.72));
  CHECK(exact[1].unknown_camera);
  CHECK(store->movements("AB12CD?", 0, 10000, 100).size() == 3);
  CHECK(store->movements("AB*", 1500, 2500, 100).size() == 1);
  CHECK(store->movements("ZZ*", 0, 10000, 100).empty());
  CHECK(store->camera("cam1")->last_read_at == 2000);  // the newest of its reads
}

TEST_CASE("a list import replaces the list atomically as a new version", "[store][watchlist]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  const WatchlistInfo list{"Stolen", "stolen-vehicle", 0, "#f00", "Stop"};
  CHECK(store->replace_watchlist(list, {{"Stolen", "AB12CDE", "r", "u", 1, std::nullopt}}) == 1);
  const auto g1 = store->watchlist_generation();
  CHECK(store->replace_watchlist(list, {{"Stolen", "XY99ZZZ", "r", "u", 2, std::nullopt},
                                        {"Stolen", "K*9", "r", "u", 2, 5000}}) == 2);
  const auto g2 = store->watchlist_generation();
  CHECK(g2 != g1);
  const auto entries = store->entries("Stolen");
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].plate == "K*9");
  CHECK(entries[0].expires_at == 5000);
  // A failing import leaves the previous version whole, its version number included.
  CHECK_THROWS(store->replace_watchlist(
      list, {{"Stolen", "DUP", "r", "u", 3, std::nullopt}, {"Stolen", "DUP", "r", "u", 3, std::nullopt}}));
  CHECK(store->entries("Stolen").size() == 2);
  CHECK(store->watchlist_generation() == g2);
  // An entry for a list that does not exist is the caller's mistake, in both back ends.
  CHECK_THROWS_MATCHES(store->add_entry({"Nope", "AB12CDE", "r", "u", 1, std::nullopt}), Error,
                       Catch::Predicate<Error>([](const Error& e) { return e.code() == ErrorCode::kInput; }));
  CHECK(store->remove_entry("Stolen", "XY99ZZZ"));
  CHECK_FALSE(store->remove_entry("Stolen", "XY99ZZZ"));
}

TEST_CASE("the audit log is append-only, enforced by the database", "[store][audit]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  const auto path = temp_database(backend);
  {
    auto store = open_store(path);
    store->audit({0, 1000, "op1", "movements", "AB12CDE", "burglary enquiry 123"});
    REQUIRE(store->audit_log(10).size() == 1);
  }
  // Even a client going round the receiver cannot change or delete audit records.
  if (backend == "postgresql") {
    pqxx::connection db(path);
    for (const char* sql : {"UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"}) {
      pqxx::work tx(db);
      CHECK_THROWS_WITH(tx.exec(sql), Catch::Contains("the audit log cannot be changed"));
    }
  } else {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "UPDATE audit_log SET reason = 'x'", nullptr, nullptr, nullptr) != SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM audit_log", nullptr, nullptr, nullptr) != SQLITE_OK);
    sqlite3_close(db);
  }
  CHECK(open_store(path)->audit_log(10).at(0).reason == "burglary enquiry 123");
}

TEST_CASE("camera status and health are kept, an older status never overwrites a newer one",
          "[store][cameras]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  store->set_camera_status({"cam1", "ashby", CameraState::kOnline, 2000, "0.1.0"});
  store->set_camera_status({"cam1", "ashby", CameraState::kOffline, 1000, "0.1.0"});
  auto c = store->camera("cam1");
  REQUIRE(c);
  CHECK(c->state == "online");
  CHECK_FALSE(c->registered);
  HealthMessage h;
  h.camera_id = "cam1";
  h.site_id = "ashby";
  h.at = 1795590299000;
  h.fps = 24;
  store->set_camera_health(h);
  const auto with_health = store->camera("cam1");
  REQUIRE(with_health->last_health);
  CHECK(with_health->last_health->fps == 24);
  CHECK(store->registered_camera_ids().empty());  // known from its messages, not registered
  store->upsert_camera(test::registered_camera("cam2", "ashby", "Market St"));
  CHECK(store->registered_camera_ids() == std::vector<std::string>{"cam2"});
}

TEST_CASE("dead letters keep the reason and a bounded payload", "[store]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  store->insert_dead_letter("anpr/v1/a/b/read", std::string(200000, 'x'), "plate: bad", 5);
  const auto d = store->dead_letters(10);
  REQUIRE(d.size() == 1);
  CHECK(d[0].payload_bytes == 200000);
  CHECK(d[0].reason == "plate: bad");
}

TEST_CASE("bad database locations are clear errors", "[store][rejects]") {
  CHECK_THROWS_WITH(open_store("/nonexistent/dir/anpr.db"),
                    Catch::Contains("cannot open database /nonexistent/dir/anpr.db"));
  CHECK_THROWS_WITH(open_store(""), Catch::Contains("--database is empty"));
  const int closed_port = test::free_loopback_port();
  const auto unreachable = "postgresql://anpr:secret@127.0.0.1:" + std::to_string(closed_port) + "/anpr";
  CHECK_THROWS_WITH(open_store(unreachable),
                    Catch::Contains("cannot connect to PostgreSQL postgresql://anpr:***@127.0.0.1"));
  CHECK_THROWS_WITH(open_store(unreachable), !Catch::Contains("secret"));
}

TEST_CASE("PostgreSQL: two receivers on one database store a read once and migrate once",
          "[store][postgresql]") {
  const auto dsn = test::shared_postgres().create_database();
  auto a = open_store(dsn);
  auto b = open_store(dsn);  // the second finds the schema in place
  const auto r = read_of("AB12CDE", "cam1", 1000);
  CHECK(a->insert_read(r, 2000, true, "", ""));
  CHECK_FALSE(b->insert_read(r, 2001, true, "", ""));
  CHECK(b->read_count() == 1);
  // A transaction in one receiver is all or nothing for the other.
  CHECK_THROWS(a->in_transaction([&] {
    a->insert_read(read_of("XY99ZZZ", "cam1", 3000), 0, false, "", "");
    throw std::runtime_error("writer failed mid-batch");
  }));
  CHECK(b->read_count() == 1);
}

TEST_CASE("reads by camera and time range come newest first", "[store]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  REQUIRE(store->insert_read(read_of("AB12CDE", "cam1", 1000), 0, false, "", ""));
  REQUIRE(store->insert_read(read_of("XY99ZZZ", "cam2", 2000), 0, false, "", ""));
  REQUIRE(store->insert_read(read_of("KL01MNO", "cam1", 3000), 0, false, "", ""));
  const auto cam1 = store->reads("cam1", 0, 10000, 100);
  REQUIRE(cam1.size() == 2);
  CHECK(cam1[0].plate == "KL01MNO");
  CHECK(store->reads("", 1500, 2500, 100).size() == 1);
  CHECK(store->reads("", 0, 10000, 1).size() == 1);
}

TEST_CASE("an expired entry stops matching but stays listed", "[store][watchlist]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  store->replace_watchlist({"Stolen", "stolen-vehicle", 0, "#f00", "Stop"},
                           {{"Stolen", "AB12CDE", "r", "u", 1, std::nullopt}});
  const auto g = store->watchlist_generation();
  CHECK(store->expire_entry("Stolen", "AB12CDE", 5000));
  CHECK_FALSE(store->expire_entry("Stolen", "ZZ99ZZZ", 5000));
  CHECK(store->watchlist_generation() != g);
  const auto entries = store->entries("Stolen");
  REQUIRE(entries.size() == 1);
  const WatchlistMatcher matcher(store->watchlists(), entries, MatcherSettings{});
  CHECK(matcher.match("AB12CDE", 4000).size() == 1);
  CHECK(matcher.match("AB12CDE", 6000).empty());
}

TEST_CASE("users are added once, changed, and looked up by name", "[store][users]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  CHECK(store->users().empty());
  CHECK(store->add_user({"alice", "$argon2id$hash-a", "admin", false, 1000}));
  CHECK_FALSE(store->add_user({"alice", "$argon2id$other", "operator", false, 2000}));
  CHECK(store->add_user({"bob", "$argon2id$hash-b", "operator", false, 3000}));
  auto alice = store->user("alice");
  REQUIRE(alice);
  CHECK(alice->password_hash == "$argon2id$hash-a");
  CHECK(alice->role == "admin");
  CHECK(alice->created_at == 1000);
  alice->disabled = true;
  alice->role = "supervisor";
  CHECK(store->update_user(*alice));
  CHECK(store->user("alice")->disabled);
  CHECK(store->user("alice")->role == "supervisor");
  CHECK_FALSE(store->update_user({"carol", "x", "operator", false, 0}));
  CHECK_FALSE(store->user("carol"));
  const auto all = store->users();
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "alice");
  CHECK(all[1].name == "bob");
}

TEST_CASE("a read's image paths are found by its id", "[store]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  const auto read = read_of("AB12CDE", "cam1", 1000);
  REQUIRE(store->insert_read(read, 2000, false, "2026-11-26/a-crop.jpg", ""));
  const auto images = store->read_images(read.read_id);
  REQUIRE(images);
  CHECK(images->crop_path == "2026-11-26/a-crop.jpg");
  CHECK(images->overview_path.empty());
  CHECK_FALSE(store->read_images("no-such-read"));
}

TEST_CASE("web sessions are kept, refreshed and deleted by token, by user or when expired",
          "[store][users]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  store->save_session({"hash-a", "alice", "admin", "csrf-a", "cred-a", 1000, 1000});
  store->save_session({"hash-b", "alice", "admin", "csrf-b", "cred-a", 2000, 2000});
  store->save_session({"hash-c", "bob", "operator", "csrf-c", "cred-b", 3000, 3000});
  auto a = store->find_session("hash-a");
  REQUIRE(a);
  CHECK(a->user == "alice");
  CHECK(a->csrf_token == "csrf-a");
  store->save_session({"hash-a", "alice", "admin", "csrf-a", "cred-a", 1000, 9000});  // refreshed
  CHECK(store->find_session("hash-a")->last_seen == 9000);
  CHECK(store->find_session("hash-a")->created_at == 1000);
  store->delete_sessions("", "");  // neither given: nothing
  CHECK(store->find_session("hash-c"));
  store->purge_sessions(2500);  // b was last seen at 2000
  CHECK_FALSE(store->find_session("hash-b"));
  CHECK(store->find_session("hash-a"));
  store->delete_sessions("hash-c", "");
  CHECK_FALSE(store->find_session("hash-c"));
  store->delete_sessions("", "alice");
  CHECK_FALSE(store->find_session("hash-a"));
}

TEST_CASE("camera faults: one open per camera and kind, cleared, raised again, acknowledged once",
          "[store][cameras]") {
  const auto backend = backend_under_test();
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  const CameraFault f = test::offline_fault("ashby", "gone", 1000);
  CHECK(store->raise_fault(f));
  CameraFault again = f;
  again.fault_id = "cam1/offline/2000";
  CHECK_FALSE(store->raise_fault(again));  // one open offline fault for cam1 at a time
  CameraFault other_kind = again;
  other_kind.kind = kFaultNoReads;
  CHECK(store->raise_fault(other_kind));
  CHECK(store->clear_fault("cam1", kFaultOffline, 3000));
  CHECK_FALSE(store->clear_fault("cam1", kFaultOffline, 3500));
  again.fault_id = "cam1/offline/4000";
  CHECK(store->raise_fault(again));  // a new outage is a new fault
  CHECK(store->acknowledge_fault("cam1/offline/1000", "alice", "known", 5000));
  CHECK_FALSE(store->acknowledge_fault("cam1/offline/1000", "alice", "again", 5001));
  const auto pending = store->faults(0, true, 10);
  CHECK(pending.size() == 2);  // the second outage and the open no-reads fault
  const auto all = store->faults(0, false, 10);
  REQUIRE(all.size() == 3);
  CHECK(all[0].fault_id == "cam1/offline/1000");  // newest change first: its acknowledgement
  CHECK(all[0].changed_at == 5000);
  CHECK(all[0].cleared_at == 3000);
  CHECK(all[0].acknowledged_by == "alice");
  CHECK(store->faults(4500, false, 10).size() == 1);
}
