#include <catch2/catch.hpp>

#include "anpr/edge/camera/plate_tracker.hpp"

using namespace anpr;
using namespace anpr::edge;

namespace {

PlateText reading(const std::string& text, double confidence, std::vector<double> chars = {}) {
  PlateText t;
  t.text = text;
  t.confidence = confidence;
  t.char_confidences = chars.empty() ? std::vector<double>(text.size(), confidence) : std::move(chars);
  t.format = "gb-current";
  t.country = "GB";
  return t;
}

PlateObservation seen(std::int64_t frame, const std::string& text, double conf, cv::Rect box) {
  PlateObservation o;
  o.frame_id = frame;
  o.captured_at = 1'000'000 + frame * 40;  // 25 fps
  o.text = reading(text, conf);
  o.box = box;
  o.crop = cv::Mat(box.height, box.width, CV_8UC3, cv::Scalar::all(static_cast<double>(frame % 255)));
  return o;
}

/// Feeds a vehicle moving down and growing (approaching) through `frames` frames.
std::vector<VehicleRead> drive(PlateTracker& tracker, const std::vector<std::string>& texts,
                               std::int64_t first = 1) {
  std::vector<VehicleRead> out;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto f = first + static_cast<std::int64_t>(i);
    const int h = 20 + static_cast<int>(i);
    tracker.observe(seen(f, texts[i], 0.8, cv::Rect(400, 200 + 8 * static_cast<int>(i), h * 5, h)));
    for (auto& r : tracker.advance(1'000'000 + f * 40)) out.push_back(std::move(r));
  }
  return out;
}

/// Frames looked at with no plate in them, 25 fps, from frame `from` to frame `to`.
std::vector<VehicleRead> empty_frames(PlateTracker& tracker, std::int64_t from, std::int64_t to) {
  std::vector<VehicleRead> out;
  for (std::int64_t f = from; f <= to; ++f) {
    for (auto& r : tracker.advance(1'000'000 + f * 40)) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

TEST_CASE("vote combines characters read right in different frames", "[tracker]") {
  // Each frame misreads a different character; no frame alone is right.
  const PlateText voted = vote_plate_text(
      {reading("AB12CDF", 0.7), reading("A812CDE", 0.7), reading("AB12C0E", 0.7), reading("AB17CDE", 0.6)});
  CHECK(voted.text == "AB12CDE");
  CHECK(voted.format == "gb-current");
  CHECK(voted.char_confidences.size() == 7);
  CHECK(voted.confidence > 0.0);
  CHECK(voted.confidence < 0.7);  // no frame read it: not more sure than the frames were
}

TEST_CASE("vote trusts agreement but never beyond halving the best reading's error", "[tracker]") {
  const PlateText one = vote_plate_text({reading("AB12CDE", 0.9)});
  CHECK(one.confidence == Approx(0.9));
  std::vector<PlateText> many(30, reading("AB12CDE", 0.9));
  const PlateText voted = vote_plate_text(many);
  CHECK(voted.confidence > 0.9);
  CHECK(voted.confidence <= Approx(0.95));
  many.push_back(reading("AB12CDF", 0.9));  // a dissenting frame lowers it
  CHECK(vote_plate_text(many).confidence < voted.confidence);
  CHECK(vote_plate_text(many).candidates.front().text == "AB12CDF");
}

TEST_CASE("vote keeps the majority length and falls back to a real reading over an unformatted mix",
          "[tracker]") {
  CHECK(vote_plate_text({reading("AB12CDE", 0.8), reading("AB12CDE", 0.8), reading("AB12CD", 0.9)}).text ==
        "AB12CDE");
  // Mixing these position by position gives "AB1ZCDE", which no frame read and fits no UK format.
  PlateText odd = reading("8B1ZCDE", 0.5, {0.1, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1});
  odd.format = "unknown";
  odd.country.clear();
  const PlateText voted =
      vote_plate_text({reading("AB12CDE", 0.9, {0.9, 0.9, 0.9, 0.2, 0.9, 0.9, 0.9}), odd});
  CHECK(voted.text == "AB12CDE");
  CHECK(voted.format == "gb-current");
}

TEST_CASE("a vehicle pass seen in many frames gives exactly one read", "[tracker]") {
  PlateTracker tracker;
  std::vector<std::string> texts(30, "AB12CDE");
  texts[3] = "AB12C0E";  // occasional misreads join the same track
  texts[9] = "A812CDE";
  auto reads = drive(tracker, texts);
  auto rest = empty_frames(tracker, 31, 80);
  reads.insert(reads.end(), rest.begin(), rest.end());
  REQUIRE(reads.size() == 1);
  const VehicleRead& r = reads.front();
  CHECK(r.text.text == "AB12CDE");
  CHECK(r.frames_seen == 30);
  CHECK(r.direction.motion == Motion::kApproaching);
  CHECK(r.direction.lateral == Lateral::kNone);
  CHECK(r.first_seen < r.last_seen);
  CHECK_FALSE(r.crop.empty());
  CHECK(tracker.open_tracks() == 0);
}

TEST_CASE("at a barrier (travel rule off) a standing vehicle is published at the deadline, once",
          "[tracker]") {
  TrackerSettings s;
  s.max_publish_delay_ms = 1500;
  s.min_travel = 0;
  PlateTracker tracker(s);
  std::vector<VehicleRead> reads;
  for (std::int64_t f = 1; f <= 250; ++f) {  // ten seconds in the same place
    tracker.observe(seen(f, "AB12CDE", 0.8, cv::Rect(400, 300, 100, 20)));
    for (auto& r : tracker.advance(1'000'000 + f * 40)) reads.push_back(std::move(r));
    if (f == 37) CHECK(reads.empty());  // 1.44 s after the first reading
  }
  REQUIRE(reads.size() == 1);
  CHECK(reads.front().last_seen - reads.front().first_seen <= 1500 + 40);  // the first frame past 1.5 s
  CHECK(reads.front().direction.motion == Motion::kStationary);
  CHECK(tracker.flush().empty());  // already published: not again at the end
}

TEST_CASE("text that stands still is never published: a caption, a sign, a parked car", "[tracker]") {
  PlateTracker tracker;  // default settings: a pass must move
  std::vector<VehicleRead> reads;
  for (std::int64_t f = 1; f <= 750; ++f) {  // thirty seconds
    // A caption whose clock ticks every second, jittering by a pixel as detection boxes do.
    const std::string clock = "1429" + std::to_string(10 + (f / 25) % 50);
    tracker.observe(seen(f, clock, 0.9, cv::Rect(20 + static_cast<int>(f % 2), 20, 180, 24)));
    tracker.observe(seen(f, "CAM08", 0.9, cv::Rect(1700, 20, 120, 24)));
    tracker.observe(
        seen(f, "AB12CDE", 0.9, cv::Rect(400, 600 + static_cast<int>(f % 3), 100, 20)));  // parked
    for (auto& r : tracker.advance(1'000'000 + f * 40)) reads.push_back(std::move(r));
  }
  for (auto& r : tracker.flush()) reads.push_back(std::move(r));
  for (const auto& r : reads) UNSCOPED_INFO("published " << r.text.text);
  CHECK(reads.empty());
  CHECK(tracker.stationary_suppressed() >= 3);
}

TEST_CASE("a parked car that drives off is read once it moves", "[tracker]") {
  PlateTracker tracker;
  std::vector<VehicleRead> reads;
  std::int64_t f = 1;
  for (; f <= 500; ++f) {  // parked for 20 s
    tracker.observe(seen(f, "AB12CDE", 0.8, cv::Rect(400, 600, 100, 20)));
    for (auto& r : tracker.advance(1'000'000 + f * 40)) reads.push_back(std::move(r));
  }
  CHECK(reads.empty());
  for (int step = 1; step <= 20; ++step, ++f) {  // drives off to the right
    tracker.observe(seen(f, "AB12CDE", 0.8, cv::Rect(400 + step * 15, 600, 100, 20)));
    for (auto& r : tracker.advance(1'000'000 + f * 40)) reads.push_back(std::move(r));
  }
  for (auto& r : empty_frames(tracker, f, f + 60)) reads.push_back(std::move(r));
  REQUIRE(reads.size() == 1);
  CHECK(reads.front().text.text == "AB12CDE");
}

TEST_CASE("two vehicles in view at once are tracked apart", "[tracker]") {
  PlateTracker tracker;
  std::vector<VehicleRead> reads;
  for (std::int64_t f = 1; f <= 20; ++f) {
    const int step = static_cast<int>(f) * 10;
    tracker.observe(seen(f, "AB12CDE", 0.8, cv::Rect(100 + step, 300, 100, 20)));  // moving right
    tracker.observe(seen(f, "XY65ZZT", 0.8, cv::Rect(900 - step, 500, 100, 20)));  // moving left
    for (auto& r : tracker.advance(1'000'000 + f * 40)) reads.push_back(std::move(r));
  }
  for (auto& r : tracker.flush()) reads.push_back(std::move(r));
  REQUIRE(reads.size() == 2);
  std::sort(reads.begin(), reads.end(), [](auto& a, auto& b) { return a.text.text < b.text.text; });
  CHECK(reads[0].text.text == "AB12CDE");
  CHECK(reads[0].direction.lateral == Lateral::kRight);
  CHECK(reads[1].text.text == "XY65ZZT");
  CHECK(reads[1].direction.lateral == Lateral::kLeft);
}

TEST_CASE("a single unsure reading is not published, the same plate later is a new pass", "[tracker]") {
  PlateTracker tracker;
  tracker.observe(seen(1, "AB12CDE", 0.6, cv::Rect(400, 300, 100, 20)));
  CHECK(empty_frames(tracker, 2, 100).empty());  // ended, one frame at 0.6: a sign, a glint
  CHECK(tracker.open_tracks() == 0);
  auto first = drive(tracker, std::vector<std::string>(5, "AB12CDE"), 200);
  for (auto& r : empty_frames(tracker, 205, 399)) first.push_back(std::move(r));
  auto later = drive(tracker, std::vector<std::string>(5, "AB12CDE"), 400);  // 8 s later: a new pass
  for (auto& r : tracker.flush()) later.push_back(std::move(r));
  CHECK(first.size() + later.size() == 2);
}

TEST_CASE("two characters need several frames, a plate one confident frame", "[tracker]") {
  // A pair of glyphs on a flat background (a badge, road markings) reads confidently in one
  // frame now and then: not a pass. A cherished plate in view for several frames is.
  TrackerSettings s;
  s.min_travel = 0;  // one frame cannot show motion: this is the rule for a barrier camera
  PlateTracker tracker(s);
  std::vector<VehicleRead> reads;
  tracker.observe(seen(1, "I1", 0.95, cv::Rect(400, 300, 40, 20)));
  for (auto& r : empty_frames(tracker, 2, 100)) reads.push_back(std::move(r));
  CHECK(reads.empty());
  tracker.observe(seen(101, "AB12CDE", 0.95, cv::Rect(400, 300, 100, 20)));
  for (auto& r : empty_frames(tracker, 102, 200)) reads.push_back(std::move(r));
  REQUIRE(reads.size() == 1);
  CHECK(reads[0].text.text == "AB12CDE");
  for (auto& r : drive(tracker, std::vector<std::string>(4, "A1"), 300)) reads.push_back(std::move(r));
  for (auto& r : tracker.flush()) reads.push_back(std::move(r));
  REQUIRE(reads.size() == 2);
  CHECK(reads[1].text.text == "A1");
}

TEST_CASE("direction of travel from the first and last boxes", "[tracker]") {
  CHECK(direction_of_travel({100, 100, 100, 20}, {100, 100, 150, 30}).motion == Motion::kApproaching);
  CHECK(direction_of_travel({100, 100, 150, 30}, {100, 100, 100, 20}).motion == Motion::kReceding);
  CHECK(direction_of_travel({100, 100, 100, 20}, {102, 101, 100, 20}).motion == Motion::kStationary);
  const Direction across = direction_of_travel({100, 100, 100, 20}, {600, 100, 100, 20});
  CHECK(across.motion == Motion::kUnknown);
  CHECK(across.lateral == Lateral::kRight);
}

TEST_CASE("a plate cut by the frame edge joins its own track, not a new pass", "[tracker]") {
  PlateTracker tracker;
  std::vector<VehicleRead> reads;
  for (std::int64_t f = 1; f <= 10; ++f) {
    tracker.observe(seen(f, "FK08DXU", 0.9, cv::Rect(1000 + static_cast<int>(f) * 20, 500, 140, 30)));
    for (auto& r : tracker.advance(1'000'000 + f * 40)) reads.push_back(std::move(r));
  }
  PlateObservation cut = seen(11, "8DXU", 0.93, cv::Rect(1260, 500, 80, 30));  // half out of the picture
  tracker.observe(std::move(cut));
  for (auto& r : tracker.flush()) reads.push_back(std::move(r));
  REQUIRE(reads.size() == 1);
  CHECK(reads.front().text.text == "FK08DXU");
  CHECK(reads.front().frames_seen == 11);
}

TEST_CASE("readings finished out of order keep first_seen <= captured_at <= last_seen", "[tracker]") {
  PlateTracker tracker;
  // Two recogniser threads: frame 5 is done before frames 3 and 4, and frame 3 is the sharpest.
  tracker.observe(seen(5, "AB12CDE", 0.80, cv::Rect(400, 300, 100, 20)));
  tracker.observe(seen(4, "AB12CDE", 0.85, cv::Rect(380, 300, 100, 20)));
  tracker.observe(seen(3, "AB12CDE", 0.95, cv::Rect(360, 300, 100, 20)));
  const auto reads = tracker.flush();
  REQUIRE(reads.size() == 1);
  CHECK(reads[0].first_seen <= reads[0].captured_at);
  CHECK(reads[0].captured_at <= reads[0].last_seen);
  CHECK(reads[0].first_seen == 1'000'000 + 3 * 40);
}

TEST_CASE("a pass that starts as a confident partial read and finishes out of order stays one read",
          "[tracker]") {
  // As on the real toll-booth clip: the plate enters read as a part of itself (one digit wrong), then in
  // full, and it moves about half its width a frame; two recogniser threads hand over frame 6 before 5, and 8
  // before 7.
  PlateTracker tracker;
  std::vector<VehicleRead> reads;
  auto at = [](std::int64_t f) {
    return cv::Rect(600 - 30 * static_cast<int>(f), 500 + 8 * static_cast<int>(f), 75, 30);
  };
  const std::vector<std::int64_t> order = {1, 2, 3, 4, 6, 5, 8, 7, 9, 10};
  for (const std::int64_t f : order) {
    tracker.observe(f <= 2 ? seen(f, "2312G", 0.95, at(f)) : seen(f, "34A23126", 0.8, at(f)));
    for (auto& r : tracker.advance(1'000'000 + f * 40)) reads.push_back(std::move(r));
  }
  for (auto& r : tracker.flush()) reads.push_back(std::move(r));
  REQUIRE(reads.size() == 1);
  CHECK(reads[0].text.text == "34A23126");
  CHECK(reads[0].frames_seen == 10);
  // The crop shows the text published, not the more confident partial reading.
  CHECK(reads[0].box.width == 75);
  CHECK(reads[0].box.x != at(1).x);
  CHECK(reads[0].box.x != at(2).x);
  CHECK(reads[0].direction.lateral == Lateral::kLeft);
}

TEST_CASE("a unit short of CPU does not split a pass on a missed reading, and still ends it on evidence",
          "[tracker]") {
  // One frame looked at every 1.2 s (the rest dropped): the plate is missed in one of them.
  PlateTracker tracker;
  std::vector<VehicleRead> reads;
  auto look = [&](std::int64_t f, bool plate) {
    const TimestampMs at = 1'000'000 + f * 1200;
    if (plate) {
      PlateObservation o = seen(f, "AB12CDE", 0.8, cv::Rect(300 + static_cast<int>(f) * 60, 300, 100, 20));
      o.captured_at = at;
      tracker.observe(std::move(o));
    }
    for (auto& r : tracker.advance(at)) reads.push_back(std::move(r));
  };
  look(1, true);
  look(2, true);  // published here: its deadline passed
  look(3, false);
  look(4, false);
  look(5, true);  // the same pass, 3.6 s after the last reading: not a second read
  CHECK(reads.size() == 1);
  CHECK(tracker.open_tracks() == 1);
  look(6, false);
  look(7, false);
  CHECK(tracker.open_tracks() == 1);  // two frames without it: not enough evidence
  look(8, false);
  CHECK(tracker.open_tracks() == 0);  // three: the pass is over
  REQUIRE(reads.size() == 1);
  CHECK(reads.front().frames_seen == 3);
}

TEST_CASE("a track kept open for want of frames takes only its own plate, not the next car's", "[tracker]") {
  PlateTracker tracker;
  std::vector<VehicleRead> reads;
  auto look = [&](std::int64_t f, const std::string& text) {
    const TimestampMs at = 1'000'000 + f * 1200;
    if (!text.empty()) {
      // Each vehicle moves on between its readings (a pass is a moving vehicle).
      PlateObservation o = seen(f, text, 0.9, cv::Rect(f % 2 == 0 ? 430 : 400, 300, 100, 20));
      o.captured_at = at;
      tracker.observe(std::move(o));
    }
    for (auto& r : tracker.advance(at)) reads.push_back(std::move(r));
  };
  look(1, "AB12CDE");
  look(2, "AB12CDE");
  look(3, "");
  look(4, "XY65ZZT");  // another vehicle where the first one was, seconds later
  look(5, "XY65ZZT");
  for (auto& r : tracker.flush()) reads.push_back(std::move(r));
  REQUIRE(reads.size() == 2);
  CHECK(reads[0].text.text == "AB12CDE");
  CHECK(reads[1].text.text == "XY65ZZT");
}

TEST_CASE("a box wandering over text that does not change, or a clock's tick, is not travel", "[tracker]") {
  // As on the toll-booth clip: the caption is found in pieces, so the same (mis)read text comes
  // with boxes all along it; its pixels do not change, except in the frame where the clock ticks.
  PlateTracker tracker;
  std::vector<VehicleRead> reads;
  for (std::int64_t f = 1; f <= 400; ++f) {
    PlateObservation o =
        seen(f, "14B02819T", 0.9, cv::Rect(800 + static_cast<int>((f * 37) % 300), 3, 184, 34));
    o.motion = f % 18 == 0 ? 0.6 : 0.0;  // a tick every second at 18 fps
    tracker.observe(std::move(o));
    for (auto& r : tracker.advance(1'000'000 + f * 40)) reads.push_back(std::move(r));
  }
  for (auto& r : tracker.flush()) reads.push_back(std::move(r));
  CHECK(reads.empty());
}

TEST_CASE("a plate whose pixels keep changing as it moves is a pass, even slowly", "[tracker]") {
  PlateTracker tracker;
  std::vector<VehicleRead> reads;
  for (std::int64_t f = 1; f <= 40; ++f) {  // 2 px a frame: a car creeping out of a barrier
    PlateObservation o = seen(f, "AB12CDE", 0.9, cv::Rect(400, 300 + 2 * static_cast<int>(f), 100, 20));
    o.motion = 0.08;
    tracker.observe(std::move(o));
    for (auto& r : tracker.advance(1'000'000 + f * 40)) reads.push_back(std::move(r));
  }
  for (auto& r : empty_frames(tracker, 41, 120)) reads.push_back(std::move(r));
  REQUIRE(reads.size() == 1);
  CHECK(reads.front().text.text == "AB12CDE");
}

TEST_CASE("a pass published from one sure reading is still a thin pass", "[tracker]") {
  TrackerSettings s;
  s.min_travel = 0;  // a barrier: one confident reading may be published alone
  PlateTracker tracker(s);
  auto sure = seen(1, "AB12CDE", 0.95, cv::Rect(400, 300, 100, 20));
  sure.motion = 0.4;
  tracker.observe(sure);
  const auto reads = tracker.flush();
  REQUIRE(reads.size() == 1);
  CHECK(tracker.thin_passes() == 1);
}

TEST_CASE("a moving plate seen in fewer frames than a pass wants is counted as a thin pass", "[tracker]") {
  PlateTracker tracker;  // min_frames 3
  // A vehicle looked at in two frames only (a unit short of CPU): moving, read, then gone.
  auto first = seen(1, "AB12CDE", 0.8, cv::Rect(400, 300, 100, 20));
  first.motion = 0.4;
  auto second = seen(10, "AB12CDE", 0.8, cv::Rect(400, 360, 104, 21));
  second.motion = 0.4;
  tracker.observe(first);
  tracker.observe(second);
  // A caption read in two frames, standing still: not a pass, not counted.
  auto caption = seen(1, "CAM08", 0.9, cv::Rect(20, 20, 120, 24));
  caption.motion = 0.0;
  tracker.observe(caption);
  caption.frame_id = 10;
  tracker.observe(caption);
  // A vehicle read in plenty of frames: a full pass, not counted; nor is a reading of part of its
  // plate far from the rest (a fragment, not a pass).
  auto reads = drive(tracker, std::vector<std::string>(8, "XY65ABC"), 20);
  auto fragment = seen(28, "65ABC", 0.7, cv::Rect(1500, 900, 60, 20));
  fragment.motion = 0.5;
  tracker.observe(fragment);
  for (auto& r : tracker.flush()) reads.push_back(std::move(r));
  CHECK(tracker.thin_passes() == 1);
  REQUIRE(reads.size() == 1);
  CHECK(reads.front().text.text == "XY65ABC");
}

TEST_CASE("a pass read in settled_frames frames is settled on its voted text, its plate predicted ahead",
          "[tracker]") {
  TrackerSettings s;
  s.settled_frames = 6;
  PlateTracker tracker(s);
  (void)drive(tracker, {"AB12CDE", "AB12CDE", "AB12CDE", "AB12CDF", "AB12CDE"});
  CHECK(tracker.settled_passes(1'000'000 + 5 * 40).empty());  // five readings: not yet
  // drive()'s next step, the latest reading a minority one: the text is the vote's.
  tracker.observe(seen(6, "AB12CDF", 0.8, cv::Rect(400, 200 + 8 * 5, 25 * 5, 25)));
  (void)tracker.advance(1'000'000 + 6 * 40);
  const auto settled = tracker.settled_passes(1'000'000 + 6 * 40);
  REQUIRE(settled.size() == 1);
  CHECK(settled[0].box.y == 200 + 8 * 5);
  CHECK(settled[0].text == "AB12CDE");
  // Two frames on, the plate has moved on by its speed: its centre goes 8.5 px a frame down (8
  // px, plus half of the 1 px it grows).
  const auto ahead = tracker.settled_passes(1'000'000 + 8 * 40);
  REQUIRE(ahead.size() == 1);
  CHECK(ahead[0].box.y == settled[0].box.y + 17);
}

TEST_CASE("a settled pass whose vote is too weak to publish names no text", "[tracker]") {
  // The reader takes a settled pass's text as a second look (PlateReader::read): only a vote
  // that would be published as it stands may be one. Six agreeing readings at 0.15 vote 0.31.
  PlateTracker tracker;
  for (std::int64_t f = 1; f <= 6; ++f) {
    const int h = 20 + static_cast<int>(f);
    tracker.observe(seen(f, "AB12CDE", 0.15, cv::Rect(400, 200 + 8 * static_cast<int>(f), h * 5, h)));
    (void)tracker.advance(1'000'000 + f * 40);
  }
  const auto settled = tracker.settled_passes(1'000'000 + 6 * 40);
  REQUIRE(settled.size() == 1);
  CHECK(settled[0].text.empty());
}

TEST_CASE("text standing still is never settled, however often read", "[tracker]") {
  PlateTracker tracker;
  for (std::int64_t f = 1; f <= 20; ++f) {
    PlateObservation o = seen(f, "CAM08", 0.9, cv::Rect(50, 30, 80, 20));
    o.motion = 0.0;
    tracker.observe(std::move(o));
    (void)tracker.advance(1'000'000 + f * 40);
  }
  CHECK(tracker.settled_passes(1'000'000 + 21 * 40).empty());
}
