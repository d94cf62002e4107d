#pragma once
/// @file
/// Video frames travel from capture to the recognisers as I420 (planar YUV 4:2:0, as OpenCV's
/// COLOR_BGR2YUV_I420 lays it out: the Y plane's rows, then U, then V at a quarter of the size
/// each). That is half the memory of BGR, and the Y plane is the grey image the motion gate and
/// the reader work on, without a conversion per recogniser. Unlike OpenCV's, the Y plane holds
/// full-range luma (0-255, as COLOR_BGR2GRAY gives), not video range (16-235). Colour is made again only for
/// the few pixels a read keeps: the plate crop and the overview.

#include <cstdint>

#include <opencv2/core.hpp>

namespace anpr::edge {

/// The changes of range a frame's planes go through: video-range luma (16-235, what OpenCV's and
/// FFmpeg's conversions write) to full range and back, and full-range chroma (0-255, JPEG's) to
/// video range (16-240), which I420 chroma is.
enum class RangeChange { kLumaToFull, kLumaToVideo, kChromaToVideo };

/// What `change` makes of one 8-bit value: the linear mapping, rounded to the nearest.
[[nodiscard]] std::uint8_t changed_value(RangeChange change, int value);

/// `from` (8-bit, one channel) with its range changed, into `to`: empty (then allocated) or of
/// `from`'s size and type (a plane of a frame's buffer, written where it is; any other size is
/// refused); may be `from` itself. Through convertTo, which OpenCV vectorises on
/// x86 and ARM, where cv::LUT is a scalar loop: a 1080p frame's chroma cost 6 M instructions
/// through the table. Gives changed_value() for every value (tested, on every architecture).
void change_range(const cv::Mat& from, cv::Mat& to, RangeChange change);

/// BGR (CV_8UC3) to I420. I420 needs an even width and height: an odd last column or row is
/// left out.
[[nodiscard]] cv::Mat i420_from_bgr(const cv::Mat& bgr);
/// The same into `i420`, whose buffer is reused when it has the size and type already (capture
/// converts every frame into a buffer a finished frame gave back: no allocation per frame). Its
/// buffer must not be shared: it is written in place.
void i420_from_bgr(const cv::Mat& bgr, cv::Mat& i420);
/// Views of the three planes of an I420 picture (continuous, as i420_from_bgr makes it): writing
/// into a view writes into the picture.
struct I420Planes {
  cv::Mat y, u, v;
};
[[nodiscard]] I420Planes i420_planes(const cv::Mat& i420);
/// The picture's size (width, height of the Y plane).
[[nodiscard]] cv::Size i420_size(const cv::Mat& i420);
/// The Y plane: the grey picture, a view into the frame (no copy).
[[nodiscard]] cv::Mat i420_luma(const cv::Mat& i420);
/// The pixels of `region` (clipped to the picture) in BGR. Chroma is shared by 2x2 pixels, so
/// the region is widened to even edges.
[[nodiscard]] cv::Mat i420_crop_bgr(const cv::Mat& i420, cv::Rect region);
/// The whole picture scaled by `scale` (at most 1), still I420, in a buffer of its own: an
/// overview kept for a while costs half the memory of its BGR.
[[nodiscard]] cv::Mat i420_scaled(const cv::Mat& i420, double scale);
/// The whole picture in BGR.
[[nodiscard]] cv::Mat i420_to_bgr(const cv::Mat& i420);
/// The whole picture in BGR, scaled by `scale` (at most 1) before any colour is made.
[[nodiscard]] cv::Mat i420_scaled_bgr(const cv::Mat& i420, double scale);

}  // namespace anpr::edge
