// Fusing Tesseract's row reading with the character classifier, on hand-made readings whose
// boxes are taken from real rows (docs/accuracy.md: the Slovak plate TS260AK).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "anpr/edge/reader/reading_fusion.hpp"

using namespace anpr::edge;

namespace {

CharChoice choice(char best, float p, cv::Rect box, char alternative = '\0', float q = 0.0F) {
  CharChoice c;
  c.options.push_back({best, p});
  if (alternative != '\0') c.options.push_back({alternative, q});
  c.box = box;
  return c;
}

// The classifier's reading of the seven detected characters of TS260AK.
std::vector<CharChoice> classified() {
  return {choice('T', 0.98F, {25, 8, 25, 40}),
          choice('S', 0.99F, {54, 8, 24, 40}),
          choice('2', 0.98F, {103, 8, 24, 40}),
          choice('6', 0.95F, {130, 8, 26, 40}),
          choice('0', 0.90F, {158, 8, 25, 40}, 'O', 0.08F),
          choice('A', 0.97F, {187, 8, 24, 40}),
          choice('K', 0.96F, {213, 8, 25, 40})};
}

}  // namespace

TEST_CASE("the classifier's character outweighs a Tesseract misread", "[fusion]") {
  // Tesseract read the narrow 0 as G, and gave the A a box far too wide (as it does).
  RowReading ocr;
  ocr.chars = {choice('T', 0.99F, {26, 8, 22, 40}),  choice('S', 0.99F, {54, 8, 24, 40}),
               choice('2', 0.41F, {100, 8, 30, 40}), choice('6', 0.99F, {132, 8, 21, 40}),
               choice('G', 0.98F, {160, 8, 22, 40}), choice('A', 0.99F, {155, 8, 86, 40}),
               choice('K', 0.99F, {208, 8, 33, 40})};
  const RowReading fused = fuse_reading(ocr, classified(), 0.7);
  CHECK(fused.text() == "TS260AK");
  // Each character took the segmented box it was paired with, in order.
  REQUIRE(fused.chars.size() == 7);
  CHECK(fused.chars[5].box.x == 187);
  CHECK(fused.chars[6].box.x == 213);
  // Mixed probabilities: 0.3 * 0.98 for Tesseract's G, 0.7 * 0.90 for the classifier's 0.
  CHECK(fused.chars[4].options.front().probability == Approx(0.63F).margin(1e-3));
}

TEST_CASE("with no classifier weight the fused reading is Tesseract's", "[fusion]") {
  RowReading ocr;
  ocr.chars = {choice('T', 0.99F, {26, 8, 22, 40}),  choice('S', 0.99F, {54, 8, 24, 40}),
               choice('2', 0.9F, {100, 8, 30, 40}),  choice('6', 0.99F, {132, 8, 21, 40}),
               choice('G', 0.98F, {160, 8, 22, 40}), choice('A', 0.99F, {188, 8, 20, 40}),
               choice('K', 0.99F, {213, 8, 25, 40})};
  CHECK(fuse_reading(ocr, classified(), 0.0).text() == "TS26GAK");
}

TEST_CASE("engine characters without a detected character keep their options", "[fusion]") {
  // A frame edge read as 'I' left of the plate, where nothing was segmented.
  RowReading ocr;
  ocr.chars = {choice('I', 0.8F, {0, 8, 6, 40}), choice('T', 0.99F, {26, 8, 22, 40}),
               choice('S', 0.99F, {54, 8, 24, 40})};
  const auto all = classified();
  const std::vector<CharChoice> boxes(all.begin(), all.begin() + 2);
  const RowReading fused = fuse_reading(ocr, boxes, 0.7);
  REQUIRE(fused.chars.size() == 3);
  CHECK(fused.text() == "ITS");
  CHECK(fused.chars[0].options.front().probability == Approx(0.8F));
  CHECK(fused.chars[0].box.x == 0);
}

TEST_CASE("an extra character Tesseract invented is not paired with a real one", "[fusion]") {
  // RK884AL read "RK3884AL": the 3 sits in the gap where no character was detected.
  const std::vector<CharChoice> boxes = {
      choice('R', 0.9F, {25, 8, 25, 40}), choice('K', 0.9F, {52, 8, 28, 40}),
      choice('8', 0.9F, {105, 8, 28, 40}), choice('8', 0.9F, {135, 8, 28, 40}),
      choice('4', 0.9F, {165, 8, 25, 40})};
  RowReading ocr;
  ocr.chars = {choice('R', 0.99F, {23, 8, 25, 40}),  choice('K', 0.99F, {53, 8, 30, 40}),
               choice('3', 0.50F, {84, 8, 20, 40}),  choice('8', 0.95F, {106, 8, 27, 40}),
               choice('8', 0.99F, {136, 8, 27, 40}), choice('4', 0.99F, {163, 8, 27, 40})};
  const RowReading fused = fuse_reading(ocr, boxes, 0.7);
  REQUIRE(fused.chars.size() == 6);
  CHECK(fused.text() == "RK3884");
  CHECK(fused.chars[2].options.front().probability == Approx(0.5F));  // unpaired: the engine's own
  CHECK(fused.chars[3].box.x == 105);
}

TEST_CASE("an unpaired symbol far from the characters' height is no character", "[fusion]") {
  // Beside the plate, Tesseract read a screw as 'B' (a quarter of the height) and the frame's
  // edge as 'H' (nearly twice it); neither sits where a character was segmented.
  RowReading ocr;
  ocr.chars = {choice('H', 0.8F, {0, 0, 12, 75}), choice('B', 0.9F, {6, 30, 10, 10}),
               choice('T', 0.99F, {26, 8, 22, 40}), choice('S', 0.99F, {54, 8, 24, 40})};
  const auto all = classified();
  const RowReading fused = fuse_reading(ocr, {all.begin(), all.begin() + 2}, 0.7);
  CHECK(fused.text() == "TS");
}

TEST_CASE("a segmented character Tesseract skipped joins the reading where the classifier is sure",
          "[fusion]") {
  // Tesseract read TS260AK as "TS26AK": the 0 (classifier 0.90) goes back in its place, on the
  // classifier's share alone; a segmented blob the classifier doubts (a bolt) does not.
  RowReading ocr;
  ocr.chars = {choice('T', 0.99F, {26, 8, 22, 40}),  choice('S', 0.99F, {54, 8, 24, 40}),
               choice('2', 0.90F, {103, 8, 24, 40}), choice('6', 0.99F, {132, 8, 21, 40}),
               choice('A', 0.99F, {187, 8, 24, 40}), choice('K', 0.99F, {213, 8, 25, 40})};
  auto boxes = classified();
  boxes.push_back(choice('I', 0.3F, {245, 8, 6, 40}));
  const RowReading fused = fuse_reading(ocr, boxes, 0.7);
  CHECK(fused.text() == "TS260AK");
  REQUIRE(fused.chars.size() == 7);
  CHECK(fused.chars[4].options.front().probability == Approx(0.7 * 0.90).margin(1e-4));
  CHECK(fused.chars[4].box.x == 158);
}

TEST_CASE("the classifier's own reading has one character per detected box", "[fusion]") {
  const RowReading own = classifier_reading(classified());
  CHECK(own.text() == "TS260AK");
  CHECK(classifier_reading({}).chars.empty());
}
