#include <catch2/catch.hpp>

#include <opencv2/imgproc.hpp>

#include "anpr/edge/camera/i420_image.hpp"

using namespace anpr::edge;

namespace {

// A picture of flat colour patches (a yellow plate, a blue car, grey road), so that chroma
// subsampling changes nothing inside a patch.
cv::Mat patches(cv::Size size) {
  cv::Mat bgr(size, CV_8UC3, cv::Scalar(90, 90, 90));
  cv::rectangle(bgr, cv::Rect(40, 30, 120, 40), cv::Scalar(0, 200, 255), cv::FILLED);   // yellow
  cv::rectangle(bgr, cv::Rect(200, 100, 80, 60), cv::Scalar(160, 80, 40), cv::FILLED);  // blue
  return bgr;
}

double max_difference(const cv::Mat& a, const cv::Mat& b) { return cv::norm(a, b, cv::NORM_INF); }

}  // namespace

TEST_CASE("I420 frames: the Y plane is the grey picture, the size is the picture's", "[i420]") {
  const cv::Mat bgr = patches({320, 240});
  const cv::Mat i420 = i420_from_bgr(bgr);
  CHECK(i420.size() == cv::Size(320, 360));  // half the bytes of BGR
  CHECK(i420_size(i420) == cv::Size(320, 240));
  cv::Mat grey;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  CHECK(max_difference(i420_luma(i420), grey) <= 2);
  CHECK(i420_luma(i420).data == i420.data);  // a view, not a copy
}

TEST_CASE("I420 frames: crops come back in their colours, widened to even edges", "[i420]") {
  const cv::Mat bgr = patches({320, 240});
  const cv::Mat i420 = i420_from_bgr(bgr);
  const cv::Mat yellow = i420_crop_bgr(i420, cv::Rect(51, 41, 77, 19));  // odd corner and size
  CHECK(yellow.size() == cv::Size(78, 20));                              // columns 50-127, rows 40-59
  CHECK(max_difference(yellow, bgr(cv::Rect(50, 40, 78, 20))) <= 4);
  const cv::Mat blue = i420_crop_bgr(i420, cv::Rect(210, 110, 40, 30));
  CHECK(max_difference(blue, bgr(cv::Rect(210, 110, 40, 30))) <= 4);
  // A region reaching past the picture is clipped; one wholly outside gives nothing.
  CHECK(i420_crop_bgr(i420, cv::Rect(300, 220, 50, 50)).size() == cv::Size(20, 20));
  CHECK(i420_crop_bgr(i420, cv::Rect(400, 300, 10, 10)).empty());
}

TEST_CASE("I420 frames: the scaled picture keeps its colours", "[i420]") {
  const cv::Mat bgr = patches({320, 240});
  const cv::Mat i420 = i420_from_bgr(bgr);
  const cv::Mat half = i420_scaled_bgr(i420, 0.5);
  REQUIRE(half.size() == cv::Size(160, 120));
  CHECK(max_difference(half(cv::Rect(25, 18, 50, 14)), cv::Mat(14, 50, CV_8UC3, cv::Scalar(0, 200, 255))) <=
        6);
  CHECK(i420_scaled_bgr(i420, 3.0).size() == cv::Size(320, 240));  // never enlarged
}

TEST_CASE("I420 frames: an overview kept as I420 gives the same colours later", "[i420]") {
  const cv::Mat i420 = i420_from_bgr(patches({320, 240}));
  const cv::Mat half = i420_scaled(i420, 0.5);
  CHECK(half.size() == cv::Size(160, 180));  // I420 of 160x120: half the bytes of its BGR
  CHECK(max_difference(i420_to_bgr(half), i420_scaled_bgr(i420, 0.5)) == 0);
  const cv::Mat whole = i420_scaled(i420, 1.0);
  CHECK(whole.data != i420.data);  // a buffer of its own: the frame's is used again by capture
  CHECK(max_difference(whole, i420) == 0);
}

TEST_CASE("I420 frames: converting into a buffer of the right size reuses it", "[i420]") {
  const cv::Mat bgr = patches({320, 240});
  cv::Mat into;
  i420_from_bgr(bgr, into);
  const uchar* buffer = into.data;
  i420_from_bgr(bgr, into);
  CHECK(into.data == buffer);
  CHECK(max_difference(into, i420_from_bgr(bgr)) == 0);
  i420_from_bgr(cv::Mat(1, 1, CV_8UC3), into);
  CHECK(into.empty());
}

TEST_CASE("I420 frames: an odd last column and row are left out", "[i420]") {
  const cv::Mat i420 = i420_from_bgr(patches({321, 241}));
  CHECK(i420_size(i420) == cv::Size(320, 240));
  CHECK(i420_from_bgr(cv::Mat(1, 1, CV_8UC3)).empty());
}

TEST_CASE("I420 frames: a plane's range changes to the rounded linear mapping, for every value", "[i420]") {
  // change_range goes through OpenCV's vectorised convertTo, whose float arithmetic differs by
  // architecture (fused multiply-add on ARM): every value, on every architecture the tests run on.
  cv::Mat all(4, 256, CV_8UC1);
  for (int r = 0; r < all.rows; ++r)
    for (int v = 0; v < 256; ++v) all.at<std::uint8_t>(r, v) = static_cast<std::uint8_t>(v);
  const cv::Rect part(1, 1, 255, 3);  // a view of it is not continuous: rows with a stride
  for (const RangeChange change :
       {RangeChange::kLumaToFull, RangeChange::kLumaToVideo, RangeChange::kChromaToVideo}) {
    cv::Mat changed;
    change_range(all, changed, change);
    cv::Mat copy = all.clone();
    cv::Mat strided = copy(part);
    change_range(strided, strided, change);  // in place, in a view
    REQUIRE(strided.data == copy.ptr(1) + 1);
    CHECK(cv::countNonZero(copy.row(0) != all.row(0)) == 0);  // nothing written outside the view
    CHECK(cv::countNonZero(copy.col(0) != all.col(0)) == 0);
    int differ = 0;
    for (int r = 0; r < all.rows; ++r)
      for (int v = 0; v < 256; ++v) differ += changed.at<std::uint8_t>(r, v) != changed_value(change, v);
    for (int r = 0; r < part.height; ++r)
      for (int c = 0; c < part.width; ++c)
        differ += strided.at<std::uint8_t>(r, c) != changed_value(change, c + 1);
    INFO("change " << static_cast<int>(change));
    CHECK(differ == 0);
  }
  // The ends of each range.
  CHECK(changed_value(RangeChange::kLumaToFull, 16) == 0);
  CHECK(changed_value(RangeChange::kLumaToFull, 235) == 255);
  CHECK(changed_value(RangeChange::kLumaToFull, 0) == 0);      // below video range: clamped
  CHECK(changed_value(RangeChange::kLumaToFull, 250) == 255);  // above it: clamped
  CHECK(changed_value(RangeChange::kLumaToVideo, 0) == 16);
  CHECK(changed_value(RangeChange::kLumaToVideo, 255) == 235);
  CHECK(changed_value(RangeChange::kChromaToVideo, 0) == 16);
  CHECK(changed_value(RangeChange::kChromaToVideo, 128) == 128);
  CHECK(changed_value(RangeChange::kChromaToVideo, 255) == 240);
}
