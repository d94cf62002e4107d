#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/receiver/config.hpp"

using namespace anpr;
using namespace anpr::receiver;
namespace fs = std::filesystem;

namespace {

std::string write_config(const std::string& text) {
  const fs::path p = anpr::test::scratch_dir() / ("anpr-config-" + make_uuid() + ".toml");
  std::ofstream(p) << text;
  return p.string();
}

// Why loading `text` as a config file fails; empty when it loads.
std::string error_of(const std::string& text) {
  try {
    (void)load_receiver_config(write_config(text));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the shipped example config loads and shows the defaults", "[config]") {
  const auto c = load_receiver_config(ANPR_SOURCE_DIR "/receiver/config/anpr-receiver.toml");
  CHECK(c.mqtt.broker == "tcp://127.0.0.1:1883");
  CHECK(c.database == "/var/lib/anpr/anpr.db");
  CHECK(c.matcher.max_substitutions == 1);
  CHECK(c.retention.read_days == 365);
  CHECK(c.retention.hit_read_days == 730);
  CHECK(c.mqtt.max_batch == MqttSettings{}.max_batch);
  CHECK(c.mqtt.batch_wait == MqttSettings{}.batch_wait);
}

TEST_CASE("ingest batch settings are read and checked", "[config]") {
  const auto c = load_receiver_config(write_config("[mqtt]\nmax_batch = 50\nbatch_wait_ms = 0\n"));
  CHECK(c.mqtt.max_batch == 50);
  CHECK(c.mqtt.batch_wait == std::chrono::milliseconds(0));
  CHECK_THAT(error_of("[mqtt]\nmax_batch = 0\n"),
             Catch::Contains(":2: mqtt.max_batch: must be between 1 and 30000"));
  CHECK_THAT(error_of("[mqtt]\nbatch_wait_ms = 5000\n"),
             Catch::Contains(":2: mqtt.batch_wait_ms: must be between 0 and 1000"));
}

TEST_CASE("settings override the defaults and missing ones keep them", "[config]") {
  const auto c = load_receiver_config(
      write_config("[mqtt]\nbroker = \"tcp://10.0.0.5:1883\"\n[storage]\ndatabase = \"x.db\"\n"));
  CHECK(c.mqtt.broker == "tcp://10.0.0.5:1883");
  CHECK(c.database == "x.db");
  CHECK(c.mqtt.client_id == "anpr-receiver");
}

TEST_CASE("config errors name the file, line, key and reason", "[config][rejects]") {
  const auto unknown = write_config("[mqtt]\nbroker = \"tcp://h:1\"\nbrokr = \"typo\"\n");
  CHECK_THROWS_WITH(load_receiver_config(unknown),
                    Catch::Contains(unknown + ":3: mqtt.brokr: is not a known setting"));
  CHECK_THAT(error_of("[retention]\n\nread_days = \"a year\"\n"),
             Catch::Contains(":3: retention.read_days: must be an integer"));
  CHECK_THAT(error_of("[watchlists]\nmax_substitutions = 9\n"),
             Catch::Contains(":2: watchlists.max_substitutions: must be between 0 and 3"));
  const auto syntax = write_config("[mqtt]\nbroker = \n");
  CHECK_THROWS_WITH(load_receiver_config(syntax), Catch::Contains(syntax + ":2:"));
  CHECK_THAT(error_of("[mqt]\nbroker = \"x\"\n"), Catch::Contains("mqt: is not a known section"));
  CHECK_THAT(error_of("[retention]\nread_days = 400\nhit_read_days = 100\n"),
             Catch::Contains("must not be shorter than retention.read_days"));
  CHECK_THROWS_AS(load_receiver_config("/nonexistent.toml"), Error);
}

TEST_CASE("a map tile server URL must name one origin the pages can load tiles from", "[config][rejects]") {
  const auto good = load_receiver_config(
      write_config("[web]\nmap_tile_url = \"https://tiles.example:8443/osm/{z}/{x}/{y}.png\"\n"));
  CHECK(good.web.map_tile_url == "https://tiles.example:8443/osm/{z}/{x}/{y}.png");
  for (const char* bad :
       {"https://{s}.tile.example/{z}/{x}/{y}.png", "https://user@tiles.example/{z}/{x}/{y}.png",
        "ftp://tiles.example/{z}/{x}/{y}.png", "https://tiles.example/{z}/{x}.png",
        "https://tiles.example/{z}/{x}/{y}.png; script-src *"}) {
    INFO(bad);
    CHECK_THAT(error_of(std::string("[web]\nmap_tile_url = \"") + bad + "\"\n"),
               Catch::Contains("web.map_tile_url: a tile server URL with one host"));
  }
  CHECK_THAT(error_of("[web]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n"
                      "map_tile_url = \"http://tiles.example/{z}/{x}/{y}.png\"\n"),
             Catch::Contains("use https://"));
}

TEST_CASE("camera fault settings are read and checked", "[config]") {
  const auto c = load_receiver_config(
      write_config("[faults]\noffline_after_s = 120\nquiet_expected_reads = 40\npriority = 1\n"));
  CHECK(c.faults.offline_after_s == 120);
  CHECK(c.faults.quiet_expected_reads == 40);
  CHECK(c.faults.priority == 1);
  CHECK(c.faults.spool_reports == FaultSettings{}.spool_reports);
  CHECK_THAT(error_of("[faults]\nspool_reports = 1\n"),
             Catch::Contains("faults.spool_reports: must be between 2 and 100"));
}
