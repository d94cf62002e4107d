#include "anpr/edge/camera/i420_image.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace anpr::edge {
namespace {

// The mapping y = alpha * x + beta of each change.
struct Linear {
  double alpha, beta;
};

Linear linear(RangeChange change) {
  switch (change) {
    case RangeChange::kLumaToFull:
      return {255.0 / 219.0, -16.0 * 255.0 / 219.0};
    case RangeChange::kLumaToVideo:
      return {219.0 / 255.0, 16.0};
    case RangeChange::kChromaToVideo:
      return {224.0 / 255.0, 128.0 - 128.0 * 224.0 / 255.0};
  }
  CV_Error(cv::Error::StsBadArg, "unknown range change");
}

// Packs planes of an even-sized picture into one I420 image and converts it to BGR.
cv::Mat to_bgr(const cv::Mat& y, const cv::Mat& u, const cv::Mat& v) {
  const int w = y.cols, h = y.rows;
  cv::Mat packed(h * 3 / 2, w, CV_8UC1);
  cv::Mat packed_y = packed.rowRange(0, h);
  change_range(y, packed_y, RangeChange::kLumaToVideo);
  uchar* chroma = packed.ptr(h);
  u.copyTo(cv::Mat(h / 2, w / 2, CV_8UC1, chroma));
  v.copyTo(cv::Mat(h / 2, w / 2, CV_8UC1, chroma + static_cast<std::size_t>(w / 2) * (h / 2)));
  cv::Mat bgr;
  cv::cvtColor(packed, bgr, cv::COLOR_YUV2BGR_I420);
  return bgr;
}

}  // namespace

std::uint8_t changed_value(RangeChange change, int value) {
  const Linear m = linear(change);
  return cv::saturate_cast<std::uint8_t>(m.alpha * value + m.beta);
}

void change_range(const cv::Mat& from, cv::Mat& to, RangeChange change) {
  CV_Assert(from.type() == CV_8UC1);
  // Into a plane of a frame's buffer: a `to` of another size would be allocated anew, and the
  // plane left unwritten.
  CV_Assert(to.empty() || (to.size() == from.size() && to.type() == CV_8UC1));
  const Linear m = linear(change);
  from.convertTo(to, CV_8U, m.alpha, m.beta);
}

cv::Mat i420_from_bgr(const cv::Mat& bgr) {
  cv::Mat i420;
  i420_from_bgr(bgr, i420);
  return i420;
}

void i420_from_bgr(const cv::Mat& bgr, cv::Mat& i420) {
  CV_Assert(bgr.type() == CV_8UC3);
  const cv::Rect even(0, 0, bgr.cols & ~1, bgr.rows & ~1);
  if (even.empty()) {
    i420.release();
    return;
  }
  cv::cvtColor(bgr(even), i420, cv::COLOR_BGR2YUV_I420);  // reuses i420's buffer when it fits
  cv::Mat luma = i420_luma(i420);
  change_range(luma, luma, RangeChange::kLumaToFull);
}

I420Planes i420_planes(const cv::Mat& i420) {
  CV_Assert(i420.type() == CV_8UC1 && i420.isContinuous() && i420.rows % 3 == 0 && i420.cols % 2 == 0);
  const int w = i420.cols, h = i420.rows * 2 / 3;
  auto* chroma = const_cast<uchar*>(i420.ptr(h));  // views share the picture's buffer, as rowRange does
  return {i420.rowRange(0, h), cv::Mat(h / 2, w / 2, CV_8UC1, chroma),
          cv::Mat(h / 2, w / 2, CV_8UC1, chroma + static_cast<std::size_t>(w / 2) * (h / 2))};
}

cv::Size i420_size(const cv::Mat& i420) { return {i420.cols, i420.rows * 2 / 3}; }

cv::Mat i420_luma(const cv::Mat& i420) { return i420.rowRange(0, i420.rows * 2 / 3); }

cv::Mat i420_crop_bgr(const cv::Mat& i420, cv::Rect region) {
  const I420Planes p = i420_planes(i420);
  region &= cv::Rect({0, 0}, p.y.size());
  const int x0 = region.x & ~1, y0 = region.y & ~1;
  const int x1 = std::min(p.y.cols, (region.x + region.width + 1) & ~1);
  const int y1 = std::min(p.y.rows, (region.y + region.height + 1) & ~1);
  if (region.empty() || x1 <= x0 || y1 <= y0) return {};
  const cv::Rect luma(x0, y0, x1 - x0, y1 - y0);
  const cv::Rect chroma(x0 / 2, y0 / 2, luma.width / 2, luma.height / 2);
  return to_bgr(p.y(luma), p.u(chroma), p.v(chroma));
}

cv::Mat i420_scaled(const cv::Mat& i420, double scale) {
  const I420Planes p = i420_planes(i420);
  scale = std::clamp(scale, 0.0, 1.0);
  const int w = std::max(2, cvRound(p.y.cols * scale) & ~1), h = std::max(2, cvRound(p.y.rows * scale) & ~1);
  if (w == p.y.cols && h == p.y.rows) return i420.clone();  // its own buffer: frames' are reused
  cv::Mat out(h * 3 / 2, w, CV_8UC1);
  I420Planes o = i420_planes(out);
  cv::resize(p.y, o.y, {w, h}, 0, 0, cv::INTER_AREA);
  cv::resize(p.u, o.u, {w / 2, h / 2}, 0, 0, cv::INTER_AREA);
  cv::resize(p.v, o.v, {w / 2, h / 2}, 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat i420_to_bgr(const cv::Mat& i420) {
  const I420Planes p = i420_planes(i420);
  return to_bgr(p.y, p.u, p.v);
}

cv::Mat i420_scaled_bgr(const cv::Mat& i420, double scale) { return i420_to_bgr(i420_scaled(i420, scale)); }

}  // namespace anpr::edge
