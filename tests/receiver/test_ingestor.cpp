#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "../support/sample_messages.hpp"
#include "../support/sample_sqlite_store.hpp"
#include "../support/sample_store.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/time.hpp"
#include "anpr/common/topics.hpp"
#include "anpr/receiver/ingest/ingestor.hpp"

using namespace anpr;
using namespace anpr::receiver;
namespace fs = std::filesystem;

namespace {

struct Fixture : test::SampleSqliteStore {
  Fixture() : SampleSqliteStore("anpr-ingest-") {}
  /// Ingest that keeps images in this folder.
  [[nodiscard]] IngestSettings with_images() const { return IngestSettings{dir.string(), {}, {}}; }
  /// The folder of the images of `read`'s day.
  [[nodiscard]] fs::path day_of(const ReadMessage& read) const {
    return dir / "images" / to_iso8601(read.captured_at).substr(0, 10);
  }
};

ReadMessage read_of(const std::string& plate, const std::string& camera = "cam1") {
  return test::sample_read(plate, camera);
}

std::string topic_of(const ReadMessage& m) { return camera_topic(m.site_id, m.camera_id, TopicKind::kRead); }

}  // namespace

TEST_CASE("a listed plate is stored, raises a hit, and its crop is kept on disk", "[ingest]") {
  Fixture f;
  Ingestor ingest(*f.store, f.with_images(), [] { return TimestampMs{1795590300000}; });
  const auto r = read_of("AB12CDE");
  const auto out = ingest.handle(topic_of(r), encode(r));
  CHECK(out.result == IngestResult::kStored);
  REQUIRE(out.hits.size() == 1);
  CHECK(out.hits[0].list == "Stolen");
  CHECK(out.hits[0].match_kind == "exact");
  CHECK(f.store->hits(std::nullopt, std::nullopt, 10).size() == 1);
  CHECK(fs::exists(f.dir / "images" / "2026-11-25" / (r.read_id + "-crop.jpg")));
}

TEST_CASE("the same read delivered twice is stored and checked once", "[ingest]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{});
  const auto r = read_of("AB12CDE");
  CHECK(ingest.handle(topic_of(r), encode(r)).result == IngestResult::kStored);
  const auto again = ingest.handle(topic_of(r), encode(r));
  CHECK(again.result == IngestResult::kDuplicate);
  CHECK(again.hits.empty());
  CHECK(f.store->read_count() == 1);
  CHECK(f.store->hits(std::nullopt, std::nullopt, 10).size() == 1);
}

namespace {

Bytes read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

/// Every file under the image folder, by name.
std::vector<std::string> image_files(const fs::path& dir) {
  std::vector<std::string> names;
  if (!fs::exists(dir / "images")) return names;
  for (const auto& e : fs::recursive_directory_iterator(dir / "images")) {
    if (e.is_regular_file()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("a duplicate read id leaves the first read's images byte-identical and writes nothing",
          "[ingest][evidence]") {
  // Regression: the images were written before the store was asked whether the read was new, so
  // a redelivery (or anyone who can publish) replaced the evidence of a stored read.
  Fixture f;
  Ingestor ingest(*f.store, f.with_images());
  auto first = read_of("AB12CDE");
  first.crop_jpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0x01, 0x02, 0xFF, 0xD9};
  first.overview_jpeg = Bytes{0xFF, 0xD8, 0xFF, 0xE0, 0x03, 0x04, 0xFF, 0xD9};
  REQUIRE(ingest.handle(topic_of(first), encode(first)).result == IngestResult::kStored);
  const auto before = image_files(f.dir);
  REQUIRE(before.size() == 2);
  const fs::path day = f.day_of(first);
  const Bytes crop = read_bytes(day / (first.read_id + "-crop.jpg"));
  const Bytes overview = read_bytes(day / (first.read_id + "-overview.jpg"));
  CHECK(crop == first.crop_jpeg);

  auto forged = first;  // same read id, other pictures and plate
  forged.plate = "XY99ZZZ";
  forged.crop_jpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0x66, 0x66, 0xFF, 0xD9};
  forged.overview_jpeg = Bytes{0xFF, 0xD8, 0xFF, 0xE0, 0x77, 0x77, 0xFF, 0xD9};
  CHECK(ingest.handle(topic_of(forged), encode(forged)).result == IngestResult::kDuplicate);
  CHECK(ingest.handle_batch({{topic_of(forged), encode(forged)}}).front().result == IngestResult::kDuplicate);
  CHECK(read_bytes(day / (first.read_id + "-crop.jpg")) == crop);
  CHECK(read_bytes(day / (first.read_id + "-overview.jpg")) == overview);
  CHECK(image_files(f.dir) == before);  // no temporaries left either
  CHECK(f.store->read_count() == 1);
}

TEST_CASE("the database, the image folders and the images are for the receiver's user only",
          "[ingest][evidence]") {
  // Regression: created 0644 and 0755, so any local user could read who drove where.
  Fixture f;
  Ingestor ingest(*f.store, f.with_images());
  const auto r = read_of("AB12CDE");
  REQUIRE(ingest.handle(topic_of(r), encode(r)).result == IngestResult::kStored);
  const auto mode = [](const fs::path& p) { return fs::status(p).permissions() & fs::perms::all; };
  const fs::path day = f.day_of(r);
  CHECK(mode(f.dir / "anpr.db") == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(mode(f.dir / "images") == fs::perms::owner_all);
  CHECK(mode(day) == fs::perms::owner_all);
  CHECK(mode(day / (r.read_id + "-crop.jpg")) == (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("a rejected read leaves no image on disk", "[ingest][evidence]") {
  Fixture f;
  Ingestor ingest(*f.store, f.with_images());
  const auto r = read_of("AB12CDE");
  CHECK(ingest.handle("anpr/v1/other-site/cam1/read", encode(r)).result == IngestResult::kRejected);
  CHECK(image_files(f.dir).empty());
}

TEST_CASE("the startup sweep completes committed temporaries and removes orphan images older than its age",
          "[ingest][evidence]") {
  Fixture f;
  Ingestor ingest(*f.store, f.with_images());
  const auto stored = read_of("AB12CDE");
  REQUIRE(ingest.handle(topic_of(stored), encode(stored)).result == IngestResult::kStored);
  const fs::path day = f.day_of(stored);
  const fs::path crop = day / (stored.read_id + "-crop.jpg");
  REQUIRE(fs::exists(crop));
  // As a crash between the commit and the rename leaves it: the row names a file not there yet.
  fs::rename(crop, fs::path(crop.string() + ".tmp-1a2b3c4d"));
  const std::string stranger = make_uuid();
  std::ofstream(day / (stranger + "-crop.jpg")) << "orphan of a rolled-back batch";
  std::ofstream(day / (stranger + "-overview.jpg.tmp-00000000")) << "abandoned temporary";
  std::ofstream(day / "notes.txt") << "not ours";
  const auto old = fs::file_time_type::clock::now() - std::chrono::minutes(5);
  for (const auto& e : fs::directory_iterator(day)) fs::last_write_time(e.path(), old);
  // Written a moment ago, perhaps by a receiver beside this one that has yet to commit.
  const fs::path fresh = day / (make_uuid() + "-crop.jpg");
  std::ofstream(fresh) << "written just now";

  const SweepResult swept = EvidenceImages(f.dir.string()).sweep_orphans(*f.store);
  CHECK(swept.completed == 1);
  CHECK(swept.removed == 2);
  CHECK(fs::exists(crop));
  CHECK_FALSE(fs::exists(day / (stranger + "-crop.jpg")));
  CHECK_FALSE(fs::exists(day / (stranger + "-overview.jpg.tmp-00000000")));
  CHECK(fs::exists(day / "notes.txt"));
  CHECK(fs::exists(fresh));  // younger than a minute: left alone
}

TEST_CASE("every class of bad input is kept as a dead letter with its reason", "[ingest][rejects]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{});
  const auto good = read_of("AB12CDE");
  const std::string topic = topic_of(good);
  nlohmann::json j = nlohmann::json::parse(encode(good));
  auto with = [&](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json copy = j;
    edit(copy);
    return copy.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {encode(good).substr(0, 100), "not valid JSON"},
      {"{\"plate\": \"\xFF\xFE\"}", "UTF-8"},
      {with([](auto& x) { x["confidence"] = "high"; }), "confidence: must be a number"},
      {with([](auto& x) { x.erase("read_id"); }), "read_id: is required"},
      {std::string(3 * 1024 * 1024, ' '), "the limit is"},
      {with([](auto& x) { x["plate"] = "AB 12"; }), "plate:"},
      {with([](auto& x) { x["schema_version"] = 9; }), "schema_version"},
      {with([](auto& x) { x["crop_jpeg"] = "iVBORw0KGgo="; }), "not a JPEG"},
  };
  for (const auto& [payload, reason] : cases) {
    const auto out = ingest.handle(topic, payload);
    CHECK(out.result == IngestResult::kRejected);
    CHECK_THAT(out.error, Catch::Contains(reason));
  }
  CHECK(ingest.handle("anpr/v1/other-site/cam1/read", encode(good)).error.find("topic names") !=
        std::string::npos);
  CHECK(ingest.handle("somewhere/else", "x").result == IngestResult::kRejected);
  CHECK(f.store->dead_letters(100).size() == cases.size() + 2);
  CHECK(f.store->read_count() == 0);
  CHECK(ingest.counters().rejected == static_cast<std::int64_t>(cases.size() + 2));
}

TEST_CASE("reads from unregistered cameras are kept and flagged", "[ingest]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{});
  const auto r = read_of("XY99ZZZ", "cam9");
  CHECK(ingest.handle(topic_of(r), encode(r)).result == IngestResult::kStored);
  const auto s = f.store->movements("XY99ZZZ", 0, 4102444800000, 10);
  REQUIRE(s.size() == 1);
  CHECK(s[0].unknown_camera);
}

TEST_CASE("a batch's cameras are looked up together: one registered since the registry was loaded is known",
          "[ingest][cameras]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{});
  // Registered after the ingestor loaded the registry.
  f.store->upsert_camera(test::registered_camera("cam5", "coalville", "Station Rd"));
  const auto known = read_of("AA11AAA", "cam1"), registered_since = read_of("BB22BBB", "cam5"),
             unknown = read_of("CC33CCC", "cam9");
  const auto outcomes = ingest.handle_batch({{topic_of(known), encode(known)},
                                             {topic_of(registered_since), encode(registered_since)},
                                             {topic_of(unknown), encode(unknown)}});
  REQUIRE(outcomes.size() == 3);
  auto flagged = [&](const ReadMessage& r) {
    const auto s = f.store->movements(r.plate, 0, 4102444800000, 10);
    REQUIRE(s.size() == 1);
    return s[0].unknown_camera;
  };
  CHECK_FALSE(flagged(known));
  CHECK_FALSE(flagged(registered_since));
  CHECK(flagged(unknown));
}

TEST_CASE("a new watchlist version takes effect for the next read without a restart", "[ingest][watchlist]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{});
  auto first = read_of("NE55TED");
  CHECK(ingest.handle(topic_of(first), encode(first)).hits.empty());
  f.store->add_entry({"Stolen", "NE55TED", "added now", "sup", 2, std::nullopt});
  CHECK(ingest.refresh_watchlists());
  CHECK_FALSE(ingest.refresh_watchlists());  // nothing changed since
  auto second = read_of("NE55TED");
  CHECK(ingest.handle(topic_of(second), encode(second)).hits.size() == 1);
}

TEST_CASE("status and health messages update the camera", "[ingest][cameras]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{});
  const StatusMessage st{"cam1", "coalville", CameraState::kOffline, 1795590299000, "0.1.0"};
  CHECK(ingest.handle(camera_topic("coalville", "cam1", TopicKind::kStatus), encode(st)).result ==
        IngestResult::kStatus);
  CHECK(f.store->camera("cam1")->state == "offline");
  CHECK(ingest.handle(camera_topic("ashby", "cam1", TopicKind::kStatus), encode(st)).result ==
        IngestResult::kRejected);
}

TEST_CASE("a batch is stored in one transaction: every read once, bad ones rejected, hits kept", "[ingest]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{});
  const auto listed = read_of("AB12CDE");
  const auto other = read_of("XY65ZZT");
  const std::vector<std::pair<std::string, std::string>> batch = {
      {topic_of(listed), encode(listed)},
      {topic_of(other), encode(other)},
      {topic_of(other), encode(other)},              // redelivered inside the same batch
      {topic_of(other), "{\"schema\": 1, \"trunc"},  // damaged
  };
  const auto outcomes = ingest.handle_batch(batch);
  REQUIRE(outcomes.size() == 4);
  CHECK(outcomes[0].result == IngestResult::kStored);
  CHECK(outcomes[0].hits.size() == 1);
  CHECK(outcomes[1].result == IngestResult::kStored);
  CHECK(outcomes[2].result == IngestResult::kDuplicate);
  CHECK(outcomes[3].result == IngestResult::kRejected);
  CHECK(f.store->read_count() == 2);
  CHECK(f.store->hits(std::nullopt, std::nullopt, 10).size() == 1);
  CHECK(f.store->dead_letters(10).size() == 1);
}

TEST_CASE("a failed batch commit stores nothing of it", "[ingest]") {
  Fixture f;
  const auto r = read_of("XY65ZZT");
  CHECK_THROWS(f.store->in_transaction([&] {
    CHECK(f.store->insert_read(r, 1, false, "", ""));
    throw std::runtime_error("disk full");  // what a failing commit looks like to the caller
  }));
  CHECK(f.store->read_count() == 0);  // rolled back
  CHECK(f.store->insert_read(r, 1, false, "", ""));
}

TEST_CASE("a read that cannot be stored fails its batch: nothing committed, nothing to acknowledge",
          "[ingest]") {
  // Regression: a message whose storing threw was caught inside the batch, the batch committed
  // and the message was acknowledged to the broker unstored: a read lost with a log line.
  Fixture f;
  IngestSettings settings;
  settings.data_dir = f.dir.string();
  Ingestor ingest(*f.store, settings);
  const auto listed = read_of("AB12CDE");
  const auto other = read_of("XY65ZZT");
  // The day's image folder cannot be made (a file stands in its place, as a full or broken disk
  // would refuse it; a file, because root may write where permissions say no).
  const fs::path day = f.day_of(listed);
  fs::create_directories(day.parent_path());
  std::ofstream(day) << "in the way";
  const std::vector<std::pair<std::string, std::string>> batch = {{topic_of(other), encode(other)},
                                                                  {topic_of(listed), encode(listed)}};
  CHECK_THROWS(ingest.handle_batch(batch));
  CHECK(f.store->read_count() == 0);  // not even the read before it
  CHECK(f.store->hits(std::nullopt, std::nullopt, 10).empty());
  // The disk is fixed; the broker delivers the batch again: every read stored once.
  fs::remove(day);
  const auto outcomes = ingest.handle_batch(batch);
  CHECK(outcomes[0].result == IngestResult::kStored);
  CHECK(outcomes[1].result == IngestResult::kStored);
  CHECK(f.store->read_count() == 2);
  CHECK(f.store->hits(std::nullopt, std::nullopt, 10).size() == 1);
}

TEST_CASE("a stored read's row keeps the message as published, without its images", "[ingest]") {
  Fixture f;
  Ingestor ingest(*f.store, f.with_images());
  auto r = read_of("XY12ZZZ");
  r.overview_jpeg = Bytes{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xD9};
  auto r_without_images = r;
  r_without_images.crop_jpeg.clear();
  r_without_images.overview_jpeg.reset();
  // As the edge writes it: the same bytes as the read encoded again without its images.
  REQUIRE(ingest.handle(topic_of(r), encode(r)).result == IngestResult::kStored);
  CHECK(f.store->read_message(r.read_id) == encode(r_without_images));
  // Another publisher's spelling is kept (here the members in reverse order), the images still
  // taken out.
  const auto other = read_of("XY12ZZY");
  const auto canonical = nlohmann::ordered_json::parse(encode(other));
  std::vector<std::string> keys;
  for (const auto& item : canonical.items()) keys.insert(keys.begin(), item.key());
  auto published = nlohmann::ordered_json::object();
  for (const std::string& key : keys) published[key] = canonical[key];
  auto kept = published;
  kept["crop_jpeg"] = "";
  REQUIRE(ingest.handle_batch({{topic_of(other), published.dump()}})[0].result == IngestResult::kStored);
  CHECK(f.store->read_message(other.read_id) == kept.dump());
  // A member the schema does not have is not kept: the row has the read encoded again.
  const auto third = read_of("XY12ZZX");
  auto extra = nlohmann::json::parse(encode(third));
  extra["note"] = "not in the schema";
  REQUIRE(ingest.handle(topic_of(third), extra.dump()).result == IngestResult::kStored);
  auto third_without_images = third;
  third_without_images.crop_jpeg.clear();
  CHECK(f.store->read_message(third.read_id) == encode(third_without_images));
}
