#include <catch2/catch.hpp>

#include "anpr/common/error.hpp"
#include "anpr/edge/camera/zones.hpp"

using namespace anpr;
using namespace anpr::edge;

namespace {
const cv::Size kFrame(1920, 1080);
const Polygon kCaption = {{0.0, 0.0}, {0.4, 0.0}, {0.4, 0.08}, {0.0, 0.08}};
const Polygon kLane = {{0.2, 0.3}, {0.8, 0.3}, {1.0, 1.0}, {0.0, 1.0}};
}  // namespace

TEST_CASE("an ignore zone is never read, the rest of the frame is", "[zones]") {
  ZoneSettings s;
  s.ignore = {kCaption};
  const Zones zones(s);
  CHECK_FALSE(zones.readable({100, 40}, kFrame));  // in the caption
  CHECK(zones.readable({1500, 40}, kFrame));       // beside it
  CHECK(zones.readable({960, 900}, kFrame));
}

TEST_CASE("with read zones only they are read, and ignore wins where both cover a place", "[zones]") {
  ZoneSettings s;
  s.read = {kLane};
  s.ignore = {{{0.45, 0.9}, {0.55, 0.9}, {0.55, 1.0}, {0.45, 1.0}}};  // a sign inside the lane
  const Zones zones(s);
  CHECK(zones.readable({960, 700}, kFrame));
  CHECK_FALSE(zones.readable({100, 400}, kFrame));   // outside the lane
  CHECK_FALSE(zones.readable({960, 1030}, kFrame));  // the sign
}

TEST_CASE("zones in pixels, and pixel zones checked against the frame", "[zones]") {
  ZoneSettings s;
  s.units = ZoneUnits::kPixels;
  s.ignore = {{{0, 0}, {700, 0}, {700, 80}, {0, 80}}};
  CHECK_FALSE(Zones(s).readable({300, 40}, kFrame));
  CHECK(Zones(s).readable({300, 120}, kFrame));
  CHECK_NOTHROW(check_zones_fit(s, kFrame));
  CHECK_THROWS_WITH(check_zones_fit(s, cv::Size(640, 480)),
                    Catch::Contains("zones.ignore[1]: point 2 (700, 0) is outside the frame of 640x480"));
}

TEST_CASE("a polygon that crosses itself, has no area or too few points is refused", "[zones]") {
  CHECK(polygon_problem(kLane, ZoneUnits::kFraction).empty());
  CHECK_THAT(polygon_problem({{0, 0}, {1, 1}, {1, 0}, {0, 1}}, ZoneUnits::kFraction),
             Catch::Contains("crosses itself"));
  CHECK_THAT(polygon_problem({{0, 0}, {1, 0}}, ZoneUnits::kFraction), Catch::Contains("at least 3 points"));
  CHECK_THAT(polygon_problem({{0, 0}, {0.5, 0.5}, {1, 1}}, ZoneUnits::kFraction), Catch::Contains("no area"));
  CHECK_THAT(polygon_problem({{0, 0}, {1, 0}, {1, -0.1}}, ZoneUnits::kFraction),
             Catch::Contains("outside the frame"));
}

TEST_CASE("the drawing puts each zone's colour where it is configured, and leaves the rest alone",
          "[zones]") {
  ZoneSettings s;
  s.ignore = {kCaption};
  s.read = {{{0.5, 0.5}, {0.9, 0.5}, {0.9, 0.9}, {0.5, 0.9}}};
  cv::Mat picture(kFrame, CV_8UC3, cv::Scalar(128, 128, 128));
  Zones(s).draw(picture);
  const cv::Vec3b ignore = picture.at<cv::Vec3b>(60, 600);  // inside the caption zone, clear of its label
  CHECK(ignore[2] > ignore[1] + 40);                        // red dominates
  const cv::Vec3b read = picture.at<cv::Vec3b>(800, 1400);  // inside the read zone
  CHECK(read[1] > read[2] + 40);                            // green dominates
  CHECK(picture.at<cv::Vec3b>(300, 1700) == cv::Vec3b(128, 128, 128));  // outside both: untouched
}
