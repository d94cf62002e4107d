// The detector's row building on drawn glyphs, where the right answer is known exactly.
#include <catch2/catch.hpp>

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "anpr/edge/reader/plate_detector.hpp"
#include "run_together.hpp"

using namespace anpr::edge;

namespace {

constexpr int kHeight = 40;

// A slanted bar standing in for a character: a parallelogram `slant` pixels wider at the top.
void draw_glyph(cv::Mat& image, int x, int y, int width, int height, int slant) {
  const std::vector<cv::Point> corners = {
      {x + slant, y}, {x + slant + width, y}, {x + width, y + height}, {x, y + height}};
  cv::fillConvexPoly(image, corners, cv::Scalar(0), cv::LINE_8);
}

DetectorSettings adaptive_only() {
  DetectorSettings s;
  s.use_mser = false;
  return s;
}

}  // namespace

TEST_CASE("a row of slanted glyphs whose boxes overlap is one row", "[detector]") {
  // Seen at an angle, a plate's characters lean: each box overlaps the next by a fifth of the
  // character height, yet they are one row of seven.
  cv::Mat image(120, 400, CV_8UC1, cv::Scalar(220));
  const int slant = 16, width = 10, step = width + slant - kHeight / 5;
  for (int i = 0; i < 7; ++i) draw_glyph(image, 40 + i * step, 40, width, kHeight, slant);
  const auto candidates = PlateDetector(adaptive_only()).detect(image);
  REQUIRE_FALSE(candidates.empty());
  CHECK(candidates.front().rows.size() == 1);
  CHECK(candidates.front().rows.front().chars.size() == 7);
}

TEST_CASE("a row seen at an angle keeps its near and far characters", "[detector]") {
  // Character heights grow from 30 to 48 pixels along the row, as on a plate seen from the side:
  // both ends lie more than a fifth from the median height, yet all seven are characters.
  cv::Mat image(140, 460, CV_8UC1, cv::Scalar(220));
  const int bottom = 100;
  int x = 40;
  for (int i = 0; i < 7; ++i) {
    const int height = 30 + 3 * i, width = height / 2;
    cv::rectangle(image, cv::Rect(x, bottom - height - i * 3, width, height), cv::Scalar(0), 3);  // hollow
    x += width + height / 4;
  }
  const auto candidates = PlateDetector(adaptive_only()).detect(image);
  REQUIRE_FALSE(candidates.empty());
  CHECK(candidates.front().rows.front().chars.size() == 7);
}

TEST_CASE("two characters run together through a thin bridge are two characters", "[detector]") {
  // Five glyphs, then two joined at mid-height by a two-pixel bridge: one blob, narrow enough
  // (aspect under 1.2) to pass as one wide character. The row has seven characters.
  cv::Mat image(120, 400, CV_8UC1, cv::Scalar(220));
  const int height = 30, width = 16, step = 24, top = 40;
  for (int i = 0; i < 7; ++i) {
    const int x = i < 6 ? 40 + i * step : 40 + 5 * step + width + 3;
    cv::rectangle(image, cv::Rect(x, top, width, height), cv::Scalar(0), 3);  // hollow
  }
  cv::rectangle(image, cv::Rect(40 + 5 * step + width, top + height / 2, 3, 2), cv::Scalar(0), cv::FILLED);
  const auto candidates = PlateDetector(adaptive_only()).detect(image);
  REQUIRE_FALSE(candidates.empty());
  CHECK(candidates.front().rows.front().chars.size() == 7);
}

namespace {

// Three whole hollow glyphs, then four 3 pixels apart and blurred, so that their gaps turn grey,
// not clear: in a dim or distant plate the detector's threshold joins such glyphs into one run.
struct BlurredRun {
  static constexpr int kHeight = 30, kWidth = 14, kTop = 40, kGap = 3, kRunX = 40 + 3 * 24;
  cv::Mat image = cv::Mat(120, 400, CV_8UC1, cv::Scalar(220));
  std::vector<detector_detail::Blob> whole;
  detector_detail::Blob run{cv::Rect(kRunX - 1, kTop - 1, 4 * (kWidth + kGap) - kGap + 2, kHeight + 2), true};
  BlurredRun() {
    const auto glyph = [&](int x) {
      cv::rectangle(image, cv::Rect(x + 1, kTop + 1, kWidth - 2, kHeight - 2), cv::Scalar(0), 2);
    };
    for (int i = 0; i < 3; ++i) {
      glyph(40 + i * 24);
      whole.push_back({cv::Rect(40 + i * 24, kTop, kWidth, kHeight), true});
    }
    for (int i = 0; i < 4; ++i) glyph(kRunX + i * (kWidth + kGap));
    const cv::Rect blurred(kRunX - 6, kTop - 8, 4 * (kWidth + kGap) + 12, kHeight + 16);
    cv::GaussianBlur(image(blurred).clone(), image(blurred), cv::Size(0, 0), 1.6);
  }
  [[nodiscard]] static int glyph_centre(int i) { return kRunX + i * (kWidth + kGap) + kWidth / 2; }
};

}  // namespace

TEST_CASE("characters blurred into one run are cut where the ink between them is faint", "[detector]") {
  const BlurredRun scene;
  const auto cut = detector_detail::cut_glyph(scene.image, scene.run, 4, detector_detail::JoinedBy::kBlur);
  REQUIRE(cut.has_value());
  REQUIRE(cut->pieces.size() == 4);
  for (int i = 0; i < 4; ++i) {
    INFO("piece " << i);
    CHECK(std::abs(cut->pieces[i].box.x + cut->pieces[i].box.width / 2 - BlurredRun::glyph_centre(i)) <= 2);
  }
  // Inside a glyph some stroke crosses every column at full strength: one glyph is not cut in two.
  const detector_detail::Blob one{cv::Rect(BlurredRun::kRunX, BlurredRun::kTop - 1, BlurredRun::kWidth, 32),
                                  true};
  CHECK_FALSE(detector_detail::cut_glyph(scene.image, one, 2, detector_detail::JoinedBy::kBlur).has_value());
}

TEST_CASE("a glyph of two characters blurred together is split where a thin bridge would not be",
          "[detector]") {
  // The run's first two characters as one glyph of the row (as wide as two, not as a run): no
  // column of it is clear, so the thin-bridge measure finds no cut; its gap's ink is faint.
  const BlurredRun scene;
  const detector_detail::Blob two{
      cv::Rect(BlurredRun::kRunX - 1, BlurredRun::kTop - 1, 2 * BlurredRun::kWidth + BlurredRun::kGap + 2,
               BlurredRun::kHeight + 2),
      true};
  REQUIRE_FALSE(
      detector_detail::cut_glyph(scene.image, two, 2, detector_detail::JoinedBy::kBridge).has_value());
  std::vector<detector_detail::Blob> row = scene.whole;
  row.push_back(two);
  const auto split = detector_detail::split_run_together(scene.image, row);
  REQUIRE(split.size() == 5);
  for (int i = 0; i < 2; ++i)
    CHECK(std::abs(split[3 + i].box.x + split[3 + i].box.width / 2 - BlurredRun::glyph_centre(i)) <= 2);
}

TEST_CASE("a row half run together is cut by its narrow glyphs' width", "[detector]") {
  // Two whole glyphs and the run's four characters blurred into two double glyphs: the doubles
  // are the row's median width, so only the narrow measure finds them twice as wide as a character.
  const BlurredRun scene;
  const int pair_width = 2 * BlurredRun::kWidth + BlurredRun::kGap + 2;
  std::vector<detector_detail::Blob> row = {scene.whole[1], scene.whole[2]};
  for (int i = 0; i < 2; ++i) {
    row.push_back({cv::Rect(BlurredRun::kRunX - 1 + i * 2 * (BlurredRun::kWidth + BlurredRun::kGap),
                            BlurredRun::kTop - 1, pair_width, BlurredRun::kHeight + 2),
                   true});
  }
  using detector_detail::RowWidth;
  CHECK(detector_detail::split_run_together(scene.image, row, RowWidth::kMedian).size() == 4);
  const auto split = detector_detail::split_run_together(scene.image, row, RowWidth::kNarrow);
  REQUIRE(split.size() == 6);
  for (int i = 0; i < 4; ++i)
    CHECK(std::abs(split[2 + i].box.x + split[2 + i].box.width / 2 - BlurredRun::glyph_centre(i)) <= 2);
  // A glyph less wide than high is one character however narrow the row's others are.
  row[2].box.height = row[3].box.height = pair_width + pair_width / 5;
  CHECK(detector_detail::split_run_together(scene.image, row, RowWidth::kNarrow).size() == 4);
}

TEST_CASE("a row half run together is offered both whole and cut", "[detector]") {
  // Two E-shaped glyphs (no column inside one is faint), then two pairs of them 2 pixels apart
  // and blurred, so that each pair is one glyph as wide as two and a little less wide than high
  // (not a run). The doubles are the row's median width: the row cut by the median keeps four
  // glyphs, the row cut by its narrow glyphs' width has six, and both are candidates.
  cv::Mat image(120, 400, CV_8UC1, cv::Scalar(220));
  constexpr int kTop = 40, kWidth = 16, kGlyphHeight = 36, kStroke = 5, kGap = 2, kPitch = kWidth + 8;
  const auto glyph = [&](int x) {
    cv::rectangle(image, cv::Rect(x, kTop, kStroke, kGlyphHeight), cv::Scalar(0), cv::FILLED);
    for (int y : {0, (kGlyphHeight - kStroke) / 2, kGlyphHeight - kStroke})
      cv::rectangle(image, cv::Rect(x, kTop + y, kWidth, kStroke), cv::Scalar(0), cv::FILLED);
  };
  std::vector<int> lefts = {40, 40 + kPitch};
  std::vector<cv::Rect> pairs;
  for (int pair = 0; pair < 2; ++pair) {
    const int x = 40 + 2 * kPitch + pair * (kPitch + kWidth + kGap);
    lefts.push_back(x);
    lefts.push_back(x + kWidth + kGap);
    pairs.emplace_back(x - 3, kTop - 6, 2 * kWidth + kGap + 6, kGlyphHeight + 12);
  }
  for (int x : lefts) glyph(x);
  for (const cv::Rect& r : pairs) cv::GaussianBlur(image(r).clone(), image(r), cv::Size(0, 0), 1.6);
  std::vector<std::size_t> lengths;
  for (const PlateCandidate& c : PlateDetector(adaptive_only()).detect(image)) {
    if (c.rows.size() != 1 || !c.dark_on_light) continue;
    const auto& chars = c.rows.front().chars;
    lengths.push_back(chars.size());
    if (chars.size() != lefts.size()) continue;
    for (std::size_t i = 0; i < chars.size(); ++i) {
      INFO("glyph " << i);
      CHECK(std::abs(chars[i].x - lefts[i]) <= 2);
    }
  }
  CHECK(std::count(lengths.begin(), lengths.end(), 4) == 1);
  CHECK(std::count(lengths.begin(), lengths.end(), 6) == 1);
}

TEST_CASE("a run of characters beside a row's glyphs joins the row as its characters", "[detector]") {
  const BlurredRun scene;
  const auto row = detector_detail::with_runs_joined(scene.image, scene.whole, {scene.run});
  REQUIRE(row.size() == 7);
  for (int i = 0; i < 4; ++i)
    CHECK(std::abs(row[3 + i].box.x + row[3 + i].box.width / 2 - BlurredRun::glyph_centre(i)) <= 2);
  // Not a run far from the row, nor one of another height, nor one beside a single glyph.
  detector_detail::Blob far = scene.run;
  far.box.x += 200;
  CHECK(detector_detail::with_runs_joined(scene.image, scene.whole, {far}).size() == 3);
  detector_detail::Blob taller = scene.run;
  taller.box.height = 45;
  CHECK(detector_detail::with_runs_joined(scene.image, scene.whole, {taller}).size() == 3);
  CHECK(detector_detail::with_runs_joined(scene.image, {scene.whole.back()}, {scene.run}).size() == 1);
}

TEST_CASE("two characters alone are a candidate on a plate, not on a busy background", "[detector]") {
  // A cherished plate ("A 1"): a plate-wide light rectangle, two characters in its middle.
  cv::Mat plate(200, 500, CV_8UC1, cv::Scalar(90));
  cv::rectangle(plate, cv::Rect(60, 70, 380, 60), cv::Scalar(225), cv::FILLED);
  draw_glyph(plate, 215, 80, 14, kHeight, 8);
  draw_glyph(plate, 255, 80, 14, kHeight, 8);
  const auto on_plate = PlateDetector(adaptive_only()).detect(plate);
  REQUIRE(on_plate.size() == 1);
  CHECK(on_plate.front().rows.front().chars.size() == 2);

  // The same two glyphs on a light patch just large enough for them, among dark stripes (a
  // badge on a grille): no candidate.
  cv::Mat grille(200, 500, CV_8UC1, cv::Scalar(225));
  for (int x = 0; x < grille.cols; x += 12)
    cv::rectangle(grille, cv::Rect(x, 0, 5, grille.rows), cv::Scalar(60), cv::FILLED);
  cv::rectangle(grille, cv::Rect(205, 74, 78, 52), cv::Scalar(225), cv::FILLED);
  draw_glyph(grille, 215, 80, 14, kHeight, 8);
  draw_glyph(grille, 255, 80, 14, kHeight, 8);
  for (const auto& c : PlateDetector(adaptive_only()).detect(grille)) CHECK(c.rows.front().chars.size() != 2);
}

TEST_CASE("a two-row plate whose short row is one character is a two-row candidate", "[detector]") {
  // "XCD" over a centred "5" (dateless square plates): the lone glyph has no neighbour to chain
  // with, yet it is the plate's second row. Off centre, it is something else and stays out.
  for (const int offset : {0, 60}) {
    cv::Mat image(220, 400, CV_8UC1, cv::Scalar(220));
    for (int i = 0; i < 3; ++i) draw_glyph(image, 150 + i * 30, 50, 12, kHeight, 6);
    draw_glyph(image, 180 + offset, 50 + kHeight + 14, 12, kHeight, 6);
    const auto candidates = PlateDetector(adaptive_only()).detect(image);
    REQUIRE_FALSE(candidates.empty());
    const auto two_rows =
        std::find_if(candidates.begin(), candidates.end(), [](auto& c) { return c.rows.size() == 2; });
    if (offset == 0) {
      REQUIRE(two_rows != candidates.end());
      CHECK(two_rows->rows[0].chars.size() == 3);
      CHECK(two_rows->rows[1].chars.size() == 1);
      CHECK(two_rows->box.contains(cv::Point(186, 50 + kHeight + 14 + kHeight / 2)));
      // The row alone stays a candidate too: the reader keeps the longer reading where it is sure.
      CHECK(std::any_of(candidates.begin(), candidates.end(), [](auto& c) { return c.rows.size() == 1; }));
    } else {
      CHECK(two_rows == candidates.end());
    }
  }
}

TEST_CASE("one character over another is a two-row plate on a plate, not on a busy background",
          "[detector]") {
  // "D" over "7" on a plate-wide light rectangle: a candidate of two one-character rows.
  cv::Mat plate(260, 400, CV_8UC1, cv::Scalar(90));
  cv::rectangle(plate, cv::Rect(110, 50, 180, 130), cv::Scalar(225), cv::FILLED);
  draw_glyph(plate, 190, 60, 14, kHeight, 6);
  draw_glyph(plate, 190, 60 + kHeight + 12, 14, kHeight, 6);
  const auto on_plate = PlateDetector(adaptive_only()).detect(plate);
  const auto stacked = [](const PlateCandidate& c) {
    return c.rows.size() == 2 && c.rows[0].chars.size() == 1 && c.rows[1].chars.size() == 1;
  };
  CHECK(std::count_if(on_plate.begin(), on_plate.end(), stacked) == 1);

  // The same two glyphs on a patch just large enough for them, among dark stripes: no candidate.
  cv::Mat grille(260, 400, CV_8UC1, cv::Scalar(225));
  for (int x = 0; x < grille.cols; x += 12)
    cv::rectangle(grille, cv::Rect(x, 0, 5, grille.rows), cv::Scalar(60), cv::FILLED);
  cv::rectangle(grille, cv::Rect(182, 54, 36, 2 * kHeight + 24), cv::Scalar(225), cv::FILLED);
  draw_glyph(grille, 190, 60, 14, kHeight, 6);
  draw_glyph(grille, 190, 60 + kHeight + 12, 14, kHeight, 6);
  const auto on_grille = PlateDetector(adaptive_only()).detect(grille);
  CHECK(std::count_if(on_grille.begin(), on_grille.end(), stacked) == 0);

  // Two bars one over the other on flat grey (a road's centre line): no candidate either.
  cv::Mat road(260, 400, CV_8UC1, cv::Scalar(90));
  cv::rectangle(road, cv::Rect(195, 40, 10, kHeight), cv::Scalar(230), cv::FILLED);
  cv::rectangle(road, cv::Rect(195, 40 + kHeight + 14, 10, kHeight), cv::Scalar(230), cv::FILLED);
  const auto on_road = PlateDetector(adaptive_only()).detect(road);
  CHECK(std::count_if(on_road.begin(), on_road.end(), stacked) == 0);
}

TEST_CASE("a two-row plate with a short top row pairs its rows", "[detector]") {
  // "HI" centred over "3291" (Northern Ireland square plates): the top row covers half of the
  // bottom one. The same two glyphs over the bottom row's left end are not its partner.
  for (const int shift : {0, -45}) {
    cv::Mat image(220, 400, CV_8UC1, cv::Scalar(220));
    for (int i = 0; i < 2; ++i) draw_glyph(image, 170 + shift + i * 30, 50, 12, kHeight, 6);
    for (int i = 0; i < 4; ++i) draw_glyph(image, 140 + i * 30, 50 + kHeight + 14, 12, kHeight, 6);
    const auto candidates = PlateDetector(adaptive_only()).detect(image);
    const bool paired = std::any_of(candidates.begin(), candidates.end(), [](const PlateCandidate& c) {
      return c.rows.size() == 2 && c.rows[0].chars.size() == 2 && c.rows[1].chars.size() == 4;
    });
    CHECK(paired == (shift == 0));
  }
}

TEST_CASE("a character touching the plate's frame is still a character, the frame's sides are not",
          "[detector]") {
  // A plate with a dark frame close round seven glyphs; the fourth stands a little low and
  // touches the frame's bottom line, so it is one component with the whole frame. The row has
  // seven characters: the touching one, and neither of the frame's sides.
  cv::Mat image(140, 420, CV_8UC1, cv::Scalar(220));
  const int height = 30, width = 16, step = 24, top = 45;
  cv::rectangle(image, cv::Rect(30, top - 8, 6 * step + width + 26, height + 14), cv::Scalar(0), 3);
  for (int i = 0; i < 7; ++i) {
    const int y = i == 3 ? top + 6 : top;  // the fourth reaches the frame's bottom line
    cv::rectangle(image, cv::Rect(43 + i * step, y, width, height), cv::Scalar(0), 3);  // hollow
  }
  const auto candidates = PlateDetector(adaptive_only()).detect(image);
  REQUIRE_FALSE(candidates.empty());
  const auto& chars = candidates.front().rows.front().chars;
  REQUIRE(chars.size() == 7);
  CHECK(std::abs(chars[3].x - (43 + 3 * step)) <= 2);
}

TEST_CASE("a character joined to the plate's band and frame at the row's end is still a character",
          "[detector]") {
  // A European plate: a dark band down the left, the first glyph so close to it that they touch
  // (a bridge of blur between them) and so close under the frame's top line that it touches it.
  // Band, frame and glyph are one component, which is no character; the row still has seven, the
  // first where it was drawn.
  cv::Mat image(140, 420, CV_8UC1, cv::Scalar(220));
  const int height = 30, width = 16, step = 24, top = 45;
  cv::rectangle(image, cv::Rect(30, top - 8, 6 * step + width + 26, height + 22), cv::Scalar(0), 3);
  cv::rectangle(image, cv::Rect(30, top - 8, 9, height + 22), cv::Scalar(0), cv::FILLED);  // the band
  cv::line(image, {38, top + 12}, {42, top + 12}, cv::Scalar(0), 2);
  for (int i = 0; i < 7; ++i) {
    const int y = i == 0 ? top - 5 : top;  // the first reaches the frame's top line
    cv::rectangle(image, cv::Rect(43 + i * step, y, width, height), cv::Scalar(0), 3);
  }
  const auto candidates = PlateDetector(adaptive_only()).detect(image);
  // The dark glyphs' row (the hollow glyphs' insides make a light one as well).
  const auto dark = std::find_if(candidates.begin(), candidates.end(),
                                 [](const PlateCandidate& c) { return c.dark_on_light; });
  REQUIRE(dark != candidates.end());
  const auto& chars = dark->rows.front().chars;
  REQUIRE(chars.size() == 7);
  // Its box starts where its drawn stroke does (x = 42) or at what is left of the bridge (39).
  CHECK(chars.front().x >= 38);
  CHECK(chars.front().x <= 43);
  CHECK(std::abs(chars.front().height - chars[1].height) <= 0.22 * chars[1].height);
}
