// The analyses of docs/analysis.md on generated read histories with known answers: a clone
// pair, a speeding vehicle, a convoy, an event spike, first-seen plates; on SQLite and PostgreSQL.
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <set>

#include <sqlite3.h>

#include "../support/csv_errors.hpp"
#include "../support/postgres_server.hpp"
#include "../support/sample_messages.hpp"
#include "../support/sample_store.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/analysis/analysis_service.hpp"
#include "anpr/receiver/analysis/average_speed.hpp"
#include "anpr/receiver/analysis/sections_csv.hpp"
#include "anpr/receiver/ingest/ingestor.hpp"
#include "anpr/receiver/store/store.hpp"

using namespace anpr;
using namespace anpr::receiver;
using namespace anpr::receiver::analysis;
namespace fs = std::filesystem;

namespace {

constexpr TimestampMs kMinute = 60'000;
const TimestampMs kStart = *parse_iso8601("2026-06-01T00:00:00Z");  // the history's first day

std::string temp_database(const std::string& backend) {
  if (backend == "postgresql") return test::shared_postgres().create_database();
  return (anpr::test::scratch_dir() / ("anpr-analysis-" + make_uuid() + ".db")).string();
}

/// Four cameras around Coalville, North West Leicestershire, and one 256 km away in Dover.
void register_cameras(Store& store) {
  store.upsert_camera(test::registered_camera("coalville", "coalville", "Coalville A511", 52.7245, -1.3706));
  store.upsert_camera(test::registered_camera("ashby", "ashby", "Ashby A511", 52.7460, -1.4760));
  store.upsert_camera(
      test::registered_camera("donington", "castle-donington", "Circuit gate", 52.8430, -1.3380));
  store.upsert_camera(test::registered_camera("measham", "measham", "Measham", 52.7080, -1.5080));
  store.upsert_camera(test::registered_camera("dover", "dover", "Dover docks", 51.1279, 1.3134));
}

struct History {
  std::unique_ptr<Store> store;
  std::vector<std::string> read_ids;  ///< every stored read
  std::string add(const std::string& plate, const std::string& camera, TimestampMs at,
                  double confidence = 0.95) {
    ReadMessage m = test::sample_read(plate, camera, at);
    m.site_id = camera == "donington" ? "castle-donington" : camera;
    m.confidence = confidence;
    store->insert_read(m, at, false, "", "");
    read_ids.push_back(m.read_id);
    return m.read_id;
  }
};

std::string random_plate(std::mt19937& rng) {
  const std::string letters = "ABCDEFGHJKLMNOPRSTUVWXYZ";
  auto l = [&] { return letters[rng() % letters.size()]; };
  auto d = [&] { return static_cast<char>('0' + rng() % 10); };
  return std::string{l(), l(), d(), d(), l(), l(), l()};
}

/// Background traffic: every camera, one vehicle every ~2 minutes for `days` days, random plates.
void background(History& h, int days, unsigned seed) {
  std::mt19937 rng(seed);
  h.store->in_transaction([&] {
    for (const char* camera : {"coalville", "ashby", "donington", "measham"}) {
      for (TimestampMs t = kStart; t < kStart + days * kDayMs;
           t += 60'000 + static_cast<TimestampMs>(rng() % 120'000)) {
        h.add(random_plate(rng), camera, t);
      }
    }
  });
}

AnalysisCaller caller(const std::string& reason = "test: known answers") {
  return {"tester", reason, kStart + 40 * kDayMs};
}

Params period(int first_day, int last_day) {
  return {{"from", to_iso8601(kStart + first_day * kDayMs)}, {"to", to_iso8601(kStart + last_day * kDayMs)}};
}

}  // namespace

TEST_CASE("analyses find the clone, the speeder, the convoy, the event and the new plates", "[analysis]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO("store: " << backend);
  History h{open_store(temp_database(backend)), {}};
  register_cameras(*h.store);
  background(h, 3, 20261126);

  // A clone: Coalville at 10:00 and Dover (256 km) 20 minutes later. A second plate that drives
  // Coalville -> Ashby (7.5 km) in 12 minutes is no clone; nor is a misread (confidence 0.5).
  const TimestampMs day1 = kStart + kDayMs;
  const std::string clone_a = h.add("CL0NE11", "coalville", day1 + 10 * 60 * kMinute);
  const std::string clone_b = h.add("CL0NE11", "dover", day1 + 10 * 60 * kMinute + 20 * kMinute);
  h.add("FA57CAR", "coalville", day1 + 11 * 60 * kMinute);
  h.add("FA57CAR", "ashby", day1 + 11 * 60 * kMinute + 12 * kMinute);
  h.add("MI5READ", "coalville", day1 + 12 * 60 * kMinute);
  h.add("MI5READ", "dover", day1 + 12 * 60 * kMinute + 5 * kMinute, 0.5);

  // Average speed: Ashby -> Coalville, 8,000 m of road, 40 mph. Twenty vehicles at ~37 mph
  // (8 min), one at 60 mph (5 min): over 40 + 10% + 2 = 46 mph.
  h.store->upsert_section({"A511 Ashby-Coalville", "ashby", "coalville", 8000, 40});
  for (int i = 0; i < 20; ++i) {
    const std::string plate = "SP" + std::to_string(10 + i) + "SAF";
    const TimestampMs t = day1 + 14 * 60 * kMinute + i * 2 * kMinute;
    h.add(plate, "ashby", t);
    h.add(plate, "coalville", t + 8 * kMinute);
  }
  h.add("SP99FST", "ashby", day1 + 15 * 60 * kMinute);
  h.add("SP99FST", "coalville", day1 + 15 * 60 * kMinute + 5 * kMinute);

  // A convoy: the target at four cameras on day 2, a follower 4 s behind it every time; another
  // vehicle beside it only once.
  const TimestampMs day2 = kStart + 2 * kDayMs;
  int stop = 0;
  for (const char* camera : {"coalville", "ashby", "measham", "donington"}) {
    const TimestampMs t = day2 + (9 * 60 + 30 * stop++) * kMinute + 17'000;
    h.add("TA12GET", camera, t);
    h.add("F0LL0WR", camera, t + 4'000);
  }
  h.add("0NE0FF1", "ashby", day2 + (9 * 60 + 30) * kMinute + 17'000 - 3'000);

  // An event: on day 2, 12:00-18:00, 400 extra reads at the circuit gate.
  std::mt19937 rng(7);
  h.store->in_transaction([&] {
    for (int i = 0; i < 400; ++i)
      h.add(random_plate(rng), "donington", day2 + 12 * 60 * kMinute + i * 54'000);
  });

  SECTION("clones") {
    const auto out = run_analysis(*h.store, "clones", period(0, 3), caller());
    REQUIRE(out.json["alerts"].size() == 1);
    const auto& a = out.json["alerts"][0];
    CHECK(a["plate"] == "CL0NE11");
    CHECK(a["earlier"]["read_id"] == clone_a);
    CHECK(a["later"]["read_id"] == clone_b);
    CHECK(a["earlier"]["camera_name"] == "Coalville A511");
    CHECK(a["distance_km"].get<double>() == Approx(256).margin(2));  // as the crow flies
    CHECK(a["implied_mph"].get<double>() > 400);
    CHECK(out.csv.find("CL0NE11,") != std::string::npos);
    // A higher ceiling still flags it; one above its implied speed does not.
    CHECK(run_analysis(*h.store, "clones",
                       {{"from", period(0, 3)["from"]}, {"to", period(0, 3)["to"]}, {"ceiling_mph", "500"}},
                       caller())
              .json["alerts"]
              .empty());
  }
  SECTION("average speed") {
    auto p = period(1, 2);
    p["section"] = "A511 Ashby-Coalville";
    const auto out = run_analysis(*h.store, "speed", p, caller());
    CHECK(out.json["vehicles"] == 21);
    REQUIRE(out.json["passes"].size() == 21);  // every vehicle's average speed
    CHECK(out.json["passes"][0]["mph"].get<double>() == Approx(8.0 / 1.609344 / 8 * 60).epsilon(0.001));
    CHECK(out.json["threshold_mph"].get<double>() == Approx(46));
    REQUIRE(out.json["offenders"].size() == 1);
    CHECK(out.json["offenders"][0]["plate"] == "SP99FST");
    CHECK(out.json["offenders"][0]["mph"].get<double>() == Approx(8.0 / 1.609344 * 12).epsilon(0.001));
    CHECK(out.json["median_mph"].get<double>() == Approx(8.0 / 1.609344 / 8 * 60).epsilon(0.001));
    // 14:00-15:00 holds vehicles 0-19 entering at 2-minute steps (15:00 the fast one alone).
    REQUIRE(out.json["hours"].size() == 2);
    CHECK(out.json["hours"][0]["vehicles"] == 20);
    CHECK(out.json["hours"][0]["share_over_limit"].get<double>() == 0.0);
    CHECK(out.json["hours"][1]["share_over_limit"].get<double>() == 1.0);
    CHECK(std::count(out.csv.begin(), out.csv.end(), '\n') == 22);  // header + 21 passes
  }
  SECTION("convoy") {
    auto p = period(2, 3);
    p["plate"] = "TA12GET";
    const auto out = run_analysis(*h.store, "convoy", p, caller());
    CHECK(out.json["target_sightings"] == 4);
    REQUIRE(!out.json["candidates"].empty());
    const auto& top = out.json["candidates"][0];
    CHECK(top["plate"] == "F0LL0WR");
    CHECK(top["sightings"] == 4);
    CHECK(top["cameras"] == 4);
    CHECK(top["mean_gap_s"].get<double>() == Approx(4.0));
    for (const auto& c : out.json["candidates"]) CHECK(c["plate"] != "0NE0FF1");  // beside it once only
    CHECK(out.json["note"].get<std::string>().find("false leads") != std::string::npos);
  }
  SECTION("hotspots: the event against the day before") {
    const Params p = {{"from", to_iso8601(day2 + 12 * 60 * kMinute)},
                      {"to", to_iso8601(day2 + 18 * 60 * kMinute)},
                      {"baseline_from", to_iso8601(day1 + 12 * 60 * kMinute)},
                      {"baseline_to", to_iso8601(day1 + 18 * 60 * kMinute)}};
    const auto out = run_analysis(*h.store, "hotspots", p, caller());
    const auto& cameras = out.json["cameras"];
    // The four local cameras, and Dover: one read in the baseline, none in the period.
    REQUIRE(cameras.size() == 5);
    CHECK(cameras[0]["camera_id"] == "donington");    // the busiest first
    CHECK(cameras[0]["change"].get<double>() > 1.5);  // 67 extra an hour on ~30 an hour
    for (std::size_t i = 1; i < 4; ++i) CHECK(std::abs(cameras[i]["change"].get<double>()) < 0.5);
    CHECK(cameras[4]["camera_id"] == "dover");
    CHECK(cameras[4]["reads"] == 0);
    CHECK(cameras[4]["change"] == -1.0);
    CHECK(cameras[0]["buckets"].size() == 6);  // hourly
    std::int64_t total = 0;
    for (const auto& t : out.json["totals"]) total += t["reads"].get<std::int64_t>();
    std::int64_t by_hour = 0;
    for (const auto& n : out.json["reads_by_hour_of_day"]) by_hour += n.get<std::int64_t>();
    CHECK(total == by_hour);
    CHECK(out.json["reads_by_hour_of_day"][3] == 0);  // 03:00 is outside the period
    CHECK(out.csv.rfind("camera_id,camera_name,site_id,bucket,reads,hits\n", 0) == 0);
  }
  SECTION("first-seen plates at a site") {
    h.add("0LD0NE1", "measham", kStart + 6 * 60 * kMinute);           // day 0: seen before
    h.add("0LD0NE1", "measham", kStart + 2 * kDayMs + 9 * kMinute);   // ... and in the period
    h.add("N3WC0M3", "measham", kStart + 2 * kDayMs + 20 * kMinute);  // only in the period
    h.add("N3WC0M3", "coalville", kStart + 6 * 60 * kMinute);         // earlier, but another site
    Params p = period(2, 3);
    p["site"] = "measham";
    p["lookback_days"] = "2";
    const auto out = run_analysis(*h.store, "first-seen", p, caller());
    std::set<std::string> plates;
    for (const auto& f : out.json["plates"]) plates.insert(f["plate"].get<std::string>());
    CHECK(plates.count("N3WC0M3") == 1);
    CHECK(plates.count("0LD0NE1") == 0);
    CHECK(plates.count("TA12GET") == 1);
  }
  SECTION("every run is audited with its reason; bad input names the parameter and audits nothing") {
    const auto before = h.store->audit_log(100).size();
    (void)run_analysis(*h.store, "hotspots", period(0, 1), caller("event review, ref 42"));
    const auto log = h.store->audit_log(1);
    REQUIRE(log.size() == 1);
    CHECK(log[0].action == "analysis-hotspots");
    CHECK(log[0].reason == "event review, ref 42");
    CHECK(log[0].actor == "tester");
    CHECK_THROWS_WITH(run_analysis(*h.store, "clones", period(0, 1), caller("")),
                      Catch::Contains("reason is required"));
    CHECK_THROWS_WITH(run_analysis(*h.store, "speed", period(0, 1), caller()),
                      Catch::Contains("section is required"));
    CHECK_THROWS_WITH(run_analysis(*h.store, "speed", {{"section", "nowhere"}}, caller()),
                      Catch::Contains("known: A511 Ashby-Coalville"));
    CHECK_THROWS_WITH(run_analysis(*h.store, "clones", {{"ceiling_mph", "fast"}}, caller()),
                      Catch::Contains("ceiling_mph 'fast': not a number"));
    CHECK_THROWS_WITH(
        run_analysis(*h.store, "hotspots", {{"from", "2026-06-03T00:00:00Z"}, {"to", "2026-06-02T00:00:00Z"}},
                     caller()),
        Catch::Contains("must be before to"));
    CHECK_THROWS_WITH(run_analysis(*h.store, "convoy", {{"plate", "AB*"}}, caller()),
                      Catch::Contains("not a pattern"));
    CHECK_THROWS_WITH(run_analysis(*h.store, "nonsense", {}, caller()), Catch::Contains("unknown"));
    CHECK(h.store->audit_log(100).size() == before + 1);
  }
}

TEST_CASE("hourly counts: kept as reads are stored, once per read, late reads in their own hour",
          "[analysis]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  const TimestampMs t = kStart + 10 * 60 * kMinute;
  ReadMessage m = test::sample_read("AB12CDE", "cam1", t + 5 * kMinute);
  REQUIRE(store->insert_read(m, t, false, "", ""));
  REQUIRE_FALSE(store->insert_read(m, t, false, "", ""));  // redelivered: stored and counted once
  REQUIRE(store->insert_read(test::sample_read("XY12ZZZ", "cam1", t + 59 * kMinute), t, false, "", ""));
  // A read replayed from an edge's spool a day later counts in the hour it was captured.
  REQUIRE(store->insert_read(test::sample_read("LA73REA", "cam1", t - 3 * 60 * kMinute), t + kDayMs, false,
                             "", ""));
  const auto hourly = store->camera_counts(t - 4 * 60 * kMinute, t + 60 * kMinute, kHourMs);
  REQUIRE(hourly.size() == 2);
  CHECK(hourly[0].bucket == t - 3 * 60 * kMinute);
  CHECK(hourly[0].reads == 1);
  CHECK(hourly[1].bucket == t);
  CHECK(hourly[1].reads == 2);
  const auto daily = store->camera_counts(kStart, kStart + kDayMs, kDayMs);
  REQUIRE(daily.size() == 1);
  CHECK(daily[0].reads == 3);
}

TEST_CASE("a database from before the hourly counts gets them filled from its reads", "[analysis]") {
  const auto path = temp_database("sqlite");
  {
    auto store = open_store(path);
    for (int i = 0; i < 5; ++i)
      store->insert_read(test::sample_read("AB12CD" + std::to_string(i), "cam1", kStart + i * 1000), kStart,
                         false, "", "");
  }
  // Back to schema 4, as a receiver of the previous release left it.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "DROP TABLE camera_hour_counts; DROP INDEX reads_camera_time_plate;"
                       " CREATE INDEX reads_camera_time ON reads (camera_id, captured_at);"
                       " DROP INDEX reads_received;"  // step 6, after it
                       " DROP TABLE camera_faults;"   // step 7
                       " DELETE FROM schema_migrations WHERE version >= 5;",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto store = open_store(path);
  const auto counts = store->camera_counts(kStart, kStart + kHourMs, kHourMs);
  REQUIRE(counts.size() == 1);
  CHECK(counts[0].reads == 5);
}

TEST_CASE("a read far from the plate's last sighting raises a possible-clone hit as it is stored",
          "[analysis]") {
  const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO("store: " << backend);
  auto store = open_store(temp_database(backend));
  register_cameras(*store);
  Ingestor ingest(*store, IngestSettings{});
  const TimestampMs t = kStart + 10 * 60 * kMinute;
  auto publish = [&](const std::string& plate, const std::string& camera, TimestampMs at) {
    ReadMessage m = test::sample_read(plate, camera, at);
    m.site_id = camera;
    const auto out = ingest.handle("anpr/v1/" + camera + "/" + camera + "/read", encode(m));
    REQUIRE(out.result == IngestResult::kStored);
    return std::make_pair(m.read_id, out.hits);
  };
  const auto [first, none] = publish("CL0NE11", "coalville", t);
  CHECK(none.empty());
  const auto [second, hits] = publish("CL0NE11", "dover", t + 20 * kMinute);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].category == kCloneCategory);
  CHECK(hits[0].match_kind == "clone");
  CHECK(hits[0].read_id == second);
  CHECK(hits[0].related_read_id == first);
  CHECK(hits[0].reason.find("Coalville A511") != std::string::npos);
  // Stored with the other sighting, so the control room can show both images.
  const auto stored = store->hits(std::nullopt, std::nullopt, 10);
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].hit.related_read_id == first);
  // A read out of order (an edge replaying its spool) is checked against the later sighting too.
  const auto [third, late] = publish("CL0NE11", "ashby", t + 5 * kMinute);
  CHECK(late.size() == 1);
  // Possible by road: no hit.
  publish("FA57CAR", "coalville", t);
  CHECK(publish("FA57CAR", "ashby", t + 12 * kMinute).second.empty());
  // A camera without a position cannot be judged.
  CHECK(publish("CL0NE11", "unplaced", t + 21 * kMinute).second.empty());
}

TEST_CASE("speed sections from CSV: every bad row reported with its line", "[analysis]") {
  const auto ok =
      parse_sections_csv("name,from_camera,to_camera,distance_m,limit_mph\nA511,ashby,coalville,8000,40\n");
  REQUIRE(ok.errors.empty());
  REQUIRE(ok.sections.size() == 1);
  CHECK(ok.sections[0].distance_m == 8000);
  const auto bad = parse_sections_csv(
      "A511,ashby,coalville,8000,40\nB1,ashby,ashby,100,30\nB2,a,b,-5,30\nB3,a,b,100,fast\n"
      "A511,ashby,coalville,8000,40\nB4,a,b\n");
  test::check_error_messages(bad.errors, {"the same camera", "distance_m '-5'", "limit_mph 'fast'",
                                          "appears twice", "found 3 fields"});
  CHECK(bad.errors[0].line == 2);
}

TEST_CASE("percentiles interpolate", "[analysis]") {
  CHECK(percentile({}, 50) == 0);
  CHECK(percentile({30, 10, 20}, 50) == 20);
  CHECK(percentile({10, 20, 30, 40}, 85) == Approx(35.5));
}
