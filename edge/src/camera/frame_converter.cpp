#include "anpr/edge/camera/frame_converter.hpp"

#include <optional>

extern "C" {
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/pixfmt.h>
#include <libswscale/swscale.h>
}

#include <opencv2/core.hpp>

#include "anpr/edge/camera/i420_image.hpp"
#include "anpr/edge/camera/video_input.hpp"

namespace anpr::edge {
namespace {

// The pipeline's I420 has full-range luma (what COLOR_BGR2GRAY gives, i420_image.hpp), so the
// reader's grey does not depend on where the frame came from, and video-range chroma (what the
// conversion back to BGR for crops expects). Ranges are changed by i420_image's tables, not by
// swscale: its range conversion is a separate code path per architecture, and the aarch64 one
// (FFmpeg 5.1 under qemu) turned full-range chroma of 255 into 21.

// swscale's full-range ("JPEG") layouts, which MJPEG decodes to, as the plain layout and a
// full-range flag: swscale wants the range said apart and warns on every context made otherwise.
int plain_layout(int format, bool& full_range) {
  switch (format) {
    case AV_PIX_FMT_YUVJ420P:
      full_range = true;
      return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P:
      full_range = true;
      return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P:
      full_range = true;
      return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P:
      full_range = true;
      return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P:
      full_range = true;
      return AV_PIX_FMT_YUV411P;
    default:
      return format;
  }
}

bool is_rgb(int format) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(format));
  return d != nullptr && (d->flags & AV_PIX_FMT_FLAG_RGB) != 0;
}

// The picture's plane `i` as a view of `rows` rows: every `step`-th row of the source.
cv::Mat plane(const DecodedPicture& p, int i, int rows, int cols, int step = 1) {
  return {rows, cols, CV_8UC1, const_cast<std::uint8_t*>(p.planes.at(i)),
          static_cast<std::size_t>(p.strides.at(i)) * step};
}

// `from` into `to` (same size), its range changed when `change` says so.
void copy_plane(const cv::Mat& from, cv::Mat to, std::optional<RangeChange> change) {
  if (change) {
    change_range(from, to, *change);
  } else {
    from.copyTo(to);
  }
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
  bool source_full = picture.full_range;
  const int format = plain_layout(picture.format, source_full);
  i420.create(height * 3 / 2, width, CV_8UC1);  // keeps the buffer when the size is the same
  // Rows stored bottom up (a negative stride, which FFmpeg allows) or narrower than the picture
  // are swscale's to read.
  const bool plain_rows =
      picture.strides[0] >= width && picture.strides[1] >= width / 2 && picture.strides[2] >= width / 2;
  if ((format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUV422P) && plain_rows) {
    copy_planes(picture, format == AV_PIX_FMT_YUV422P ? 2 : 1, source_full, i420);
    return true;
  }
  return convert_with_swscale(picture, format, source_full, i420);
}

// What almost every camera sends (H.264 and H.265 are 4:2:0, MJPEG 4:2:0 or 4:2:2) is copied
// plane by plane, its range changed on the way: through swscale's general path this cost more
// than decoding the frame. 4:2:2 chroma keeps every other row (as OpenCV's BGR-to-I420 takes
// one chroma sample of each 2x2 block).
void FrameConverter::copy_planes(const DecodedPicture& picture, int chroma_row_step, bool full_range,
                                 cv::Mat& i420) {
  const I420Planes out = i420_planes(i420);
  copy_plane(plane(picture, 0, out.y.rows, out.y.cols), out.y,
             full_range ? std::nullopt : std::optional(RangeChange::kLumaToFull));
  const auto chroma_change = full_range ? std::optional(RangeChange::kChromaToVideo) : std::nullopt;
  copy_plane(plane(picture, 1, out.u.rows, out.u.cols, chroma_row_step), out.u, chroma_change);
  copy_plane(plane(picture, 2, out.v.rows, out.v.cols, chroma_row_step), out.v, chroma_change);
}

bool FrameConverter::convert_with_swscale(const DecodedPicture& picture, int format, bool source_full,
                                          cv::Mat& i420) {
  const int width = i420.cols;
  const int height = i420.rows * 2 / 3;
  // RGB becomes video-range YUV (BT.601, as OpenCV's BGR-to-I420); YUV and grey keep their range
  // through swscale, which then only changes the layout (packed, semi-planar or 4:4:4 to 4:2:0).
  const bool rgb = is_rgb(format);
  const bool out_full = !rgb && source_full;
  if (scaler_ == nullptr || width != width_ || height != height_ || format != format_ ||
      out_full != full_range_) {
    sws_freeContext(scaler_);
    // Ranges are options set before the context is made (set afterwards, swscale 6 keeps the
    // copy it chose between two 4:2:0 layouts). The same size in and out: nothing is scaled.
    scaler_ = sws_alloc_context();
    if (scaler_ == nullptr) return refuse(i420);
    av_opt_set_int(scaler_, "srcw", width, 0);
    av_opt_set_int(scaler_, "srch", height, 0);
    av_opt_set_int(scaler_, "src_format", format, 0);
    av_opt_set_int(scaler_, "dstw", width, 0);
    av_opt_set_int(scaler_, "dsth", height, 0);
    av_opt_set_int(scaler_, "dst_format", AV_PIX_FMT_YUV420P, 0);
    av_opt_set_int(scaler_, "sws_flags", SWS_BILINEAR, 0);
    av_opt_set_int(scaler_, "src_range", rgb || out_full ? 1 : 0, 0);
    av_opt_set_int(scaler_, "dst_range", out_full ? 1 : 0, 0);
    if (sws_init_context(scaler_, nullptr, nullptr) < 0) {
      sws_freeContext(scaler_);
      scaler_ = nullptr;
      return refuse(i420);
    }
    width_ = width;
    height_ = height;
    format_ = format;
    full_range_ = out_full;
  }

  const I420Planes out = i420_planes(i420);
  std::uint8_t* const out_planes[4] = {out.y.data, out.u.data, out.v.data, nullptr};
  const int out_strides[4] = {width, width / 2, width / 2, 0};
  if (sws_scale(scaler_, picture.planes.data(), picture.strides.data(), 0, height, out_planes, out_strides) <=
      0) {
    return refuse(i420);
  }
  if (out_full) {
    cv::Mat u = out.u, v = out.v;
    change_range(u, u, RangeChange::kChromaToVideo);
    change_range(v, v, RangeChange::kChromaToVideo);
  } else {
    cv::Mat y = out.y;
    change_range(y, y, RangeChange::kLumaToFull);
  }
  return true;
}

}  // namespace anpr::edge
