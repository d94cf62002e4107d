#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../support/postgres_server.hpp"
#include "../support/sample_messages.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/receiver/ingest/ingestor.hpp"
#include "anpr/receiver/services/retention.hpp"
#include "anpr/receiver/watchlist/watchlist_service.hpp"

using namespace anpr;
using namespace anpr::receiver;
namespace fs = std::filesystem;

namespace {

constexpr TimestampMs kDay = 24LL * 3600 * 1000;
constexpr TimestampMs kStart = 1795590299000;  // 2026-11-25

struct Fixture {
  fs::path dir = anpr::test::scratch_dir() / ("anpr-retention-" + make_uuid());
  std::unique_ptr<Store> store;
  TimestampMs now = kStart;
  // Retention runs against both back ends: a SQLite file and a real PostgreSQL database.
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  Fixture() {
    fs::create_directories(dir);
    store = open_store(backend == "postgresql" ? test::shared_postgres().create_database()
                                               : (dir / "anpr.db").string());
    store->replace_watchlist({"Stolen", "stolen-vehicle", 0, "#f00", "Stop"},
                             {{"Stolen", "AB12CDE", "stolen", "sup", 1, std::nullopt}});
  }
  ~Fixture() { fs::remove_all(dir); }

  ReadMessage read_of(const std::string& plate) const { return test::sample_read(plate, "cam1", now); }
};

}  // namespace

TEST_CASE("retention removes old reads and their images but keeps hit reads longer", "[retention]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{f.dir.string(), {}, {}}, [&] { return f.now; });
  const auto plain = f.read_of("XY99ZZZ");
  const auto listed = f.read_of("AB12CDE");
  REQUIRE(ingest.handle("anpr/v1/coalville/cam1/read", encode(plain)).result == IngestResult::kStored);
  REQUIRE(ingest.handle("anpr/v1/coalville/cam1/read", encode(listed)).hits.size() == 1);
  const fs::path plain_crop = f.dir / "images" / "2026-11-25" / (plain.read_id + "-crop.jpg");
  REQUIRE(fs::exists(plain_crop));

  Retention retention(*f.store, *f.store, RetentionSettings{365, 730, 3600}, [&] { return f.now; });
  f.now = kStart + 364 * kDay;
  CHECK(retention.run_once() == 0);
  CHECK(f.store->read_count() == 2);

  f.now = kStart + 366 * kDay;  // past a year: the plain read goes, the hit read stays
  CHECK(retention.run_once() == 1);
  CHECK(f.store->read_count() == 1);
  CHECK_FALSE(fs::exists(plain_crop));
  CHECK(f.store->hits(std::nullopt, std::nullopt, 10).size() == 1);

  f.now = kStart + 731 * kDay;  // past two years: the hit read and its hit go too
  CHECK(retention.run_once() == 1);
  CHECK(f.store->read_count() == 0);
  CHECK(f.store->hits(std::nullopt, std::nullopt, 10).empty());
}

TEST_CASE("retention runs on its interval", "[retention]") {
  Fixture f;
  Retention retention(*f.store, *f.store, RetentionSettings{365, 730, 3600}, [&] { return f.now; });
  retention.run_once();
  REQUIRE(f.store->insert_read(f.read_of("XY99ZZZ"), f.now, false, "", ""));
  f.now += 400 * kDay;
  CHECK(retention.tick() == 0);  // ran long ago: runs now
  CHECK(f.store->read_count() == 0);
  REQUIRE(f.store->insert_read(f.read_of("XY99ZZZ"), f.now - 400 * kDay, false, "", ""));
  CHECK(retention.tick() == 0);  // ran a moment ago: waits
  CHECK(f.store->read_count() == 1);
}

TEST_CASE("dead letters are purged after their days and beyond their cap, every minute", "[retention]") {
  // Regression: never purged (72 MB in two minutes of garbage).
  Fixture f;
  RetentionSettings settings;
  settings.dead_letter_days = 7;
  settings.dead_letter_max = 100;
  Retention retention(*f.store, *f.store, settings, [&] { return f.now; });
  for (int i = 0; i < 30; ++i) f.store->insert_dead_letter("t", "old garbage", "bad", f.now - 8 * kDay);
  for (int i = 0; i < 150; ++i)
    f.store->insert_dead_letter("t", "garbage " + std::to_string(i), "bad", f.now - i);
  CHECK(f.store->dead_letter_count() == 180);
  retention.tick();
  CHECK(f.store->dead_letter_count() == 100);  // the 30 old ones and the 50 oldest beyond the cap
  CHECK(f.store->dead_letters(1).front().received_at == f.now - 149);  // the last to arrive is kept
  for (int i = 0; i < 10; ++i) f.store->insert_dead_letter("t", "more", "bad", f.now);
  f.now += 30'000;
  retention.tick();
  CHECK(f.store->dead_letter_count() == 110);  // not yet a minute since the last purge
  f.now += 31'000;
  retention.tick();
  CHECK(f.store->dead_letter_count() == 100);
}

TEST_CASE("a new entry raises retrospective hits for reads of the last days", "[retention][watchlist]") {
  Fixture f;
  auto old_read = f.read_of("NE55TED");
  old_read.captured_at = old_read.first_seen = old_read.last_seen = kStart - 40 * kDay;
  REQUIRE(f.store->insert_read(old_read, kStart, false, "", ""));
  REQUIRE(f.store->insert_read(f.read_of("NE55TED"), kStart, false, "", ""));
  REQUIRE(f.store->insert_read(f.read_of("NE55TEF"), kStart, false, "", ""));
  const WatchlistInfo list{"Stolen", "stolen-vehicle", 0, "#f00", "Stop"};
  const WatchlistEntry exact{"Stolen", "NE55TED", "new report", "sup", kStart, std::nullopt};
  const auto hits = raise_retrospective_hits(*f.store, *f.store, exact, list, 30, kStart + 1000);
  REQUIRE(hits.size() == 1);  // the 40-day-old read is outside the look-back
  CHECK(hits[0].match_kind == "retrospective-exact");
  const WatchlistEntry pattern{"Stolen", "NE55TE?", "partial", "sup", kStart, std::nullopt};
  CHECK(raise_retrospective_hits(*f.store, *f.store, pattern, list, 30, kStart + 1000).size() == 2);
  CHECK(f.store->hits(std::nullopt, std::nullopt, 10).size() == 3);
}

TEST_CASE("hits move new -> acknowledged -> closed and no other way", "[store][hits]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{}, [&] { return f.now; });
  const auto out = ingest.handle("anpr/v1/coalville/cam1/read", encode(f.read_of("AB12CDE")));
  REQUIRE(out.hits.size() == 1);
  const std::string id = out.hits[0].hit_id;
  CHECK_FALSE(f.store->close_hit(id, "op1", "too early", f.now));
  CHECK(f.store->acknowledge_hit(id, "op1", "units sent", f.now + 5));
  CHECK_FALSE(f.store->acknowledge_hit(id, "op2", "again", f.now + 6));
  auto h = f.store->hits(std::nullopt, std::string("acknowledged"), 10);
  REQUIRE(h.size() == 1);
  CHECK(h[0].acknowledged_by == "op1");
  CHECK(h[0].acknowledged_at == f.now + 5);
  CHECK(h[0].note == "units sent");
  CHECK(f.store->close_hit(id, "op1", "vehicle recovered", f.now + 10));
  CHECK(f.store->hits(std::nullopt, std::string("closed"), 10).size() == 1);
  CHECK_FALSE(f.store->acknowledge_hit("no-such-hit", "op1", "", f.now));
}
