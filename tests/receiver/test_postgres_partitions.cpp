// Reads partitioned by week on PostgreSQL (receiver/src/store/postgres_partitions.hpp): where reads
// land, how retention drops whole weeks, and the migration of a populated database.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "../../receiver/src/store/migrations.hpp"
#include "../support/postgres_server.hpp"
#include "../support/sample_messages.hpp"
#include "../support/sample_store.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/store/store.hpp"

using namespace anpr;
using namespace anpr::receiver;

namespace {

constexpr TimestampMs kWeek = partitions::kWeekMs;
constexpr TimestampMs k1990 = 631152000000, k2090 = 3786912000000;

// The Monday 00:00 UTC starting the week of `at` (the epoch fell on a Thursday).
TimestampMs week_start(TimestampMs at) {
  constexpr TimestampMs kThursday = 4 * kDayMs;
  const TimestampMs offset = at - kThursday;
  return (offset / kWeek - (offset % kWeek < 0 ? 1 : 0)) * kWeek + kThursday;
}

// The partition a read is stored in ("" when it is not stored).
std::string partition_of(pqxx::connection& c, const std::string& read_id) {
  pqxx::work w(c);
  const auto r = w.exec_params("SELECT tableoid::regclass::text FROM reads WHERE read_id = $1", read_id);
  return r.empty() ? std::string() : r[0][0].as<std::string>();
}

std::string query_text(pqxx::connection& c, const std::string& sql) {
  pqxx::work w(c);
  const auto r = w.exec1(sql);
  return r[0].is_null() ? std::string() : r[0].as<std::string>();
}

std::vector<std::string> read_ids(const std::vector<Sighting>& sightings) {
  std::vector<std::string> ids;
  for (const auto& s : sightings) ids.push_back(s.read_id);
  return ids;
}

}  // namespace

TEST_CASE("PostgreSQL: a read goes to its week's partition, an odd time to the default one, each stored once",
          "[store][postgresql][partitions]") {
  const auto dsn = test::shared_postgres().create_database();
  auto store = open_store(dsn);
  pqxx::connection c(dsn);
  const TimestampMs next_week = week_start(now_ms()) + kWeek + 3'600'000;
  const auto usual = test::sample_read("AB12CDE", "cam1", next_week);
  const auto old_clock = test::sample_read("AB12CDE", "cam1", k1990);
  const auto far_clock = test::sample_read("AB12CDE", "cam2", k2090);
  for (const auto* r : {&usual, &old_clock, &far_clock}) {
    CHECK(store->insert_read(*r, now_ms(), false, "", ""));
    CHECK_FALSE(store->insert_read(*r, now_ms(), false, "", ""));  // redelivered: same id, same time
  }
  CHECK(store->read_count() == 3);
  CHECK(partition_of(c, usual.read_id).rfind("reads_", 0) == 0);
  CHECK(partition_of(c, usual.read_id) != "reads_default");
  CHECK(partition_of(c, old_clock.read_id) == "reads_default");
  CHECK(partition_of(c, far_clock.read_id) == "reads_default");
  CHECK(read_ids(store->movements("AB12CDE", 0, k2090 + 1, 10)) ==
        std::vector<std::string>{old_clock.read_id, usual.read_id, far_clock.read_id});

  // A partition made later for a week with reads in the default partition takes them over.
  {
    pqxx::work w(c);
    w.exec_params("SELECT anpr_add_reads_partition($1)", k2090);
    w.commit();
  }
  CHECK(partition_of(c, far_clock.read_id) == "reads_2089w52");
  CHECK_FALSE(store->insert_read(far_clock, now_ms(), false, "", ""));
  CHECK(store->read_count() == 3);
  CHECK(store->movements("AB12CDE", k2090, k2090, 10).size() == 1);
}

TEST_CASE("PostgreSQL: retention drops whole weeks and keeps the reads a hit still names",
          "[store][postgresql][partitions][retention]") {
  const auto dsn = test::shared_postgres().create_database();
  auto store = open_store(dsn);
  pqxx::connection c(dsn);
  // Three weeks well in the past, with partitions of their own.
  const TimestampMs first = week_start(now_ms()) - 20 * kWeek;
  {
    pqxx::work w(c);
    for (int week = 0; week < 3; ++week)
      w.exec_params("SELECT anpr_add_reads_partition($1)", first + week * kWeek);
    w.commit();
  }
  std::vector<ReadMessage> reads;
  for (int week = 0; week < 3; ++week) {
    for (int day = 0; day < 7; ++day)
      reads.push_back(test::sample_read("XY" + std::to_string(10 + day) + "ZZZ", "cam1",
                                        first + week * kWeek + day * kDayMs));
  }
  for (const auto& r : reads) REQUIRE(store->insert_read(r, 0, false, r.read_id + ".jpg", ""));
  store->insert_hit(test::sample_hit(reads[3]), 0);  // a hit on the first week's fourth day
  const std::string week0 = partition_of(c, reads[0].read_id), week1 = partition_of(c, reads[7].read_id),
                    week2 = partition_of(c, reads[14].read_id);
  REQUIRE(week0 != "reads_default");
  const auto oid = [&](const std::string& table) {
    return query_text(c, "SELECT to_regclass('" + table + "')::oid");
  };
  const std::string week2_oid = oid(week2);

  // Reads older than the third week's second day go, hit reads are kept.
  const auto files = store->purge_reads(first + 2 * kWeek + kDayMs + 1, 0);
  CHECK(files.size() == 7 + 6 + 2);
  CHECK(store->read_count() == 1 + 5);
  CHECK(oid(week1).empty());       // dropped whole
  CHECK(oid(week2) == week2_oid);  // straddling the limit: its expired rows deleted row by row
  CHECK(query_text(c, "SELECT COUNT(*) FROM " + week0) == "1");  // rebuilt with the hit's read alone
  CHECK(partition_of(c, reads[3].read_id) == week0);
  CHECK(store->read_message(reads[3].read_id).has_value());
  CHECK(store->hits(std::nullopt, std::nullopt, 10).size() == 1);
  CHECK(read_ids(store->movements("XY13ZZZ", 0, now_ms(), 10)) ==
        std::vector<std::string>{reads[3].read_id, reads[17].read_id});

  // Once the hit's own limit passes, the hit and its read go, and the week with them.
  CHECK(store->purge_reads(first + 2 * kWeek + kDayMs + 1, first + kWeek).size() == 1);
  CHECK(oid(week0).empty());
  CHECK(store->read_count() == 5);
  CHECK(store->hits(std::nullopt, std::nullopt, 10).empty());
}

TEST_CASE("PostgreSQL: the migration to partitioned reads keeps every read, hit and search answer",
          "[store][postgresql][partitions][migration]") {
  const auto dsn = test::shared_postgres().create_database();
  pqxx::connection c(dsn);
  const TimestampMs now = now_ms(), from = now - 42 * kDayMs;
  {
    // A database at schema version 7, unpartitioned, with six weeks of reads (3,000 of 40 plates
    // from 12 cameras; two with clocks decades off) and hits on some of them.
    pqxx::work w(c);
    w.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
    for (int v = 1; v <= 7; ++v) {
      w.exec(migrations::postgresql_step(v));
      w.exec_params("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)", v);
    }
    w.exec_params(
        "INSERT INTO reads (read_id, camera_id, site_id, captured_at, plate, confidence, format, country,"
        " message, crop_path, overview_path, unknown_camera, received_at)"
        " SELECT 'read-' || i, 'cam' || (i % 12), 'site' || (i % 3), $1::bigint + i * 1209600::bigint, 'AB' "
        "|| (10 + i % 40) || 'CDE',"
        " 0.5 + (i % 50) / 100.0, 'uk', 'GB', '{\"i\":' || i || '}', 'crop-' || i || '.jpg', '', i % 2,"
        " $1::bigint + i * 1209600::bigint + 500 FROM generate_series(0, 2997) i",
        from);
    w.exec_params(
        "INSERT INTO reads VALUES ('odd-1990', 'cam1', 'site1', $1, 'AB10CDE', 0.9, 'uk', 'GB', '{}', '', "
        "'', 0, $2),"
        " ('odd-2090', 'cam1', 'site1', $3, 'AB10CDE', 0.9, 'uk', 'GB', '{}', '', '', 0, $2)",
        k1990, now, k2090);
    w.exec(
        "INSERT INTO hits (hit_id, read_id, camera_id, site_id, at, plate, entry_plate, list, category, "
        "priority,"
        " match_kind, score, reason, action, created_at) SELECT 'hit-' || read_id, read_id, camera_id, "
        "site_id,"
        " captured_at, plate, plate, 'Stolen', 'stolen-vehicle', 0, 'exact', 1, 'stolen', 'Stop', received_at"
        " FROM reads WHERE captured_at / 1209600 % 7 = 0");
    w.commit();
  }
  const auto table = [&](const std::string& name, const std::string& key) {
    return query_text(
        c, "SELECT string_agg(row_to_json(t)::text, E'\\n' ORDER BY " + key + ") FROM " + name + " t");
  };
  const std::string reads_before = table("reads", "read_id"), hits_before = table("hits", "hit_id");
  const std::string hit_count = query_text(c, "SELECT COUNT(*) FROM hits");
  REQUIRE(hit_count != "0");
  // Every plate's movements and every camera's reads, as the old table answers them.
  const auto ids = [&](const std::string& where, const std::string& order) {
    return query_text(c, "SELECT string_agg(read_id, ',' ORDER BY " + order + ") FROM reads WHERE " + where);
  };
  std::map<std::string, std::string> movements_before, camera_before;
  for (int p = 10; p < 50; ++p) {
    const std::string plate = "AB" + std::to_string(p) + "CDE";
    movements_before[plate] = ids("plate = '" + plate + "'", "captured_at");
  }
  for (int cam = 0; cam < 12; ++cam) {
    const std::string id = "cam" + std::to_string(cam);
    camera_before[id] = ids("camera_id = '" + id + "' AND captured_at BETWEEN " + std::to_string(from) +
                                " AND " + std::to_string(now),
                            "captured_at DESC");
  }

  auto store = open_store(dsn);  // migrates
  CHECK(query_text(c, "SELECT MAX(version) FROM schema_migrations") == "8");
  CHECK(query_text(c, "SELECT relkind FROM pg_class WHERE relname = 'reads'") == "p");
  CHECK(query_text(c, "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'reads'::regclass") != "1");
  CHECK(query_text(c, "SELECT string_agg(read_id, ',' ORDER BY read_id) FROM reads_default") ==
        "odd-1990,odd-2090");
  CHECK(table("reads", "read_id") == reads_before);
  CHECK(table("hits", "hit_id") == hits_before);
  for (const auto& [plate, expected] : movements_before) {
    INFO(plate);
    const auto found = read_ids(store->movements(plate, 0, k2090 + 1, 10000));
    std::string joined;
    for (const auto& id : found) joined += (joined.empty() ? "" : ",") + id;
    CHECK(joined == expected);
  }
  for (const auto& [camera, expected] : camera_before) {
    INFO(camera);
    std::string joined;
    for (const auto& id : read_ids(store->reads(camera, from, now, 10000)))
      joined += (joined.empty() ? "" : ",") + id;
    CHECK(joined == expected);
  }
  CHECK(std::to_string(store->hits(std::nullopt, std::nullopt, 10000).size()) == hit_count);
  CHECK(store->read_message("read-1234") == std::optional<std::string>("{\"i\":1234}"));
  // The migrated key still stores a redelivered read once.
  auto redelivered = test::sample_read("AB14CDE", "cam4", from + 4 * 1209600);
  redelivered.read_id = "read-4";
  CHECK_FALSE(store->insert_read(redelivered, now, false, "", ""));
  CHECK(store->read_count() == 3000);
}

TEST_CASE("PostgreSQL: receivers opening one new database together each make or find the week's partition",
          "[store][postgresql][partitions]") {
  // Each opening adds this week's and the next weeks' partitions; two receivers starting together
  // raced there ("relation reads_... already exists") and one of them did not start.
  for (int round = 0; round < 3; ++round) {
    const auto dsn = test::shared_postgres().create_database();
    std::vector<std::thread> openers;
    std::atomic<int> opened{0}, failed{0};
    for (int i = 0; i < 6; ++i) {
      openers.emplace_back([&] {
        try {
          (void)receiver::open_store(dsn);
          ++opened;
        } catch (const std::exception&) {
          ++failed;
        }
      });
    }
    for (auto& t : openers) t.join();
    CHECK(failed == 0);
    CHECK(opened == 6);
  }
}
