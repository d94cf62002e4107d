#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "anpr/edge/camera/motion_gate.hpp"

using namespace anpr::edge;

namespace {

cv::Mat scene(int car_x) {
  cv::Mat img(720, 1280, CV_8UC3, cv::Scalar(90, 90, 90));
  cv::rectangle(img, cv::Rect(car_x, 300, 300, 200), cv::Scalar(20, 30, 40), cv::FILLED);
  return img;
}

}  // namespace

TEST_CASE("motion gate looks only where something moved", "[motion]") {
  MotionGate gate(MotionSettings{});
  CHECK(gate.regions(scene(200)).size() == 1);  // the first frame: everywhere
  CHECK(gate.regions(scene(200)).empty());      // nothing moved
  const auto regions = gate.regions(scene(240));
  REQUIRE(regions.size() == 1);
  CHECK(regions[0].contains({390, 400}));  // the middle of the car, where its plate is, not only its edges
  CHECK(regions[0].area() < 1280 * 720 / 2);
}

TEST_CASE("motion gate off looks everywhere, the region of interest limits where", "[motion]") {
  MotionSettings off;
  off.enabled = false;
  MotionGate all(off);
  (void)all.regions(scene(200));
  CHECK(all.regions(scene(200)) == std::vector<cv::Rect>{cv::Rect(0, 0, 1280, 720)});

  MotionSettings roi;
  roi.roi = {{0.5, 0.0}, {1.0, 0.0}, {1.0, 1.0}, {0.5, 1.0}};  // the right half
  MotionGate right(roi);
  (void)right.regions(scene(100));
  CHECK(right.regions(scene(140)).empty());  // motion on the left only
  CHECK(right.in_roi({1000, 400}, {1280, 720}));
  CHECK_FALSE(right.in_roi({100, 400}, {1280, 720}));
}
