#pragma once
// The plate detector's first stage: character candidates (glyphs) found in a grey frame, before
// they are chained into rows (plate_detector.cpp). Internal to the reader.

#include <vector>

#include <opencv2/core.hpp>

#include "anpr/edge/reader/plate_detector.hpp"
#include "glyphs.hpp"

namespace anpr::edge::detector_detail {

/// Character candidates, kept in two lists (find_rows builds rows of the first only).
struct CharBlobs {
  std::vector<Blob> whole;   ///< glyphs found whole
  std::vector<Blob> pieces;  ///< pieces cut from frames they touched (free_from_frame)
  std::vector<Blob> runs;    ///< characters run together into one component (blur, tight spacing)
};

// Character candidates: locally dark (or bright) blobs from an adaptive threshold, on an image
// pyramid so that each level only has to find characters 10-44 pixels high. This costs a few
// milliseconds per frame where MSER took tens to hundreds; with `use_mser` (still photos) MSER's
// regions are added. Each glyph once per polarity, sorted by x.
[[nodiscard]] CharBlobs find_char_blobs(const cv::Mat& gray, const DetectorSettings& s);

}  // namespace anpr::edge::detector_detail
