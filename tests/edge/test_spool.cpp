#include <catch2/catch.hpp>

#include <fstream>

#include "anpr/common/error.hpp"
#include "anpr/edge/uplink/spool.hpp"
#include "support/temp_dir.hpp"

using namespace anpr;
using namespace anpr::edge;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_in(const fs::path& dir, const std::string& suffix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("spool keeps messages on disk until removed and gives them back oldest first after a restart",
          "[spool]") {
  test::TempDir dir("anpr-spool");
  std::uint64_t first = 0;
  {
    Spool spool({dir.path(), 1 << 20});
    first = spool.put("anpr/v1/s/c/read", "{\"n\":1}");
    spool.put("anpr/v1/s/c/read", "{\"n\":2}");
    spool.put("anpr/v1/s/c/read", "{\"n\":3}");
    CHECK(spool.stats().depth == 3);
    spool.remove(first);
    CHECK(spool.stats().depth == 2);
  }
  Spool reopened({dir.path(), 1 << 20});  // as after a crash or power cut
  const auto ids = reopened.oldest(10);
  REQUIRE(ids.size() == 2);
  CHECK(ids[0] < ids[1]);
  const auto m = reopened.load(ids[0]);
  REQUIRE(m);
  CHECK(m->topic == "anpr/v1/s/c/read");
  CHECK(m->payload == "{\"n\":2}");
  // New messages continue the sequence, so order survives restarts.
  CHECK(reopened.put("t", "p") > ids[1]);
  CHECK(reopened.oldest(10, {ids[0]}).front() == ids[1]);
}

TEST_CASE("spool evicts the oldest messages when full and counts every eviction", "[spool]") {
  test::TempDir dir("anpr-spool");
  const std::string payload(1000, 'x');
  Spool spool({dir.path(), 4000});  // room for three messages with their headers
  for (int i = 0; i < 5; ++i) spool.put("t", payload + std::to_string(i));
  const SpoolStats s = spool.stats();
  CHECK(s.depth == 3);
  CHECK(s.evictions == 2);
  CHECK(s.bytes <= 4000);
  const auto oldest = spool.load(spool.oldest(1).front());
  REQUIRE(oldest);
  CHECK(oldest->payload == payload + "2");
  CHECK_THROWS_AS(spool.put("t", std::string(5000, 'y')), Error);  // can never fit: a clear error
  CHECK(spool.stats().depth == 3);                                 // and nothing else lost for it
}

TEST_CASE("a damaged spool entry is set aside and skipped, the others still load", "[spool]") {
  test::TempDir dir("anpr-spool");
  {
    Spool spool({dir.path(), 1 << 20});
    for (int i = 0; i < 4; ++i) spool.put("t", "payload-" + std::to_string(i));
  }
  auto files = files_in(dir.path(), ".msg");
  REQUIRE(files.size() == 4);
  {  // a torn write: half the file
    std::ifstream in(files[0], std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(files[0], std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  }
  {  // a flipped byte in the payload
    std::fstream f(files[1], std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(-2, std::ios::end);
    f.put('#');
  }
  std::ofstream(files[2], std::ios::binary | std::ios::trunc) << "not a spool file at all\n";
  std::ofstream(dir / ".tmp-00000000000000000009.msg") << "half-written";

  Spool spool({dir.path(), 1 << 20});
  CHECK_FALSE(fs::exists(dir / ".tmp-00000000000000000009.msg"));
  std::vector<std::string> loaded;
  for (auto seq : spool.oldest(10)) {
    if (auto m = spool.load(seq)) loaded.push_back(m->payload);
  }
  CHECK(loaded == std::vector<std::string>{"payload-3"});
  CHECK(spool.stats().damaged == 3);
  CHECK(spool.stats().depth == 1);
  CHECK(files_in(dir.path(), ".damaged").size() == 3);  // kept for a person to look at
}

TEST_CASE("a header claiming a huge or impossible length is set aside before anything is allocated",
          "[spool]") {
  test::TempDir dir("anpr-spool");
  {
    Spool spool({dir.path(), 1 << 20});
    for (int i = 0; i < 5; ++i) spool.put("t", "payload-" + std::to_string(i));
  }
  auto files = files_in(dir.path(), ".msg");
  REQUIRE(files.size() == 5);
  // Lengths a damaged or hostile file might claim: 2e9 (an allocation of 2 GB before the fix),
  // the largest size_t (std::length_error before the fix, which ended the process), a negative
  // one, and one that disagrees with the bytes the file really holds.
  const std::vector<std::string> lengths = {"2000000000", "18446744073709551615", "-1", "3"};
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    std::ofstream(files[i], std::ios::binary | std::ios::trunc)
        << "anpr-spool 1 t " << lengths[i] << " 00\n{\"n\":1}";
  }
  Spool spool({dir.path(), 1 << 20});
  std::vector<std::string> loaded;
  for (auto seq : spool.oldest(10)) {
    std::optional<SpooledMessage> m;
    REQUIRE_NOTHROW(m = spool.load(seq));
    if (m) loaded.push_back(m->payload);
  }
  CHECK(loaded == std::vector<std::string>{"payload-4"});
  CHECK(spool.stats().damaged == 4);
  CHECK(files_in(dir.path(), ".damaged").size() == 4);
}

TEST_CASE("spool refuses a folder it cannot write with a clear error", "[spool]") {
  test::TempDir dir("anpr-spool");
  std::ofstream(dir / "a-file") << "x";
  try {
    Spool spool({dir / "a-file" / "spool", 1000});
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("spool folder"));
  }
}
