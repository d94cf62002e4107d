// The character classifier: the patch every character is cut into, model loading errors, and
// the shipped model on clean characters (golden values; accuracy is measured by `anpr-edge eval`).
#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "anpr/edge/reader/char_classifier.hpp"
#include "support/network_checks.hpp"

using namespace anpr;
using namespace anpr::edge;

TEST_CASE("a character patch is the fixed size, full range, centred on the character", "[classifier]") {
  // A grey row, character height 40, with one dark bar at x 100..110.
  cv::Mat row(64, 300, CV_8UC1, cv::Scalar(180));
  cv::rectangle(row, cv::Rect(100, 12, 10, 40), cv::Scalar(60), cv::FILLED);
  const cv::Mat patch = character_patch(row, cv::Rect(100, 12, 10, 40), 40.0);
  test::check_network_patch(patch, cv::Size(kCharPatchWidth, kCharPatchHeight));
  CHECK(patch.at<std::uint8_t>(kCharPatchHeight / 2, kCharPatchWidth / 2) < 64);  // the bar
  CHECK(patch.at<std::uint8_t>(kCharPatchHeight / 2, 1) > 192);                   // beside it
}

TEST_CASE("a patch at the row's edge is filled, not cut", "[classifier]") {
  cv::Mat row(64, 40, CV_8UC1, cv::Scalar(200));
  cv::rectangle(row, cv::Rect(0, 12, 8, 40), cv::Scalar(30), cv::FILLED);
  const cv::Mat patch = character_patch(row, cv::Rect(0, 12, 8, 40), 40.0);
  CHECK(patch.size() == cv::Size(kCharPatchWidth, kCharPatchHeight));
}

TEST_CASE("a missing or broken model is a clear model error", "[classifier][rejects]") {
  test::check_unusable_model_files_rejected<CharClassifier>();
  CHECK(make_char_classifier("none") == nullptr);
}

TEST_CASE("the shipped model reads clean characters", "[classifier]") {
  const std::string model = default_char_model();
  REQUIRE_FALSE(model.empty());
  CharClassifier classifier(model);
  // Thick Hershey strokes on a light row, character height 40: not a plate font, so only shapes
  // no font draws differently.
  cv::Mat row(64, 260, CV_8UC1, cv::Scalar(220));
  const std::string text = "17LT4";
  std::vector<cv::Rect> boxes;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int x = 12 + static_cast<int>(i) * 48;
    cv::putText(row, std::string(1, text[i]), {x, 52}, cv::FONT_HERSHEY_DUPLEX, 1.45, cv::Scalar(30), 5,
                cv::LINE_AA);
    boxes.emplace_back(x, 12, 30, 40);
  }
  const auto choices = classifier.classify(row, boxes, 40.0);
  REQUIRE(choices.size() == text.size());
  std::string read;
  for (const auto& c : choices) {
    read.push_back(c.options.front().symbol);
    CHECK(c.options.front().probability > 0.0F);
    CHECK(std::is_sorted(c.options.begin(), c.options.end(),
                         [](const CharChoice::Option& a, const CharChoice::Option& b) {
                           return a.probability > b.probability;
                         }));
  }
  CHECK(read == text);
  CHECK(classifier.classify(row, {}, 40.0).empty());
}
