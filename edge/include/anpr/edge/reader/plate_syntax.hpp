#pragma once
/// @file
/// Turns raw OCR of a plate into ranked plate texts using knowledge of registration formats:
/// position-aware repair of the usual confusions (0/O/D/Q, 1/I, 2/Z, 5/S, 6/G, 8/B) where a
/// format says a letter or a digit belongs, trimming of stray edge characters, and a prior for
/// texts that fit a configured country's format. A text is never bent into a format it does not fit.

#include <string>
#include <vector>

#include "anpr/common/plate_format.hpp"
#include "anpr/edge/reader/ocr_engine.hpp"

namespace anpr::edge {

struct SyntaxSettings {
  /// Countries expected at this site, lower-case ISO codes. "gb" enables the UK formats; any
  /// other entry means plates of other countries are read as they are.
  std::vector<std::string> countries = {"gb", "eu"};
  int max_candidates = 10;
};

struct PlateText {
  std::string text;
  double confidence = 0.0;
  std::vector<double> char_confidences;
  std::string format = "unknown";
  std::string country;
  struct Alternative {
    std::string text;
    double confidence = 0.0;
  };
  std::vector<Alternative> candidates;  ///< best first, excluding `text`
};

class PlateSyntax {
 public:
  explicit PlateSyntax(SyntaxSettings settings);
  /// Ranks readings of one plate (one entry per row, top row first). Empty text when nothing
  /// plausible was read.
  [[nodiscard]] PlateText rank(const std::vector<RowReading>& rows) const;

 private:
  SyntaxSettings settings_;
  bool uk_ = true;
  bool uk_only_ = false;
  std::vector<PlateFormat> formats_;  ///< UK formats and/or European layouts, most specific first
};

}  // namespace anpr::edge
