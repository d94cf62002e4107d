#include "anpr/edge/camera/frame_converter.hpp"

extern "C" {
#include <libavutil/opt.h>
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
}

#include <opencv2/core.hpp>

#include "anpr/edge/camera/video_input.hpp"

namespace anpr::edge {
namespace {

// swscale writes video-range luma (16-235, as OpenCV's I420 has it); the pipeline keeps it at
// full range (what COLOR_BGR2GRAY gives, i420_image.hpp), so the reader's grey does not depend
// on where the frame came from.
const cv::Mat& full_range_luma() {
  static const cv::Mat table = [] {
    cv::Mat t(1, 256, CV_8U);
    for (int v = 0; v < 256; ++v) t.at<uchar>(v) = cv::saturate_cast<uchar>((v - 16) * 255.0 / 219.0);
    return t;
  }();
  return table;
}

// Whether swscale itself treats `format` as full range (its deprecated YUVJ formats).
bool jpeg_format(int format) {
  return format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P || format == AV_PIX_FMT_YUVJ444P ||
         format == AV_PIX_FMT_YUVJ440P || format == AV_PIX_FMT_YUVJ411P;
}

bool refuse(cv::Mat& i420) {
  i420.release();
  return false;
}

}  // namespace

FrameConverter::~FrameConverter() { sws_freeContext(scaler_); }

bool FrameConverter::convert(const DecodedPicture& picture, cv::Mat& i420) {
  const int width = picture.width & ~1;
  const int height = picture.height & ~1;
  if (width <= 0 || height <= 0 || static_cast<long long>(width) * height > kMaxFramePixels ||
      picture.format < 0 || sws_isSupportedInput(static_cast<AVPixelFormat>(picture.format)) == 0) {
    return refuse(i420);
  }
  const bool source_full = picture.full_range || jpeg_format(picture.format);
  if (scaler_ == nullptr || width != width_ || height != height_ || picture.format != format_ ||
      source_full != full_range_) {
    sws_freeContext(scaler_);
    // The same size in and out: swscale only changes the layout (and the range), it scales
    // nothing. The ranges are options set before the context is made: set afterwards
    // (sws_setColorspaceDetails), swscale 6 keeps the plain copy it chose between two 4:2:0
    // layouts and leaves the range as it was. Its matrix is BT.601 on both sides, which cancels
    // out between two YUV layouts and is the one OpenCV's BGR-to-I420 applies to RGB input.
    scaler_ = sws_alloc_context();
    if (scaler_ == nullptr) return refuse(i420);
    av_opt_set_int(scaler_, "srcw", width, 0);
    av_opt_set_int(scaler_, "srch", height, 0);
    av_opt_set_int(scaler_, "src_format", picture.format, 0);
    av_opt_set_int(scaler_, "dstw", width, 0);
    av_opt_set_int(scaler_, "dsth", height, 0);
    av_opt_set_int(scaler_, "dst_format", AV_PIX_FMT_YUV420P, 0);
    av_opt_set_int(scaler_, "sws_flags", SWS_BILINEAR, 0);
    av_opt_set_int(scaler_, "src_range", source_full ? 1 : 0, 0);
    av_opt_set_int(scaler_, "dst_range", 0, 0);
    if (sws_init_context(scaler_, nullptr, nullptr) < 0) {
      sws_freeContext(scaler_);
      scaler_ = nullptr;
      return refuse(i420);
    }
    width_ = width;
    height_ = height;
    format_ = picture.format;
    full_range_ = source_full;
  }

  i420.create(height * 3 / 2, width, CV_8UC1);  // keeps the buffer when the size is the same
  std::uint8_t* y = i420.data;
  std::uint8_t* u = y + static_cast<std::size_t>(width) * height;
  std::uint8_t* v = u + static_cast<std::size_t>(width / 2) * (height / 2);
  std::uint8_t* const out_planes[4] = {y, u, v, nullptr};
  const int out_strides[4] = {width, width / 2, width / 2, 0};
  sws_scale(scaler_, picture.planes.data(), picture.strides.data(), 0, height, out_planes, out_strides);
  cv::Mat luma = i420.rowRange(0, height);
  cv::LUT(luma, full_range_luma(), luma);
  return true;
}

}  // namespace anpr::edge
