#pragma once
/// @file
/// Finds number plates in a frame by their characters: dark-on-light (or light-on-dark) blobs of
/// equal height, aligned along a line and evenly spaced. This works at any scale and position,
/// for one- and two-row plates, without a trained detector, and gives the character boxes that
/// the rectifier uses to cut the plate down to its character rows.

#include <vector>

#include <opencv2/core.hpp>

namespace anpr::edge {

struct DetectorSettings {
  int min_char_height = 10;   ///< pixels, in the frame as given
  int max_char_height = 220;  ///< pixels, in the frame as given
  /// Best-scoring candidates passed on to the reader, whose plate verifier ranks them: wide, as
  /// the row score can rank a clear plate behind dozens of fence or grille rows.
  int max_candidates = 64;
  double max_tilt_degrees = 25;  ///< rows tilted more than this are not plates
  /// Also look for characters with MSER. It finds characters that touch frames or sit in
  /// shadow, which the adaptive threshold merges or misses (+14 points of exact reads on the
  /// real photo set), but costs 5-10x the time: video may turn it off and rely on many frames.
  bool use_mser = true;
  /// MSER runs on a copy scaled down to at most this many pixels (its cost grows with area).
  /// Scaling a 1080p frame down to 1 MP halved the time but lost its small plates: keep 1080p whole.
  double mser_max_pixels = 2.2e6;
};

/// One row of characters on a plate.
struct CharRow {
  std::vector<cv::Rect> chars;  ///< left to right, frame pixels
  double angle_degrees = 0.0;   ///< tilt of the row (positive = clockwise in image coordinates)
  double char_height = 0.0;     ///< median character height, pixels
  cv::Point2d left_mid;         ///< centre line of the row at its left end
  cv::Point2d right_mid;        ///< centre line of the row at its right end
};

/// A plate candidate: one or two rows of characters (two-row square plates, motorcycles).
struct PlateCandidate {
  std::vector<CharRow> rows;  ///< top row first
  bool dark_on_light = true;  ///< polarity of the characters
  cv::Rect box;               ///< the whole plate, frame pixels (estimated from the rows)
  double score = 0.0;         ///< higher is more plate-like
};

class PlateDetector {
 public:
  explicit PlateDetector(DetectorSettings settings);
  /// Candidates in `gray` (8-bit, one channel), best first, at most max_candidates.
  [[nodiscard]] std::vector<PlateCandidate> detect(const cv::Mat& gray) const;

 private:
  DetectorSettings settings_;
};

}  // namespace anpr::edge
