#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/edge/reader/evaluation.hpp"

using namespace anpr::edge;
namespace fs = std::filesystem;

namespace {

std::string write_manifest(const std::string& name, const std::string& text) {
  const fs::path p = anpr::test::scratch_dir() / (name + std::to_string(::getpid()) + ".csv");
  std::ofstream(p) << text;
  return p.string();
}

PlateResult plate(const std::string& text, cv::Rect box, std::vector<std::string> alternatives = {}) {
  PlateResult p;
  p.text.text = text;
  p.text.confidence = 0.95;
  for (auto& a : alternatives) p.text.candidates.push_back({a, 0.5});
  p.box = box;
  return p;
}

}  // namespace

TEST_CASE("manifest parsing", "[evaluation]") {
  const auto plates = load_manifest(
      write_manifest("ok", "image,plate,x,y,w,h,country\na.jpg,ab12 cde,1,2,30,10,GB\nb.jpg,M5XSX,,,,,\n"));
  REQUIRE(plates.size() == 2);
  CHECK(plates[0].plate == "AB12CDE");
  CHECK(plates[0].box == cv::Rect(1, 2, 30, 10));
  CHECK(plates[0].country == "GB");
  CHECK(plates[0].line == 2);
  CHECK_FALSE(plates[1].box);
}

TEST_CASE("manifest errors name the line", "[evaluation][rejects]") {
  CHECK_THROWS_WITH(
      load_manifest(write_manifest("bad1", "image,plate,x,y,w,h,country\na.jpg,AB12CDE,1,2,x,10,GB\n")),
      Catch::Contains(":2: the box"));
  CHECK_THROWS_WITH(load_manifest(write_manifest("bad2", "image,plate\na.jpg,AB12CDE\nb.jpg,AB-12?\n")),
                    Catch::Contains(":3: plate"));
  CHECK_THROWS_WITH(load_manifest(write_manifest("bad3", "image,plate\n")),
                    Catch::Contains("lists no plates"));
  CHECK_THROWS_AS(load_manifest("/nonexistent/manifest.csv"), anpr::Error);
}

TEST_CASE("edit distance and IoU", "[evaluation]") {
  CHECK(edit_distance("AB12CDE", "AB12CDE") == 0);
  CHECK(edit_distance("AB12CDE", "AB12CD") == 1);
  CHECK(edit_distance("AB12CDE", "A812CDF") == 2);
  CHECK(edit_distance("", "ABC") == 3);
  CHECK(box_iou({0, 0, 10, 10}, {0, 0, 10, 10}) == Approx(1.0));
  CHECK(box_iou({0, 0, 10, 10}, {5, 0, 10, 10}) == Approx(50.0 / 150.0));
  CHECK(box_iou({0, 0, 10, 10}, {20, 20, 5, 5}) == 0.0);
}

TEST_CASE("scoring associates the plate overlapping the labelled box", "[evaluation]") {
  LabelledPlate truth{"a.jpg", "AB12CDE", cv::Rect(100, 100, 100, 25), "GB", 2};
  ReadResult result;
  result.plates = {plate("XY99ZZZ", {400, 300, 100, 25}), plate("AB12CDF", {102, 101, 98, 24}, {"AB12CDE"})};
  const auto o = score_plate(truth, result, 10);
  CHECK(o.read == "AB12CDF");
  CHECK_FALSE(o.exact);
  CHECK(o.in_top_n);
  CHECK(o.char_accuracy == Approx(6.0 / 7.0));
  REQUIRE(o.detected);
  CHECK(*o.detected);
  CHECK_FALSE(score_plate(truth, result, 1).in_top_n);
}

TEST_CASE("scoring without a detection counts as a miss, not an error", "[evaluation]") {
  LabelledPlate truth{"a.jpg", "AB12CDE", cv::Rect(100, 100, 100, 25), "GB", 2};
  const auto o = score_plate(truth, ReadResult{}, 10);
  CHECK(o.read.empty());
  CHECK_FALSE(o.exact);
  CHECK(o.char_accuracy == 0.0);
  CHECK_FALSE(*o.detected);
}

TEST_CASE("summary: accuracy, recall, percentiles, calibration", "[evaluation]") {
  LabelledPlate t1{"a.jpg", "AB12CDE", cv::Rect(0, 0, 10, 10), "", 2};
  LabelledPlate t2{"b.jpg", "XY99ZZZ", std::nullopt, "", 3};
  PlateOutcome o1;
  o1.truth = &t1;
  o1.read = "AB12CDE";
  o1.exact = o1.in_top_n = true;
  o1.char_accuracy = 1;
  o1.detected = true;
  o1.confidence = 0.95;
  PlateOutcome o2;
  o2.truth = &t2;
  o2.read = "XY99ZZ2";
  o2.char_accuracy = 6.0 / 7.0;
  o2.confidence = 0.92;
  const auto s = summarise({o1, o2}, {10, 20, 30, 40}, {});
  CHECK(s.exact == Approx(0.5));
  CHECK(s.top_n == Approx(0.5));
  CHECK(*s.detection_recall == Approx(1.0));
  CHECK(s.median_ms == Approx(30));
  CHECK(s.p95_ms == Approx(40));
  CHECK(s.confident_reads == 2);
  CHECK(s.confident_precision == Approx(0.5));
}

TEST_CASE("undetected plates are told apart: partly overlapped or not touched", "[evaluation]") {
  LabelledPlate truth{"a.jpg", "AB12CDE", cv::Rect(100, 100, 100, 40), "US", 2};
  ReadResult part;  // one row of a tall plate: inside the box, IoU 0.25
  part.plates = {plate("AB12CDE", {100, 110, 100, 10})};
  ReadResult elsewhere;
  elsewhere.plates = {plate("PARKING", {400, 50, 150, 30})};
  const auto partly = score_plate(truth, part, 10);
  const auto wholly = score_plate(truth, elsewhere, 10);
  ReadResult whole;
  whole.plates = {plate("AB12CDE", {100, 100, 100, 40})};
  const auto found = score_plate(truth, whole, 10);
  CHECK(partly.best_iou == Approx(0.25));
  CHECK_FALSE(*partly.detected);
  CHECK(wholly.best_iou == 0.0);
  const auto s = summarise({partly, wholly, found}, {1, 1, 1}, {});
  CHECK(*s.detection_recall == Approx(1.0 / 3.0));
  CHECK(s.missed_partly == 1);
  CHECK(s.missed_wholly == 1);
}

TEST_CASE("false reads: confident plates that are neither at a labelled box nor of a labelled text",
          "[evaluation]") {
  LabelledPlate truth{"a.jpg", "AB12CDE", cv::Rect(100, 100, 100, 25), "GB", 2};
  ReadResult result;
  result.plates = {plate("AB12CDF", {102, 101, 98, 24}),   // a misread of the labelled plate: not false
                   plate("PARKING", {400, 50, 150, 30}),   // a sign
                   plate("WWWWWWW", {100, 300, 120, 30}),  // a grille
                   plate("XY99ZZZ", {600, 400, 100, 25})};
  result.plates[3].text.confidence = 0.3;  // not sure enough to publish: not counted
  CHECK(count_false_reads({&truth}, result).total == 2);
  CHECK(count_false_reads({&truth}, result, 0.2).total == 3);
  LabelledPlate unboxed{"b.jpg", "PARKING", std::nullopt, "", 3};  // labelled by text alone
  CHECK(count_false_reads({&truth, &unboxed}, result).total == 1);
  CHECK(count_false_reads({&truth}, result).on_labelled_plates == 0);
  // A plate's other text read as a plate of its own: its box lies on the labelled plate's.
  result.plates.push_back(plate("DEALER", {110, 118, 60, 7}));
  const FalseReads with_legend = count_false_reads({&truth}, result);
  CHECK(with_legend.total == 3);
  CHECK(with_legend.on_labelled_plates == 1);
  const auto s = summarise({}, {10, 20}, {}, {{2, 1}, {0, 0}});
  CHECK(s.false_reads == 2);
  CHECK(s.false_reads_on_labelled_plates == 1);
  CHECK(s.false_reads_per_image == Approx(1.0));
}

TEST_CASE("training row labels split the truth across the rows as read, never label a cut row",
          "[evaluation]") {
  const LabelledPlate truth{"a.jpg", "AB12CDE", std::nullopt, "GB", 2};
  auto outcome_with = [&](std::vector<std::string> reads, PlateResult& p) {
    p.rows.resize(reads.size());
    p.row_reads = std::move(reads);
    PlateOutcome o;
    o.truth = &truth;
    o.plate = &p;
    return o;
  };
  PlateResult one, two, cut, noisy, none;
  CHECK(training_row_labels(outcome_with({"AB12CDE"}, one)) == std::vector<std::string>{"AB12CDE"});
  // A two-row plate: the cut that fits the two readings best, even with one misread character.
  CHECK(training_row_labels(outcome_with({"A812", "CDE"}, two)) == std::vector<std::string>{"AB12", "CDE"});
  // The first character lost to detection: the row does not show it, so it is not labelled.
  CHECK(training_row_labels(outcome_with({"B12CDE"}, cut)).empty());
  // Too far from the truth to trust the crop.
  CHECK(training_row_labels(outcome_with({"XY99ZZZ"}, noisy)).empty());
  // No rows kept (keep_rows off).
  PlateOutcome bare;
  bare.truth = &truth;
  bare.plate = &none;
  CHECK(training_row_labels(bare).empty());
}
