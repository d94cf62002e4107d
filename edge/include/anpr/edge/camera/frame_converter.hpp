#pragma once
/// @file
/// A decoded picture, in whatever layout its decoder gives, into the pipeline's I420
/// (i420_image.hpp: full-range luma, video-range BT.601 chroma, even width and height), in one
/// pass of FFmpeg's swscale and a table lookup on the luma. Both video inputs convert through it,
/// so a file, a stream and a GStreamer pipeline give the reader the same grey.

#include <array>
#include <cstdint>

#include <opencv2/core.hpp>

struct SwsContext;

namespace anpr::edge {

/// The planes of a decoded picture as FFmpeg lays them out: up to four plane pointers and their
/// row strides in bytes. `format` is an FFmpeg AVPixelFormat.
struct DecodedPicture {
  std::array<const std::uint8_t*, 4> planes{};
  std::array<int, 4> strides{};
  int format = -1;
  int width = 0;
  int height = 0;
  bool full_range = false;  ///< luma and chroma span 0-255 (JPEG), not 16-235 (video)
};

class FrameConverter {
 public:
  FrameConverter() = default;
  FrameConverter(const FrameConverter&) = delete;
  FrameConverter& operator=(const FrameConverter&) = delete;
  ~FrameConverter();

  /// Converts `picture` into `i420`, reusing its buffer when the size fits. An odd last column
  /// or row is left out (I420 is made of 2x2 blocks). False, with `i420` released, for a
  /// picture of no pixels, above kMaxFramePixels, or of a layout swscale cannot read.
  bool convert(const DecodedPicture& picture, cv::Mat& i420);

 private:
  static void copy_planes(const DecodedPicture& picture, int chroma_row_step, bool full_range, cv::Mat& i420);
  bool convert_with_swscale(const DecodedPicture& picture, int format, bool source_full, cv::Mat& i420);

  // Kept between frames: made again only when the picture's size, layout or range change.
  SwsContext* scaler_ = nullptr;
  int width_ = 0;
  int height_ = 0;
  int format_ = -1;
  bool full_range_ = false;
};

}  // namespace anpr::edge
