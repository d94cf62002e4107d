#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "anpr/common/error.hpp"
#include "anpr/edge/reader/ocr_engine.hpp"

using namespace anpr::edge;

namespace {

cv::Mat text_row(const std::string& text) {
  cv::Mat row(64, 40 + 34 * static_cast<int>(text.size()), CV_8UC1, cv::Scalar(255));
  cv::putText(row, text, {16, 50}, cv::FONT_HERSHEY_DUPLEX, 1.6, cv::Scalar(0), 3, cv::LINE_AA);
  return row;
}

}  // namespace

TEST_CASE("the Tesseract engine reads a clean row with per-character choices", "[tesseract]") {
  auto engine = make_tesseract_engine({});
  const RowReading r = engine->read_row(text_row("AB12CDE"));
  CHECK(r.text() == "AB12CDE");
  REQUIRE(r.chars.size() == 7);
  for (const auto& c : r.chars) {
    REQUIRE_FALSE(c.options.empty());
    CHECK(c.options.front().probability > 0.5F);
    CHECK(c.options.front().probability <= 1.0F);
    for (const auto& o : c.options) CHECK(o.probability <= c.options.front().probability);
  }
  CHECK(r.mean_probability() > 0.5F);
}

TEST_CASE("one engine is reused across many rows", "[tesseract]") {
  auto engine = make_tesseract_engine({});
  for (const std::string text : {"XY51ABC", "A123BCD", "ABZ1234"}) {
    CHECK(engine->read_row(text_row(text)).text() == text);
  }
  CHECK(engine->read_row(cv::Mat(64, 200, CV_8UC1, cv::Scalar(255))).text().empty());
}

TEST_CASE("a missing model is a clear setup error", "[tesseract][rejects]") {
  TesseractSettings s;
  s.tessdata_dir = "/nonexistent";
  CHECK_THROWS_WITH(make_tesseract_engine(s), Catch::Contains("/nonexistent/eng.traineddata not found"));
}
