#include "anpr/edge/reader/reading_fusion.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "anpr/common/statistics.hpp"

namespace anpr::edge {
namespace {

// Cost of leaving a character of either side unpaired, against the cost of pairing two
// characters: their centres' distance in box widths (Tesseract's symbol boxes are rough, so
// order matters more than position).
constexpr double kSkipCost = 1.0;
// An unpaired symbol outside this range of the segmented characters' height is no character.
constexpr std::pair<double, double> kUnpairedHeightRange = {0.6, 1.5};
// A segmented character the engine skipped joins the reading when the classifier is this sure.
constexpr double kMinSkippedConfidence = 0.5;

double pairing_cost(const cv::Rect& a, const cv::Rect& b) {
  const double ca = a.x + a.width / 2.0, cb = b.x + b.width / 2.0;
  return std::abs(ca - cb) / std::max(1, b.width);
}

// For each OCR character, the index of the detected character paired with it (or -1): the
// order-preserving pairing of least total cost (an edit-distance alignment).
std::vector<int> align(const std::vector<CharChoice>& ocr, const std::vector<CharChoice>& boxes) {
  const std::size_t n = ocr.size(), m = boxes.size();
  std::vector<std::vector<double>> cost(n + 1, std::vector<double>(m + 1, 0.0));
  for (std::size_t i = 1; i <= n; ++i) cost[i][0] = kSkipCost * static_cast<double>(i);
  for (std::size_t j = 1; j <= m; ++j) cost[0][j] = kSkipCost * static_cast<double>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const double pair = pairing_cost(ocr[i - 1].box, boxes[j - 1].box);
      cost[i][j] = std::min({cost[i - 1][j] + kSkipCost, cost[i][j - 1] + kSkipCost,
                             pair < 2 * kSkipCost ? cost[i - 1][j - 1] + pair : 1e9});
    }
  }
  std::vector<int> paired(n, -1);
  for (std::size_t i = n, j = m; i > 0 && j > 0;) {
    const double pair = pairing_cost(ocr[i - 1].box, boxes[j - 1].box);
    if (pair < 2 * kSkipCost && cost[i][j] == cost[i - 1][j - 1] + pair) {
      paired[i - 1] = static_cast<int>(j - 1);
      --i;
      --j;
    } else if (cost[i][j] == cost[i - 1][j] + kSkipCost) {
      --i;
    } else {
      --j;
    }
  }
  return paired;
}

// One character's options: (1 - weight) * p_engine + weight * p_classifier, on the segmented box
// (tighter than the engine's). No engine character: the engine gave every symbol nothing.
CharChoice mix(const CharChoice* engine, const CharChoice& segmented, double classifier_weight) {
  std::map<char, double> shares;
  if (engine != nullptr) {
    for (const auto& o : engine->options) shares[o.symbol] += (1.0 - classifier_weight) * o.probability;
  }
  for (const auto& o : segmented.options) shares[o.symbol] += classifier_weight * o.probability;
  CharChoice out;
  out.box = segmented.box;
  for (const auto& [symbol, p] : shares)
    out.options.push_back({symbol, static_cast<float>(std::min(1.0, p))});
  std::sort(
      out.options.begin(), out.options.end(),
      [](const CharChoice::Option& a, const CharChoice::Option& b) { return a.probability > b.probability; });
  return out;
}

}  // namespace

RowReading fuse_reading(const RowReading& ocr, const std::vector<CharChoice>& classified,
                        double classifier_weight) {
  const std::vector<int> paired = align(ocr.chars, classified);
  std::vector<double> heights;
  for (const auto& c : classified) heights.push_back(c.box.height);
  const double row_height = percentile(std::move(heights), 0.5);  // 0 without segmented characters
  std::vector<bool> segmented_used(classified.size(), false);
  std::vector<CharChoice> out;
  for (std::size_t k = 0; k < ocr.chars.size(); ++k) {
    const CharChoice& c = ocr.chars[k];
    if (paired[k] < 0) {
      // A symbol the engine found where no character was segmented is kept (it may be a
      // character the segmentation merged or missed), unless its height is far from the row's
      // characters': a screw, a dot or a sticker, or the plate's frame edge.
      const double h = c.box.height;
      if (h >= kUnpairedHeightRange.first * row_height &&
          (row_height <= 0 || h <= kUnpairedHeightRange.second * row_height)) {
        out.push_back(c);
      }
      continue;
    }
    segmented_used[static_cast<std::size_t>(paired[k])] = true;
    out.push_back(mix(&c, classified[static_cast<std::size_t>(paired[k])], classifier_weight));
  }
  // A segmented character the engine skipped (it reads lines, and drops what it cannot place)
  // still counts where the classifier is sure of it, on its word alone: the engine's share of it
  // is nothing. Where neither believes in it, it is a bolt, a band or a dirt mark.
  for (std::size_t j = 0; j < classified.size(); ++j) {
    const auto& options = classified[j].options;
    if (!segmented_used[j] && !options.empty() && options.front().probability >= kMinSkippedConfidence) {
      out.push_back(mix(nullptr, classified[j], classifier_weight));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const CharChoice& a, const CharChoice& b) {
    return a.box.x + a.box.width / 2.0 < b.box.x + b.box.width / 2.0;
  });
  RowReading fused;
  fused.chars = std::move(out);
  return fused;
}

RowReading classifier_reading(const std::vector<CharChoice>& classified) {
  RowReading reading;
  reading.chars = classified;
  return reading;
}

}  // namespace anpr::edge
