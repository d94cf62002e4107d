// Evidence packs: a vehicle's movements exported as a ZIP that anyone can check, and audited.
#include <catch2/catch.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include "../support/sample_messages.hpp"
#include "../support/sample_store.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"
#include "anpr/receiver/evidence/evidence_pack.hpp"
#include "anpr/receiver/ingest/ingestor.hpp"

using namespace anpr;
using namespace anpr::receiver;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// Every file of a ZIP, read with libarchive (not with the code that wrote it).
std::map<std::string, std::string> unpack(const fs::path& zip) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(a.get());
  REQUIRE(archive_read_open_filename(a.get(), zip.c_str(), 1 << 16) == ARCHIVE_OK);
  std::map<std::string, std::string> files;
  archive_entry* entry = nullptr;
  while (archive_read_next_header(a.get(), &entry) == ARCHIVE_OK) {
    std::string bytes;
    char chunk[1 << 14];
    la_ssize_t n = 0;
    while ((n = archive_read_data(a.get(), chunk, sizeof chunk)) > 0)
      bytes.append(chunk, static_cast<std::size_t>(n));
    REQUIRE(n == 0);
    files[archive_entry_pathname(entry)] = bytes;
  }
  return files;
}

std::string sha256(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) == 1);
  std::string hex;
  char two[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(two, sizeof two, "%02x", digest[i]);
    hex += two;
  }
  return hex;
}

struct PackFixture {
  test::TempDir dir{"anpr-evidence"};
  std::unique_ptr<Store> store = open_store((dir / "anpr.db").string());
  std::vector<ReadMessage> reads;

  PackFixture() {
    store->replace_watchlist({"Stolen", "stolen-vehicle", 0, "#f00", "Stop"},
                             {{"Stolen", "AB12CDE", "stolen from a driveway", "sup", 1, std::nullopt}});
    store->upsert_camera(test::registered_camera("cam1", "coalville", "Belvoir Road", 52.7225, -1.37));
    IngestSettings settings;
    settings.data_dir = dir.path().string();
    Ingestor ingestor(*store, settings);
    for (int i = 0; i < 3; ++i) {  // the vehicle three times, and another vehicle
      reads.push_back(test::sample_read("AB12CDE", "cam1", 1795590299000 + i * 600'000));
      reads.back().overview_jpeg = Bytes{0xFF, 0xD8, 0xFF, 0xE0, static_cast<std::uint8_t>(i), 0xFF, 0xD9};
      reads.back().direction = {i == 0 ? Motion::kApproaching : Motion::kReceding,
                                i == 0 ? Lateral::kLeft : Lateral::kNone};
    }
    reads.push_back(test::sample_read("XY65ZZT", "cam1", 1795590299000 + 60'000));
    for (const auto& r : reads) {
      REQUIRE(ingestor.handle(camera_topic(r.site_id, r.camera_id, TopicKind::kRead), encode(r)).result ==
              IngestResult::kStored);
    }
  }
};

}  // namespace

TEST_CASE("an evidence pack holds every sighting with its images, and every file's hash checks",
          "[evidence]") {
  PackFixture f;
  const fs::path out = f.dir / "pack.zip";
  EvidencePackRequest request{
      "AB12CDE", 1795500000000, 1795700000000, "sup1", "  burglary at Ashby, crime ref 4521 ", 500};
  const auto summary = write_evidence_pack(*f.store, request, out);
  CHECK(summary.sightings == 3);
  CHECK(summary.images == 6);
  CHECK(summary.missing_images == 0);

  const auto files = unpack(out);
  REQUIRE(files.count("manifest.json") == 1);
  REQUIRE(files.count("SHA256SUMS") == 1);
  REQUIRE(files.count("report.html") == 1);
  const json manifest = json::parse(files.at("manifest.json"));
  CHECK(manifest["plate"] == "AB12CDE");
  CHECK(manifest["exported_by"] == "sup1");
  CHECK(manifest["reason"] == "burglary at Ashby, crime ref 4521");  // as audited
  CHECK(manifest["sightings"].size() == 3);
  CHECK(manifest["sightings"][0]["direction"] == "approaching, left");  // as the camera measured it
  CHECK(manifest["sightings"][1]["direction"] == "receding");
  // Every file but the two that list the others is in the manifest, with the right hash and size.
  std::size_t listed = 0;
  for (const auto& f_entry : manifest["files"]) {
    const std::string path = f_entry["path"];
    REQUIRE(files.count(path) == 1);
    CHECK(f_entry["sha256"] == sha256(files.at(path)));
    CHECK(f_entry["bytes"] == files.at(path).size());
    ++listed;
  }
  CHECK(listed == files.size() - 2);
  // SHA256SUMS covers every other file, the manifest included, in sha256sum's format.
  std::istringstream sums(files.at("SHA256SUMS"));
  std::string line;
  std::size_t summed = 0;
  while (std::getline(sums, line)) {
    const std::string hash = line.substr(0, 64), path = line.substr(66);
    REQUIRE(files.count(path) == 1);
    CHECK(hash == sha256(files.at(path)));
    ++summed;
  }
  CHECK(summed == files.size() - 1);
  // The images are the stored evidence, byte for byte.
  for (const auto& s : manifest["sightings"]) {
    const auto kept = f.store->read_images(s["read_id"]);
    REQUIRE(kept);
    std::ifstream crop(kept->crop_path, std::ios::binary);
    CHECK(files.at(s["crop"]) == std::string(std::istreambuf_iterator<char>(crop), {}));
    CHECK(s["hits"].size() == 1);  // the listed plate raised a hit each time
    CHECK(s["hits"][0]["list"] == "Stolen");
  }
  // The report names the search and shows each sighting with its place and images inline.
  const std::string& report = files.at("report.html");
  CHECK(report.find("Belvoir Road") != std::string::npos);
  CHECK(report.find("data:image/jpeg;base64,") != std::string::npos);
  CHECK(report.find("XY65ZZT") == std::string::npos);  // only the vehicle searched for
  // The export is audited, and the pack names that record.
  const auto audit = f.store->audit_log(10);
  const auto record = std::find_if(audit.begin(), audit.end(),
                                   [&](const AuditRecord& a) { return a.id == manifest["audit_id"]; });
  REQUIRE(record != audit.end());
  CHECK(record->action == "evidence-export");
  CHECK(record->actor == "sup1");
  CHECK(record->reason == "burglary at Ashby, crime ref 4521");
  CHECK(summary.audit_id == record->id);
}

TEST_CASE("the system's own sha256sum checks an unpacked evidence pack", "[evidence]") {
  PackFixture f;
  const fs::path out = f.dir / "pack.zip";
  write_evidence_pack(*f.store, {"AB12CDE", 0, 1795700000000, "sup1", "wanted for burglary", 500}, out);
  const fs::path unpacked = f.dir / "unpacked";
  for (const auto& [path, bytes] : unpack(out)) {
    fs::create_directories((unpacked / path).parent_path());
    std::ofstream(unpacked / path, std::ios::binary) << bytes;
  }
  const std::string command = "cd '" + unpacked.string() + "' && sha256sum --quiet --strict -c SHA256SUMS";
  CHECK(std::system(command.c_str()) == 0);
  // A changed image no longer checks.
  const auto images = fs::directory_iterator(unpacked / "images");
  const fs::path one = images->path();
  std::ofstream(one, std::ios::binary | std::ios::app) << "x";
  CHECK(std::system((command + " 2>/dev/null >/dev/null").c_str()) != 0);
}

TEST_CASE("an export without a real reason, or of an empty range, is refused and writes nothing",
          "[evidence][rejects]") {
  PackFixture f;
  const fs::path out = f.dir / "pack.zip";
  const auto audited = f.store->audit_log(100).size();
  CHECK_THROWS_AS(write_evidence_pack(*f.store, {"AB12CDE", 0, 1795700000000, "sup1", "   ", 500}, out),
                  Error);
  CHECK_THROWS_AS(write_evidence_pack(*f.store, {"AB12CDE", 10, 10, "sup1", "wanted for burglary", 500}, out),
                  Error);
  CHECK_THROWS_AS(write_evidence_pack(*f.store, {"AB12CDE", 0, 10, "sup1", "wanted for burglary", 0}, out),
                  Error);
  CHECK_FALSE(fs::exists(out));
  CHECK(f.store->audit_log(100).size() == audited);
  // A folder that cannot be written: a clear error, no half-written pack left behind.
  CHECK_THROWS_WITH(
      write_evidence_pack(*f.store, {"AB12CDE", 0, 1795700000000, "sup1", "wanted for burglary", 500},
                          f.dir / "no-such-folder" / "pack.zip"),
      Catch::Contains("no-such-folder"));
}
