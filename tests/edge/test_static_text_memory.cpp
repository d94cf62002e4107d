// The static-text memory: what it learns, what it suppresses, what it forgets, its bound, and
// the file that carries it across a restart.
#include <catch2/catch.hpp>

#include <fstream>

#include "anpr/common/time.hpp"
#include "anpr/edge/camera/static_text_memory.hpp"
#include "support/temp_dir.hpp"

using namespace anpr;
using namespace anpr::edge;

namespace {

const cv::Size kFrame(1920, 1080);
constexpr TimestampMs kStart = 1'790'000'000'000;  // September 2026: in the past, as a memory's times are
constexpr TimestampMs kSecond = 1000;

StaticTextSettings quick() {
  StaticTextSettings s;
  s.min_sightings = 10;
  s.min_minutes = 1.0;
  s.forget_minutes = 5.0;
  return s;
}

// A caption read every 2 s for `seconds`, its clock ticking; returns how many readings were suppressed.
int show_caption(StaticTextMemory& memory, TimestampMs from, int seconds) {
  int suppressed = 0;
  for (int s = 0; s < seconds; s += 2) {
    const std::string clock = "1429" + std::to_string(10 + (s % 50));
    suppressed +=
        memory.note(clock, cv::Rect(40 + s % 2, 20, 180, 24), kFrame, true, from + s * kSecond) ? 1 : 0;
  }
  return suppressed;
}

}  // namespace

TEST_CASE("text read standing still for long enough is learned, then suppressed, clock ticks and all",
          "[static-text]") {
  StaticTextMemory memory(quick());
  // Twenty sightings over 40 s: many frames, but not yet a minute.
  CHECK(show_caption(memory, kStart, 40) == 0);
  CHECK(memory.learned().empty());
  // Past the minute it is learned; every later reading there is suppressed, whatever the clock says.
  show_caption(memory, kStart + 40 * kSecond, 30);
  REQUIRE(memory.learned().size() == 1);
  CHECK(memory.learned().front().layout == "DDDDDD");
  CHECK(show_caption(memory, kStart + 90 * kSecond, 20) == 10);
  CHECK(memory.suppressed() >= 10);
  // Another layout at the same place is another text: not suppressed.
  CHECK_FALSE(memory.note("AB12CDE", cv::Rect(40, 20, 180, 24), kFrame, true, kStart + 200 * kSecond));
}

TEST_CASE("a moving plate never teaches the memory", "[static-text]") {
  StaticTextMemory memory(quick());
  for (int s = 0; s < 300; ++s) {
    CHECK_FALSE(memory.note("AB12CDE", cv::Rect(800, 600, 120, 26), kFrame, false, kStart + s * kSecond));
  }
  CHECK(memory.learned().empty());
}

TEST_CASE("a parked car's plate is learned, and read again once the car drives off", "[static-text]") {
  StaticTextMemory memory(quick());
  for (int s = 0; s < 120; s += 2)
    memory.note("AB12CDE", cv::Rect(800, 600, 120, 26), kFrame, true, kStart + s * kSecond);
  REQUIRE(memory.learned().size() == 1);
  CHECK(memory.note("AB12CDE", cv::Rect(802, 601, 120, 26), kFrame, true, kStart + 121 * kSecond));
  // It pulls away: moving, it is read even where it stood, and after it has left.
  CHECK_FALSE(memory.note("AB12CDE", cv::Rect(801, 610, 121, 26), kFrame, false, kStart + 122 * kSecond));
  CHECK_FALSE(memory.note("AB12CDE", cv::Rect(800, 700, 130, 28), kFrame, false, kStart + 123 * kSecond));
}

TEST_CASE("cars that stop one after another at one place are not one static text", "[static-text]") {
  StaticTextMemory memory(quick());
  // A barrier: a different car stands at the same place every 20 s for three minutes.
  const std::vector<std::string> cars = {"AB12CDE", "XY65ABC", "KM18RTS", "LR70PQW", "BD51SMR",
                                         "YK19HJU", "WA66NBC", "FG15EFG", "HN61KNH"};
  for (std::size_t i = 0; i < cars.size(); ++i) {
    for (int s = 0; s < 20; ++s) {
      const auto at = kStart + static_cast<TimestampMs>(i * 20 + static_cast<std::size_t>(s)) * kSecond;
      CHECK_FALSE(memory.note(cars[i], cv::Rect(800, 600, 120, 26), kFrame, true, at));
    }
  }
  CHECK(memory.learned().empty());
  CHECK(same_static_text("142910", "1429I0"));          // a caption's digit read as a letter
  CHECK_FALSE(same_static_text("AB12CDE", "XY65ABC"));  // one layout, two plates
}

TEST_CASE("a text not seen for forget_minutes is forgotten", "[static-text]") {
  StaticTextMemory memory(quick());
  show_caption(memory, kStart, 120);
  REQUIRE(memory.learned().size() == 1);
  memory.forget_stale(kStart + 4 * 60 * kSecond);  // four minutes after it was last read: kept
  CHECK(memory.learned().size() == 1);
  memory.forget_stale(kStart + 8 * 60 * kSecond);
  CHECK(memory.learned().empty());
  CHECK_FALSE(memory.note("142911", cv::Rect(40, 20, 180, 24), kFrame, true, kStart + 9 * 60 * kSecond));
}

TEST_CASE("the memory is bounded: the least recently read unlearned text gives way", "[static-text]") {
  StaticTextSettings s = quick();
  s.max_texts = 4;
  StaticTextMemory memory(s);
  show_caption(memory, kStart, 120);  // learned
  for (int i = 0; i < 50; ++i) {
    memory.note("AB" + std::to_string(10 + i), cv::Rect(10 + i * 30, 500, 28, 20), kFrame, true,
                kStart + (200 + i) * kSecond);
  }
  CHECK(memory.texts().size() == 4);
  CHECK(memory.learned().size() == 1);  // the learned caption stayed
}

TEST_CASE("the memory survives a restart, and a damaged file is set aside, not fatal", "[static-text]") {
  anpr::test::TempDir dir;
  StaticTextSettings s = quick();
  s.file = dir.path() / "static-texts.json";
  {
    StaticTextMemory memory(s);
    show_caption(memory, kStart, 120);
    memory.save();
  }
  StaticTextMemory restarted(s);
  restarted.load();
  REQUIRE(restarted.learned().size() == 1);
  CHECK(restarted.note("142955", cv::Rect(40, 20, 180, 24), kFrame, true, kStart + 130 * kSecond));

  // A text at the frame's right edge survives the round trip (its fractions add up to 1).
  {
    StaticTextMemory memory(s);
    for (int t = 0; t < 120; t += 2)
      memory.note("CAM08", cv::Rect(1800, 1040, 120, 40), kFrame, true, kStart + t * kSecond);
    REQUIRE(memory.learned().size() == 1);
    memory.save();
    StaticTextMemory again(s);
    again.load();
    CHECK(again.learned().size() == 1);
  }

  const std::string future = std::to_string(now_ms() + 7LL * 24 * 3600 * 1000);
  for (const std::string& garbage :
       {std::string("{not json"), std::string(R"({"version":1,"texts":[{"x":5}]})"),
        std::string(R"({"version":1,"texts":[{"x":0.1,"y":0.1,"w":0.1,"h":0.1,"layout":"D",)"
                    R"("text":"1","first_seen":0,"last_seen":)") +
            future + R"(,"sightings":1,"learned":true}]})",
        std::string(R"({"version":1,"texts":[{"x":0.1,"y":0.1,"w":0.1,"h":0.1,"layout":"D",)"
                    R"("text":"1","first_seen":0,"last_seen":1e300,"sightings":1,"learned":true}]})"),
        std::string(R"({"version":1,"texts":[{"x":0.1,"y":0.1,"w":9,"h":0.1,"layout":"D",)"
                    R"("text":"1","first_seen":0,"last_seen":0,"sightings":1,"learned":true}]})")}) {
    std::ofstream(s.file) << garbage;
    StaticTextMemory memory(s);
    memory.load();
    CHECK(memory.texts().empty());
    CHECK(std::filesystem::exists(s.file.string() + ".damaged"));
    std::filesystem::remove(s.file.string() + ".damaged");
  }
}
