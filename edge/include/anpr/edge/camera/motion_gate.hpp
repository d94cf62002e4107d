#pragma once
/// @file
/// Saves work: finds where the picture changed since the previous frame (on a small grey copy),
/// so the detector only looks there, and skips frames where nothing moved. Also applies the
/// region of interest: a polygon in fractions of the frame (0..1), outside which nothing is read.

#include <utility>
#include <vector>

#include <opencv2/core.hpp>

namespace anpr::edge {

struct MotionSettings {
  bool enabled = true;
  int analysis_width = 320;        ///< frames are compared at this width
  int threshold = 16;              ///< grey-level change that counts as motion (0..255)
  double min_area = 0.0004;        ///< smallest moving blob, fraction of the frame
  double padding = 0.06;           ///< regions are grown by this fraction of the frame width (a plate
                                   ///< moves less than its car's outline between frames)
  double whole_frame_above = 0.5;  ///< if regions cover more than this, look at the whole frame
  std::vector<std::pair<double, double>> roi;  ///< polygon in frame fractions; empty = whole frame
};

class MotionGate {
 public:
  explicit MotionGate(MotionSettings settings);
  /// Regions (frame pixels) to look at in this frame. Empty means nothing moved inside the ROI.
  /// With gating off, the ROI's bounding box (or the whole frame).
  [[nodiscard]] std::vector<cv::Rect> regions(const cv::Mat& frame);
  /// The pixels that changed since the previous frame, at analysis size (CV_8U, 255 = changed),
  /// as found by the last `regions` call; empty when gating is off or there was nothing to
  /// compare with.
  [[nodiscard]] const cv::Mat& last_changes() const { return changes_; }
  /// True when a point (frame pixels) is inside the region of interest.
  [[nodiscard]] bool in_roi(cv::Point2f point, cv::Size frame) const;

 private:
  [[nodiscard]] cv::Rect roi_bounds(cv::Size frame) const;
  MotionSettings settings_;
  cv::Mat previous_;
  cv::Mat roi_mask_;  ///< at analysis size
  cv::Mat changes_;   ///< the last frame's changed pixels, at analysis size
};

}  // namespace anpr::edge
