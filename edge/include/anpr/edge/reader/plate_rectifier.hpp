#pragma once
/// @file
/// Turns a detected plate into clean, upright character rows for OCR: rotates each row level,
/// cuts it down to the characters (dropping frames, bands, emblems and screws), scales it to a
/// fixed character height and binarises it to black characters on white.

#include <vector>

#include <opencv2/core.hpp>

#include "anpr/edge/reader/plate_detector.hpp"

namespace anpr::edge {

struct RectifierSettings {
  int char_height = 40;    ///< character height in the output rows, pixels
  double margin_x = 0.35;  ///< horizontal margin, in character heights
  double margin_y = 0.14;  ///< vertical margin, in character heights
  int padding = 12;        ///< white border added around each row, pixels
};

/// One row ready for OCR, with the transform back to frame pixels.
struct RectifiedRow {
  cv::Mat gray;      ///< upright, dark on light, contrast-stretched
  cv::Mat binary;    ///< black characters on white, non-character blobs removed
  cv::Mat to_frame;  ///< 2x3 affine transform from `gray` pixels (before padding) to frame pixels
  /// The detected characters in `gray`/`binary` pixels (padding included), left to right.
  std::vector<cv::Rect> char_boxes;
  /// How cleanly ink and background separate: (background mean - ink mean) divided by the sum
  /// of their standard deviations. Printed characters on a plate score high; texture, grilles
  /// and noise score low.
  double contrast = 0.0;
};

class PlateRectifier {
 public:
  explicit PlateRectifier(RectifierSettings settings);
  [[nodiscard]] std::vector<RectifiedRow> rectify(const cv::Mat& gray, const PlateCandidate& plate) const;
  /// An upright colour crop of the whole plate (for evidence images), from the frame.
  [[nodiscard]] cv::Mat crop_plate(const cv::Mat& frame, const PlateCandidate& plate) const;

 private:
  RectifiedRow rectify_row(const cv::Mat& gray, const CharRow& row, bool dark_on_light) const;
  RectifierSettings settings_;
};

}  // namespace anpr::edge
