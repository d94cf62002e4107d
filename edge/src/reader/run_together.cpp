#include "run_together.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <opencv2/imgproc.hpp>

#include "anpr/common/statistics.hpp"

namespace anpr::edge::detector_detail {
namespace {

// Glyphs of a row at least this many times its typical width are characters run together.
constexpr double kRunTogetherWidth = 1.6;
// By the narrow measure, only a glyph at least this many times as wide as high: no one character
// of a plate's print is, but an M or a W of a wide print is nearly.
constexpr double kRunTogetherAspect = 0.9;

// The typical character's width of a row, leaving out the narrow ones (1, I), of which a row can
// have several; nothing with fewer than `min_glyphs` to judge by.
std::optional<double> typical_width(const std::vector<Blob>& row, std::size_t min_glyphs,
                                    RowWidth measure = RowWidth::kMedian) {
  std::vector<double> widths;
  for (const Blob& b : row) {
    if (b.box.width >= kNarrowGlyph * b.box.height) widths.push_back(b.box.width);
  }
  if (widths.size() < min_glyphs) return std::nullopt;
  return percentile(std::move(widths), measure == RowWidth::kMedian ? 0.5 : 0.25);
}

// A glyph's box, its ink (Otsu on the box, in its polarity), and how strongly each column is
// inked by each measure of joining. Measured once per glyph however many cuts are tried.
struct GlyphColumns {
  cv::Rect box;
  cv::Mat ink;
  bool dark = true;
  std::vector<double> bridge;  // the share of the column inked
  std::vector<double> blur;    // the column's strongest ink, from paper (0) to stroke (1)

  [[nodiscard]] const std::vector<double>& strength(JoinedBy joined) const {
    return joined == JoinedBy::kBridge ? bridge : blur;
  }
};

// The strongest column a cut may go through. A thin bridge: at most a third of the column inked.
// Blur: ink in the gap no more than halfway from the paper to the darkest stroke (inside an O or
// an M some stroke crosses every column at full strength).
double max_strength(JoinedBy joined) { return joined == JoinedBy::kBridge ? 0.35 : 0.5; }

std::optional<GlyphColumns> measure_columns(const cv::Mat& gray, const Blob& b) {
  GlyphColumns g;
  g.box = b.box & cv::Rect(0, 0, gray.cols, gray.rows);
  g.dark = b.dark;
  if (g.box.width < 4 || g.box.height < 2) return std::nullopt;
  cv::threshold(gray(g.box), g.ink, 0, 1,
                (b.dark ? cv::THRESH_BINARY_INV : cv::THRESH_BINARY) | cv::THRESH_OTSU);
  cv::Mat column_ink;
  cv::reduce(g.ink, column_ink, 0, cv::REDUCE_SUM, CV_32S);                 // ink pixels per column
  const cv::Mat level = b.dark ? cv::Mat(255 - gray(g.box)) : gray(g.box);  // ink is high
  cv::Mat darkest;
  cv::reduce(level, darkest, 0, cv::REDUCE_MAX, -1);  // the strongest ink per column
  const double paper = cv::mean(level, g.ink == 0)[0];
  double stroke = 0.0;
  cv::minMaxLoc(level, nullptr, &stroke);
  const double contrast = std::max(1.0, stroke - paper);
  g.bridge.resize(static_cast<std::size_t>(g.box.width));
  g.blur.resize(g.bridge.size());
  for (int x = 0; x < g.box.width; ++x) {
    const auto i = static_cast<std::size_t>(x);
    g.bridge[i] = static_cast<double>(column_ink.at<int>(0, x)) / g.box.height;
    g.blur[i] = std::max(0.0, (darkest.at<std::uint8_t>(0, x) - paper) / contrast);
  }
  return g;
}

// Cuts the measured glyph into `pieces` at its weakest columns near where equal shares fall.
std::optional<Cut> cut_columns(const GlyphColumns& g, int pieces, JoinedBy joined) {
  const int width = g.box.width;
  if (pieces < 2 || width < 2 * pieces) return std::nullopt;
  const std::vector<double>& columns = g.strength(joined);
  const auto strength = [&](int x) { return columns[static_cast<std::size_t>(x)]; };
  std::vector<int> cuts = {0};
  Cut out;
  for (int k = 1; k < pieces; ++k) {
    const int expected = width * k / pieces, reach = width / (3 * pieces);
    int cut = expected;
    for (int x = std::max(1, expected - reach); x <= std::min(width - 2, expected + reach); ++x) {
      if (strength(x) < strength(cut)) cut = x;
    }
    out.strength = std::max(out.strength, strength(cut));
    if (out.strength > max_strength(joined)) return std::nullopt;
    cuts.push_back(cut);
  }
  cuts.push_back(width);
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const cv::Rect inked = cv::boundingRect(g.ink.colRange(cuts[k], cuts[k + 1]));
    // A piece much lower than the blob is the edge of a neighbour or a speck, not a character.
    if (inked.height < g.box.height / 2) continue;
    out.pieces.push_back(
        Blob{cv::Rect(g.box.x + cuts[k] + inked.x, g.box.y + inked.y, inked.width, inked.height), g.dark});
  }
  return out;
}

// A glyph as wide as several of its row's characters is cut through a thin bridge where it has
// one, and else where blur joined them: a condensed print's close characters blur into one glyph
// narrow enough to pass the shape test, and no column of it is clear.
std::optional<Cut> cut_bridged_or_blurred(const cv::Mat& gray, const Blob& b, int pieces) {
  const std::optional<GlyphColumns> columns = measure_columns(gray, b);
  if (!columns) return std::nullopt;
  std::optional<Cut> cut = cut_columns(*columns, pieces, JoinedBy::kBridge);
  return cut ? cut : cut_columns(*columns, pieces, JoinedBy::kBlur);
}

}  // namespace

std::optional<Cut> cut_glyph(const cv::Mat& gray, const Blob& b, int pieces, JoinedBy joined) {
  const std::optional<GlyphColumns> columns = measure_columns(gray, b);
  return columns ? cut_columns(*columns, pieces, joined) : std::nullopt;
}

std::vector<Blob> split_run_together(const cv::Mat& gray, std::vector<Blob> row, RowWidth measure) {
  const std::optional<double> w = typical_width(row, 3, measure);
  if (!w) return row;
  const double min_aspect = measure == RowWidth::kMedian ? 0.0 : kRunTogetherAspect;
  std::vector<Blob> out;
  for (const Blob& b : row) {
    const std::optional<Cut> cut =
        b.box.width < kRunTogetherWidth * *w || b.box.width < min_aspect * b.box.height
            ? std::nullopt
            : cut_bridged_or_blurred(gray, b, static_cast<int>(std::lround(b.box.width / *w)));
    if (cut) {
      out.insert(out.end(), cut->pieces.begin(), cut->pieces.end());
    } else {
      out.push_back(b);
    }
  }
  return out;
}

std::vector<Blob> with_runs_joined(const cv::Mat& gray, std::vector<Blob> row,
                                   const std::vector<Blob>& runs) {
  constexpr double kMinShare = 0.55, kMaxShare = 1.3;  // a piece's width, of the row's typical
  const std::optional<double> w = typical_width(row, 2);
  if (!w || runs.empty()) return row;
  std::vector<double> heights;
  for (const Blob& g : row) heights.push_back(g.box.height);
  const double h = median(heights);
  std::vector<Blob> pieces;
  for (const Blob& run : runs) {
    if (run.dark != row.front().dark || std::abs(run.box.height - h) > kRowHeightTolerance * h ||
        run.box.br().x < row.front().box.x - 2 * h || run.box.x > row.back().box.br().x + 2 * h)
      continue;
    const bool beside = std::any_of(row.begin(), row.end(), [&](const Blob& g) {
      return are_neighbours(g, run) || are_neighbours(run, g);
    });
    const bool covers_a_glyph = std::any_of(
        row.begin(), row.end(), [&](const Blob& g) { return (g.box & run.box).area() > 0.5 * g.box.area(); });
    if (!beside || covers_a_glyph) continue;
    const std::optional<GlyphColumns> columns = measure_columns(gray, run);
    if (!columns) continue;
    std::optional<Cut> best;
    const int fewest = std::max(2, static_cast<int>(std::ceil(run.box.width / (kMaxShare * *w))));
    const int most = static_cast<int>(std::floor(run.box.width / (kMinShare * *w)));
    for (int n = fewest; n <= most; ++n) {
      std::optional<Cut> cut = cut_columns(*columns, n, JoinedBy::kBlur);
      if (cut && (!best || cut->strength < best->strength)) best = std::move(cut);
    }
    if (best) pieces.insert(pieces.end(), best->pieces.begin(), best->pieces.end());
  }
  if (!pieces.empty()) {
    row.insert(row.end(), pieces.begin(), pieces.end());
    std::sort(row.begin(), row.end(), [](const Blob& a, const Blob& b) { return a.box.x < b.box.x; });
  }
  return row;
}

}  // namespace anpr::edge::detector_detail
