#pragma once
// What the plate detector's stages share about glyphs (character candidates): their boxes, their
// shape test, where a row of them runs, and the levels of its ink and background. Internal to
// the reader (plate_detector.cpp, row_ends.cpp, run_together.cpp; plate_syntax.cpp fits a row's
// height trend with median_pairwise_slope).

#include <vector>

#include <opencv2/core.hpp>

namespace anpr::edge::detector_detail {

/// A character candidate: its box in the frame's pixels and its polarity.
struct Blob {
  cv::Rect box;
  bool dark = true;
};

/// Glyphs narrower than this share of their height are a 1 or an I.
constexpr double kNarrowGlyph = 0.35;
/// How far a character's height may stray from its row's (as a share of the row's): blur, a
/// tilted box and a letter's overshoot (O, S) against a flat top (E, T) stay within it; a bolt,
/// a band or a legend's letter does not.
constexpr double kRowHeightTolerance = 0.22;

[[nodiscard]] double median(std::vector<double> v);
/// Whether a component `w` x `h` pixels with `area` inked pixels is shaped like a character.
[[nodiscard]] bool char_shaped(int w, int h, int area, int min_h, int max_h);
/// True when `b` could be the next character to the right of `a` on the same plate row.
[[nodiscard]] bool are_neighbours(const Blob& a, const Blob& b);
[[nodiscard]] inline double centre_x(const Blob& b) { return b.box.x + b.box.width / 2.0; }
[[nodiscard]] inline cv::Point2d centre(const cv::Rect& r) {
  return {r.x + r.width / 2.0, r.y + r.height / 2.0};
}
/// The slope of a line through `points`, robustly (Theil-Sen): the median of the slopes between
/// pairs of points a pixel or more apart in x, so that one point out of line does not tilt it; 0
/// where there are none.
[[nodiscard]] double median_pairwise_slope(const std::vector<cv::Point2d>& points);
/// Tilt of a row as the slope of its glyphs' centres (median_pairwise_slope), so that one glyph out
/// of line (a bolt, a band) does not tilt it.
[[nodiscard]] double row_slope(const std::vector<Blob>& glyphs);

/// The levels of a row's ink and of its background, from the pixels of its glyphs' box: the
/// darkest (or, light on dark, the brightest) tenth, and the level 85% of the way to the other
/// end. Nearest-rank percentiles, as anpr::percentile gives them, counted in a histogram: a long
/// row's box holds thousands of pixels, and sorting them cost more than all the rest of
/// grow_row_ends. Both 0 for an empty box.
struct InkLevels {
  double ink = 0.0, background = 0.0;
};
[[nodiscard]] InkLevels ink_levels(const cv::Mat& box, bool dark);

}  // namespace anpr::edge::detector_detail
