#include <catch2/catch.hpp>

#include <fstream>

#include "anpr/common/error.hpp"
#include "anpr/edge/edge_config.hpp"
#include "support/temp_dir.hpp"

using namespace anpr;
using namespace anpr::edge;

namespace {

std::string error_of(const std::string& text) {
  test::TempDir dir("anpr-edge-config");
  const auto path = (dir / "edge.toml").string();
  std::ofstream(path) << text;
  try {
    const EdgeConfig c = load_edge_config(path);
    validate_edge_config(c, path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the example edge config in the repository loads and validates", "[edge-config]") {
  const EdgeConfig c = load_edge_config(ANPR_SOURCE_DIR "/edge/config/anpr-edge.toml");
  CHECK_NOTHROW(validate_edge_config(c, "example"));
  CHECK(c.camera_id == "cam1");
  CHECK(c.site_id == "coalville");
  CHECK(c.tracking.max_publish_delay_ms == 1500);
  CHECK(c.spool.max_bytes == 256LL * 1024 * 1024);
  CHECK(c.recognition.countries == std::vector<std::string>{"gb", "eu"});
}

TEST_CASE("edge config errors name the line, the key and the reason", "[edge-config]") {
  const std::string base = "[camera]\nid = \"cam1\"\nsite_id = \"s1\"\n[source]\nuri = \"clip.mp4\"\n";
  CHECK_THAT(error_of(base + "[tracking]\nmin_frames = \"two\"\n"),
             Catch::Contains(":7: tracking.min_frames: must be an integer"));
  CHECK_THAT(error_of(base + "[mqtt]\nbrokr = \"tcp://x:1\"\n"),
             Catch::Contains(":7: mqtt.brokr: is not a known setting"));
  CHECK_THAT(error_of(base + "[recognition]\nthreads = 99\n"),
             Catch::Contains("recognition.threads: must be between 1 and 16"));
  CHECK_THAT(error_of(base + "[motion]\nroi = [[0, 0], [1, 0]]\n"),
             Catch::Contains(":7: motion.roi: needs at least 3 points"));
  CHECK_THAT(error_of(base + "[motion]\nroi = [[0, 0], [2, 0], [1, 1]]\n"),
             Catch::Contains("fractions of the frame"));
  CHECK_THAT(error_of(base + "[mqtt]\nbroker = \"http://x\"\n"), Catch::Contains("mqtt.broker (--broker)"));
  CHECK_THAT(error_of(base + "[mqtt]\nca_file = \"/nonexistent/ca.pem\"\n"),
             Catch::Contains("cannot be read"));
  CHECK_THAT(error_of(base + "[spool]\nmax_mb = 0\n"), Catch::Contains("spool.max_mb"));
  CHECK_THAT(error_of(base + "[log]\nlevel = \"loud\"\n"), Catch::Contains("log.level"));
  CHECK_THAT(error_of(base + "[cameras]\n"), Catch::Contains("cameras: is not a known section"));
  CHECK_THAT(error_of("[camera]\nid = \"cam 1\"\n"), Catch::Contains(":2: camera.id: must be 1-64"));
  CHECK_THAT(error_of("[camera\n"), Catch::Contains(":1:"));
  CHECK_THAT(error_of("[camera]\nid = \"cam1\"\nsite_id = \"s1\"\n"),
             Catch::Contains("source.uri (--source): is required"));
  CHECK(error_of(base).empty());
}

TEST_CASE("zone errors name the file, the line of the polygon and what is wrong with it",
          "[edge-config][zones]") {
  const std::string base =
      "[camera]\nid = \"cam1\"\nsite_id = \"s1\"\n[source]\nuri = \"clip.mp4\"\n[zones]\n";
  CHECK_THAT(error_of(base + "ignore = [\n  [[0, 0], [1, 0]],\n]\n"),
             Catch::Contains("edge.toml:8: zones.ignore[1]: needs at least 3 points"));
  CHECK_THAT(
      error_of(base +
               "read = [\n  [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]],\n  [[0, 0], [1, 1], [1, 0], [0, 1]],\n]\n"),
      Catch::Contains(":9: zones.read[2]: crosses itself"));
  CHECK_THAT(error_of(base + "ignore = [[[0, 0], [1.5, 0], [1, 1]]]\n"),
             Catch::Contains(":7: zones.ignore[1]: point 2 (1.5, 0) is outside the frame"));
  CHECK_THAT(error_of(base + "ignore = [[[0, 0], [0.5, 0.5], [1, 1]]]\n"), Catch::Contains("has no area"));
  CHECK_THAT(error_of(base + "units = \"pixels\"\nignore = [[[-5, 0], [100, 0], [100, 50]]]\n"),
             Catch::Contains(":8: zones.ignore[1]: point 1"));
  CHECK_THAT(error_of(base + "units = \"inches\"\n"), Catch::Contains(":7: zones.units: must be"));
  CHECK_THAT(error_of(base + "ignore = [[0, 0]]\n"),
             Catch::Contains(":7: zones.ignore: must be an array of polygons"));
  CHECK_THAT(error_of(base + "ignore = []\nblock = []\n"),
             Catch::Contains(":8: zones.block: is not a known setting"));
  CHECK(error_of(base + "ignore = [[[0, 0], [0.4, 0], [0.4, 0.1], [0, 0.1]]]\nread = [[[0, 0.3], [1, 0.3], "
                        "[1, 1], [0, 1]]]\n")
            .empty());
}
