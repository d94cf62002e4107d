#include "glyphs.hpp"

#include <array>
#include <cmath>
#include <cstdint>

#include "anpr/common/statistics.hpp"

namespace anpr::edge::detector_detail {

double median(std::vector<double> v) { return anpr::percentile(std::move(v), 0.5); }

bool are_neighbours(const Blob& a, const Blob& b) {
  if (a.dark != b.dark) return false;
  const double ha = a.box.height, hb = b.box.height;
  const double h = std::max(ha, hb);
  if (h / std::min(ha, hb) > 1.3) return false;
  const double gap = b.box.x - (a.box.x + a.box.width);
  if (gap < -0.38 * h || gap > 1.25 * h) return false;  // slanted glyphs on a tilted row overlap
  const double ca = a.box.y + ha / 2.0, cb = b.box.y + hb / 2.0;
  return std::abs(ca - cb) < 0.3 * h;
}

bool char_shaped(int w, int h, int area, int min_h, int max_h) {
  if (h < min_h || h > max_h) return false;
  const double aspect = static_cast<double>(w) / h;
  if (aspect < 0.08 || aspect > 1.2) return false;
  const double fill = static_cast<double>(area) / (w * h);
  return fill >= 0.12 && !(fill > 0.92 && aspect > 0.35);
}

double median_pairwise_slope(const std::vector<cv::Point2d>& points) {
  std::vector<double> slopes;
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t j = i + 1; j < points.size(); ++j) {
      const cv::Point2d d = points[j] - points[i];
      if (std::abs(d.x) < 1.0) continue;
      slopes.push_back(d.y / d.x);
    }
  }
  return slopes.empty() ? 0.0 : median(std::move(slopes));
}

double row_slope(const std::vector<Blob>& glyphs) {
  std::vector<cv::Point2d> centres;
  centres.reserve(glyphs.size());
  for (const Blob& g : glyphs) centres.push_back(centre(g.box));
  return median_pairwise_slope(centres);
}

InkLevels ink_levels(const cv::Mat& box, bool dark) {
  std::array<std::size_t, 256> histogram{};
  for (int y = 0; y < box.rows; ++y) {
    const std::uint8_t* p = box.ptr<std::uint8_t>(y);
    for (int x = 0; x < box.cols; ++x) ++histogram[p[x]];
  }
  const std::size_t n = box.total();
  if (n == 0) return {};  // as anpr::percentile: 0 for no values
  const auto level = [&](double q) {
    const auto rank = static_cast<std::size_t>(std::lround(q * static_cast<double>(n - 1)));
    std::size_t below = 0;
    for (std::size_t v = 0; v < histogram.size(); ++v) {
      below += histogram[v];
      if (below > rank) return static_cast<double>(v);
    }
    return 255.0;
  };
  return {level(dark ? 0.1 : 0.9), level(dark ? 0.85 : 0.15)};
}

}  // namespace anpr::edge::detector_detail
