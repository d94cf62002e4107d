#include <catch2/catch.hpp>

#include <thread>

#include <opencv2/imgproc.hpp>

#include "anpr/edge/camera/latest_frame.hpp"
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

TEST_CASE("latest frame: the newest wins and replaced frames count as dropped", "[motion]") {
  LatestFrame slot;
  for (int i = 1; i <= 5; ++i) {
    Frame f;
    f.id = i;
    slot.put(std::move(f));
  }
  const auto taken = slot.take(std::chrono::milliseconds(10));
  REQUIRE(taken);
  CHECK(taken->id == 5);
  CHECK(slot.dropped() == 4);
  CHECK_FALSE(slot.take(std::chrono::milliseconds(10)));
  slot.close();
  CHECK(slot.closed());
}

TEST_CASE("latest frame without dropping makes capture wait for the recogniser", "[motion]") {
  LatestFrame slot(false);
  std::thread producer([&] {
    for (int i = 1; i <= 20; ++i) {
      Frame f;
      f.id = i;
      slot.put(std::move(f));
    }
    slot.close();
  });
  std::vector<std::int64_t> ids;
  while (auto f = slot.take(std::chrono::milliseconds(1000))) ids.push_back(f->id);
  producer.join();
  CHECK(ids.size() == 20);
  CHECK(slot.dropped() == 0);
}
