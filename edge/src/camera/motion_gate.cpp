#include "anpr/edge/camera/motion_gate.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace anpr::edge {
namespace {

std::vector<cv::Point> polygon_at(const std::vector<std::pair<double, double>>& roi, cv::Size size) {
  std::vector<cv::Point> points;
  for (const auto& [x, y] : roi) points.emplace_back(cvRound(x * size.width), cvRound(y * size.height));
  return points;
}

/// Merges rectangles closer than `gap` until none are: frame differences of a moving vehicle
/// light up its leading and trailing edges, and its plate sits between them.
std::vector<cv::Rect> merge_nearby(std::vector<cv::Rect> rects, int gap) {
  const auto grown = [gap](const cv::Rect& r) {
    return cv::Rect(r.x - gap, r.y - gap, r.width + 2 * gap, r.height + 2 * gap);
  };
  bool merged = true;
  while (merged) {
    merged = false;
    for (std::size_t i = 0; i < rects.size() && !merged; ++i) {
      for (std::size_t j = i + 1; j < rects.size(); ++j) {
        if ((grown(rects[i]) & rects[j]).area() > 0) {
          rects[i] |= rects[j];
          rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(j));
          merged = true;
          break;
        }
      }
    }
  }
  return rects;
}

/// `from` scaled down to `to` by area averaging, by halves first: OpenCV's 2x2 area step is
/// vectorised, its other factors are not. A 1080p frame to 320 wide in one step of 6 cost 10 M
/// instructions, a ninth of a frame's whole recognition (docs/performance.md, session 24).
void shrink(const cv::Mat& from, cv::Size to, cv::Mat& out) {
  cv::Mat level = from;
  while (level.cols / 2 >= to.width && level.rows / 2 >= to.height) {
    cv::Mat half;
    cv::resize(level, half, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
    level = half;
  }
  if (level.size() == to)
    out = level.data == from.data ? level.clone() : level;
  else
    cv::resize(level, out, to, 0, 0, cv::INTER_AREA);
}

}  // namespace

MotionGate::MotionGate(MotionSettings settings) : settings_(std::move(settings)) {}

cv::Rect MotionGate::roi_bounds(cv::Size frame) const {
  const cv::Rect whole({0, 0}, frame);
  if (settings_.roi.size() < 3) return whole;
  return cv::boundingRect(polygon_at(settings_.roi, frame)) & whole;
}

bool MotionGate::in_roi(cv::Point2f point, cv::Size frame) const {
  if (settings_.roi.size() < 3) return true;
  const auto polygon = polygon_at(settings_.roi, frame);
  std::vector<cv::Point2f> contour(polygon.begin(), polygon.end());
  return cv::pointPolygonTest(contour, point, false) >= 0;
}

std::vector<cv::Rect> MotionGate::regions(const cv::Mat& frame) {
  if (frame.empty()) return {};
  const cv::Rect bounds = roi_bounds(frame.size());
  changes_.release();
  if (!settings_.enabled) return {bounds};
  const double scale = std::min(1.0, static_cast<double>(settings_.analysis_width) / frame.cols);
  cv::Mat small, grey;
  shrink(frame, cv::Size(cvRound(frame.cols * scale), cvRound(frame.rows * scale)), small);
  if (small.channels() == 3)
    cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
  else
    grey = small;
  cv::GaussianBlur(grey, grey, {5, 5}, 0);
  if (previous_.empty() || previous_.size() != grey.size()) {
    previous_ = grey;
    if (settings_.roi.size() >= 3) {
      roi_mask_ = cv::Mat::zeros(grey.size(), CV_8U);
      cv::fillPoly(roi_mask_, std::vector<std::vector<cv::Point>>{polygon_at(settings_.roi, grey.size())},
                   255);
    }
    return {bounds};  // nothing to compare with yet: look everywhere once
  }
  cv::Mat diff;
  cv::absdiff(grey, previous_, diff);
  previous_ = grey;
  cv::threshold(diff, diff, settings_.threshold, 255, cv::THRESH_BINARY);
  if (!roi_mask_.empty()) diff &= roi_mask_;
  changes_ = diff.clone();  // before dilation: what really changed, for the tracker's motion check
  cv::dilate(diff, diff, cv::getStructuringElement(cv::MORPH_RECT, {9, 9}));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(diff, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  const double min_area = settings_.min_area * grey.total();
  const int pad = cvRound(settings_.padding * frame.cols);
  std::vector<cv::Rect> found;
  for (const auto& c : contours) {
    if (cv::contourArea(c) < min_area) continue;
    const cv::Rect r = cv::boundingRect(c);
    cv::Rect full(cvFloor(r.x / scale) - pad, cvFloor(r.y / scale) - pad, cvCeil(r.width / scale) + 2 * pad,
                  cvCeil(r.height / scale) + 2 * pad);
    full &= bounds;
    if (!full.empty()) found.push_back(full);
  }
  found = merge_nearby(std::move(found), 2 * pad);
  double covered = 0;
  for (const auto& r : found) covered += r.area();
  if (covered > settings_.whole_frame_above * bounds.area()) return {bounds};
  return found;
}

}  // namespace anpr::edge
