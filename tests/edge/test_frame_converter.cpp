#include <catch2/catch.hpp>

#include <vector>

extern "C" {
#include <libavutil/pixfmt.h>
}

#include <opencv2/imgproc.hpp>

#include "anpr/edge/camera/frame_converter.hpp"
#include "anpr/edge/camera/i420_image.hpp"
#include "anpr/edge/camera/video_input.hpp"

using namespace anpr::edge;

namespace {

// A planar 4:2:0 (or, with `chroma_rows_per_row` 1, 4:2:2) picture of one flat colour, as a
// decoder would hand it over.
struct Planar420 {
  Planar420(int w, int h, int y, int u, int v, int chroma_rows_per_row = 2)
      : width(w),
        height(h),
        luma(static_cast<std::size_t>(w) * h, static_cast<std::uint8_t>(y)),
        cb(static_cast<std::size_t>((w + 1) / 2) * ((h + chroma_rows_per_row - 1) / chroma_rows_per_row),
           static_cast<std::uint8_t>(u)),
        cr(cb.size(), static_cast<std::uint8_t>(v)) {}

  DecodedPicture picture(int format, bool full_range = false) const {
    DecodedPicture p;
    p.planes = {luma.data(), cb.data(), cr.data(), nullptr};
    p.strides = {width, (width + 1) / 2, (width + 1) / 2, 0};
    p.format = format;
    p.width = width;
    p.height = height;
    p.full_range = full_range;
    return p;
  }

  int width, height;
  std::vector<std::uint8_t> luma, cb, cr;
};

double mean_of(const cv::Mat& plane) { return cv::mean(plane)[0]; }

cv::Mat chroma_u(const cv::Mat& i420) {
  const cv::Size s = i420_size(i420);
  return cv::Mat(s.height / 2, s.width / 2, CV_8UC1, const_cast<uchar*>(i420.ptr(s.height)));
}

}  // namespace

TEST_CASE("frame converter: video-range luma becomes full range, as the reader's grey always is",
          "[frames]") {
  FrameConverter converter;
  cv::Mat i420;
  REQUIRE(converter.convert(Planar420(64, 48, 16, 128, 128).picture(AV_PIX_FMT_YUV420P), i420));
  CHECK(i420_size(i420) == cv::Size(64, 48));
  CHECK(mean_of(i420_luma(i420)) == Approx(0).margin(1));
  REQUIRE(converter.convert(Planar420(64, 48, 235, 128, 128).picture(AV_PIX_FMT_YUV420P), i420));
  CHECK(mean_of(i420_luma(i420)) == Approx(255).margin(1));
  CHECK(mean_of(chroma_u(i420)) == Approx(128).margin(1));
}

TEST_CASE("frame converter: a full-range picture keeps its grey, and its chroma goes to video range",
          "[frames]") {
  FrameConverter converter;
  cv::Mat i420;
  // As MJPEG decodes (YUVJ, 4:2:0 or 4:2:2) and as a full-range flag on a plain layout says.
  const Planar420 full(64, 48, 200, 255, 0);
  const Planar420 full_422(64, 48, 200, 255, 0, 1);
  for (const auto& picture : {full.picture(AV_PIX_FMT_YUVJ420P), full.picture(AV_PIX_FMT_YUV420P, true),
                              full_422.picture(AV_PIX_FMT_YUVJ422P)}) {
    REQUIRE(converter.convert(picture, i420));
    CHECK(mean_of(i420_luma(i420)) == Approx(200).margin(0.5));
    const double u = mean_of(chroma_u(i420));  // 255 in full range: 240 at the most in video range
    CHECK(u == Approx(128 + 127 * 224.0 / 255).margin(1));
  }
}

TEST_CASE("frame converter: packed BGR gives the I420 that i420_from_bgr makes of it", "[frames]") {
  cv::Mat bgr(48, 64, CV_8UC3, cv::Scalar(90, 90, 90));
  cv::rectangle(bgr, cv::Rect(8, 8, 24, 16), cv::Scalar(0, 200, 255), cv::FILLED);
  DecodedPicture picture;
  picture.planes = {bgr.data, nullptr, nullptr, nullptr};
  picture.strides = {static_cast<int>(bgr.step), 0, 0, 0};
  picture.format = AV_PIX_FMT_BGR24;
  picture.width = bgr.cols;
  picture.height = bgr.rows;
  FrameConverter converter;
  cv::Mat i420;
  REQUIRE(converter.convert(picture, i420));
  const cv::Mat expected = i420_from_bgr(bgr);
  REQUIRE(i420.size() == expected.size());
  // Flat patches on 2x2 boundaries: rounding apart, the same values.
  CHECK(cv::norm(i420_luma(i420), i420_luma(expected), cv::NORM_INF) <= 2);
  CHECK(cv::norm(i420_to_bgr(i420), i420_to_bgr(expected), cv::NORM_INF) <= 4);
}

TEST_CASE("frame converter: an odd last row and column are left out, the buffer is used again", "[frames]") {
  FrameConverter converter;
  cv::Mat i420;
  const Planar420 odd(65, 49, 120, 128, 128);
  REQUIRE(converter.convert(odd.picture(AV_PIX_FMT_YUV420P), i420));
  CHECK(i420_size(i420) == cv::Size(64, 48));
  const uchar* buffer = i420.data;
  REQUIRE(converter.convert(odd.picture(AV_PIX_FMT_YUV420P), i420));
  CHECK(i420.data == buffer);
}

TEST_CASE("frame converter: no pixels, too many pixels or an unknown layout is refused, not converted",
          "[frames]") {
  FrameConverter converter;
  cv::Mat i420(6, 4, CV_8UC1);
  const Planar420 small(4, 4, 100, 128, 128);
  DecodedPicture empty = small.picture(AV_PIX_FMT_YUV420P);
  empty.width = 1;
  CHECK_FALSE(converter.convert(empty, i420));
  CHECK(i420.empty());
  DecodedPicture huge = small.picture(AV_PIX_FMT_YUV420P);
  huge.width = 100'000;
  huge.height = 100'000;  // never read: refused on its size
  CHECK_FALSE(converter.convert(huge, i420));
  DecodedPicture unknown = small.picture(-1);
  CHECK_FALSE(converter.convert(unknown, i420));
  CHECK(converter.convert(small.picture(AV_PIX_FMT_YUV420P), i420));  // and it still works after
}
