// The plate / not-a-plate check: the patch every candidate is cut into, model loading errors, and
// the shipped model on clear cases (its effect on real and synthetic sets is measured by
// `anpr-edge eval`, docs/accuracy.md).
#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "anpr/edge/reader/plate_verifier.hpp"
#include "support/network_checks.hpp"

using namespace anpr;
using namespace anpr::edge;

namespace {

// The shipped verifier; the test fails when no model is installed.
PlateVerifier shipped_verifier() {
  const std::string model = default_verifier_model();
  REQUIRE_FALSE(model.empty());
  return PlateVerifier(model);
}

// A plain UK-style front plate: white, a thin dark border, seven dark characters in two groups.
cv::Mat plate_scene(cv::Rect& box) {
  cv::Mat scene(240, 480, CV_8UC1, cv::Scalar(70));
  box = cv::Rect(120, 100, 240, 52);
  cv::rectangle(scene, box, cv::Scalar(235), cv::FILLED);
  cv::rectangle(scene, box, cv::Scalar(30), 2);
  cv::putText(scene, "AB12", {132, 142}, cv::FONT_HERSHEY_DUPLEX, 1.3, cv::Scalar(20), 4, cv::LINE_AA);
  cv::putText(scene, "CDE", {258, 142}, cv::FONT_HERSHEY_DUPLEX, 1.3, cv::Scalar(20), 4, cv::LINE_AA);
  return scene;
}

// A radiator grille: light vertical bars on dark, the size of plate_scene().
cv::Mat grille_scene() {
  cv::Mat grille(240, 480, CV_8UC1, cv::Scalar(25));
  for (int x = 0; x < grille.cols; x += 14)
    cv::rectangle(grille, cv::Rect(x, 0, 7, grille.rows), cv::Scalar(170), cv::FILLED);
  return grille;
}

}  // namespace

TEST_CASE("a plate patch is the fixed size, full range, with the box in its middle", "[verifier]") {
  cv::Rect box;
  const cv::Mat scene = plate_scene(box);
  const cv::Mat patch = plate_patch(scene, box);
  test::check_network_patch(patch, cv::Size(kPlatePatchWidth, kPlatePatchHeight));
  // The margin shows what is around the box (the darker bumper), the middle the plate's ink.
  CHECK(patch.at<std::uint8_t>(1, kPlatePatchWidth / 2) < 128);
  CHECK(patch.at<std::uint8_t>(kPlatePatchHeight / 2, 2) < 128);
}

TEST_CASE("a plate patch at the image's edge is filled from the edge, not with black", "[verifier]") {
  // A light image with a dark bar through the middle, the box the whole image: the margin
  // beyond the image repeats its edge (light above and below, the bar's ends at the sides).
  cv::Mat image(40, 60, CV_8UC1, cv::Scalar(200));
  cv::rectangle(image, cv::Rect(0, 16, 60, 8), cv::Scalar(20), cv::FILLED);
  const cv::Mat patch = plate_patch(image, cv::Rect(0, 0, 60, 40));
  REQUIRE(patch.size() == cv::Size(kPlatePatchWidth, kPlatePatchHeight));
  CHECK(patch.at<std::uint8_t>(0, kPlatePatchWidth / 2) > 200);  // above: light, not black
  CHECK(patch.at<std::uint8_t>(kPlatePatchHeight - 1, kPlatePatchWidth / 2) > 200);
  CHECK(patch.at<std::uint8_t>(kPlatePatchHeight / 2, 0) < 50);  // the bar runs on at the side
  CHECK(patch.at<std::uint8_t>(kPlatePatchHeight / 2, kPlatePatchWidth - 1) < 50);
}

TEST_CASE("a missing or broken verifier model is a clear model error", "[verifier][rejects]") {
  test::check_unusable_model_files_rejected<PlateVerifier>();
  CHECK(make_plate_verifier("none") == nullptr);
}

TEST_CASE("the shipped verifier accepts a plain plate and rejects a grille and a blank panel", "[verifier]") {
  PlateVerifier verifier = shipped_verifier();
  cv::Rect box;
  const cv::Mat scene = plate_scene(box);
  const double plate = verifier.plate_probability(plate_patch(scene, box));
  CHECK(plate > 0.5);

  const cv::Mat grille = grille_scene();
  const double bars = verifier.plate_probability(plate_patch(grille, box));
  CHECK(bars < 0.5);

  cv::Mat panel(240, 480, CV_8UC1, cv::Scalar(90));
  cv::rectangle(panel, box, cv::Scalar(200), cv::FILLED);
  const double blank = verifier.plate_probability(plate_patch(panel, box));
  CHECK(blank < 0.5);
  CHECK(plate > bars);
}

TEST_CASE("the verifier judges a whole pool in one pass as it judges each patch alone", "[verifier]") {
  PlateVerifier verifier = shipped_verifier();
  cv::Rect box;
  const cv::Mat scene = plate_scene(box);
  const cv::Mat grille = grille_scene();
  const std::vector<cv::Mat> pool = {plate_patch(scene, box), plate_patch(grille, box),
                                     plate_patch(scene, cv::Rect(0, 0, 120, 40))};
  const std::vector<double> together = verifier.plate_probabilities(pool);
  REQUIRE(together.size() == pool.size());
  for (std::size_t i = 0; i < pool.size(); ++i)
    CHECK(together[i] == Approx(verifier.plate_probability(pool[i])));
  CHECK(together[0] > 0.5);
  CHECK(together[1] < 0.5);
  CHECK(verifier.plate_probabilities({}).empty());
  // A patch of the wrong size is a programming error, refused before the network runs.
  CHECK_THROWS(verifier.plate_probabilities({pool[0], cv::Mat(10, 10, CV_8UC1, cv::Scalar(0))}));
}
