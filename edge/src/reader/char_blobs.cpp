#include "char_blobs.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

namespace anpr::edge::detector_detail {
namespace {

double iou(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter / (a.area() + b.area() - inter);
}

// A character that touches the plate's frame or a bumper's edge is one component with it, too
// wide or too tall for a character, and was lost with it (a 4 whose foot touched the frame
// under it). Frames, bumpers and underlines are straight runs of ink longer than the component
// is high, which no character's stroke is: those runs are taken out of the component, and the
// pieces shaped like characters are kept. Only sparse, plate-wide components no more than two
// characters high are tried: solid marks and large shapes hold no character of this level. The
// frame's sides come out as pieces too (an L or a J): a piece only fills a row's gap
// (fill_gaps_from_frames).
std::vector<cv::Rect> free_from_frame(const cv::Mat& labels, int label, const cv::Rect& box, int min_h,
                                      int max_h) {
  std::vector<cv::Rect> out;
  cv::Mat rest = labels(box) == label;
  // Clears the runs of at least `box.height + 1` pixels (the same as subtracting a morphological
  // opening by a line that long, in one pass).
  bool cleared = false;
  for (int y = 0; y < rest.rows; ++y) {
    std::uint8_t* row = rest.ptr<std::uint8_t>(y);
    for (int x = 0; x < rest.cols;) {
      if (row[x] == 0) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < rest.cols && row[x] != 0) ++x;
      if (x - start > box.height) {
        std::fill(row + start, row + x, std::uint8_t{0});
        cleared = true;
      }
    }
  }
  if (!cleared) return out;
  cv::Mat pieces, stats, centroids;
  const int n = cv::connectedComponentsWithStats(rest, pieces, stats, centroids, 8, CV_32S);
  for (int i = 1; i < n; ++i) {
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    if (!char_shaped(w, h, stats.at<int>(i, cv::CC_STAT_AREA), min_h, max_h)) continue;
    out.emplace_back(box.x + stats.at<int>(i, cv::CC_STAT_LEFT), box.y + stats.at<int>(i, cv::CC_STAT_TOP), w,
                     h);
  }
  return out;
}

// Characters that blur, or are printed close, run together into one component as high as a
// character and as wide as several: too wide for char_shaped, so the plate lost them all and
// with them often its row (a 75QCQ5 whose last four characters touched). Such a run is kept
// apart, and joins a row only beside whole glyphs of its height, which cut it into characters
// where the ink between them is faint (with_runs_joined, run_together.cpp).
bool run_shaped(int w, int h, int area, int min_h, int max_h) {
  constexpr double kMaxRunAspect = 5.0;  // about eight condensed characters
  constexpr double kMinFill = 0.2, kMaxFill = 0.85;
  if (h < min_h || h > max_h || w <= h || w > kMaxRunAspect * h) return false;
  const double fill = static_cast<double>(area) / (static_cast<double>(w) * h);
  return fill >= kMinFill && fill <= kMaxFill;
}

// Connected components of one binarisation of a band of rows (starting at row `y0` of its
// level) that are shaped like characters. Components touching a cut edge of the band are
// skipped: bands overlap by more than the tallest character (find_char_blobs), so every
// character lies whole inside some band, and one seen whole in two bands is merged by
// find_char_blobs' de-duplication.
void collect_blobs(const cv::Mat& binary, int y0, bool first_band, bool last_band, bool dark, double scale,
                   int min_h, int max_h, CharBlobs& out) {
  constexpr double kMaxFrameFill = 0.5;
  constexpr double kMinFrameAspect = 2.0;  // a plate is at least twice as wide as high
  constexpr int kMaxFrameHeightInChars = 2;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(binary, labels, stats, centroids, 8, CV_32S);
  // `r` in level pixels of the band, to a blob in the frame's pixels.
  const auto keep = [&](const cv::Rect& r, std::vector<Blob>& to) {
    to.push_back(Blob{cv::Rect(cvRound(r.x * scale), cvRound((y0 + r.y) * scale), cvRound(r.width * scale),
                               cvRound(r.height * scale)),
                      dark});
  };
  for (int i = 1; i < n; ++i) {
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    if (box.height < min_h || box.height > kMaxFrameHeightInChars * max_h) continue;
    if ((!first_band && box.y == 0) || (!last_band && box.br().y == binary.rows))
      continue;  // cut by the band
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (char_shaped(box.width, box.height, area, min_h, max_h)) {
      keep(box, out.whole);
      continue;
    }
    if (box.width >= kMinFrameAspect * box.height && area < kMaxFrameFill * box.area()) {
      for (const cv::Rect& piece : free_from_frame(labels, i, box, min_h, max_h)) keep(piece, out.pieces);
    }
    if (run_shaped(box.width, box.height, area, min_h, max_h)) keep(box, out.runs);
  }
}

// Maximally stable extremal regions: slower, but they separate characters from frames and
// shadows at whichever threshold does it best.
void add_mser_blobs(const cv::Mat& full, const DetectorSettings& s, std::vector<Blob>& blobs) {
  // MSER's cost grows with area and texture: larger frames are searched at reduced size.
  cv::Mat gray = full;
  double f = 1.0;
  if (static_cast<double>(full.total()) > s.mser_max_pixels) {
    f = std::sqrt(s.mser_max_pixels / static_cast<double>(full.total()));
    cv::resize(full, gray, cv::Size(), f, f, cv::INTER_AREA);
  }
  const int min_h = std::max(6, cvRound(s.min_char_height * f));
  const int max_h = cvRound(s.max_char_height * f);
  auto mser = cv::MSER::create(5, std::max(8, min_h * min_h / 12), max_h * max_h, 0.25, 0.2);
  std::vector<std::vector<cv::Point>> regions;
  std::vector<cv::Rect> boxes;
  mser->detectRegions(gray, regions, boxes);
  cv::Mat integral;
  cv::integral(gray, integral, CV_64F);
  for (std::size_t i = 0; i < regions.size(); ++i) {
    const cv::Rect& r = boxes[i];
    if (!char_shaped(r.width, r.height, static_cast<int>(regions[i].size()), min_h, max_h)) continue;
    // Polarity: a dark character is darker than its bounding box on average.
    double region_sum = 0.0;
    for (const cv::Point& p : regions[i]) region_sum += gray.at<std::uint8_t>(p);
    const double box_sum = integral.at<double>(r.y + r.height, r.x + r.width) -
                           integral.at<double>(r.y, r.x + r.width) -
                           integral.at<double>(r.y + r.height, r.x) + integral.at<double>(r.y, r.x);
    const double region_mean = region_sum / static_cast<double>(regions[i].size());
    const cv::Rect full_box(cvRound(r.x / f), cvRound(r.y / f), cvRound(r.width / f), cvRound(r.height / f));
    blobs.push_back(Blob{full_box, region_mean < box_sum / r.area()});
  }
}

// MSER reports the same glyph at several thresholds, and pyramid levels overlap: one box per
// glyph and polarity, sorted by x.
std::vector<Blob> one_per_glyph(std::vector<Blob> blobs) {
  std::sort(blobs.begin(), blobs.end(), [](const Blob& a, const Blob& b) { return a.box.x < b.box.x; });
  std::vector<Blob> unique;
  for (const Blob& b : blobs) {
    bool duplicate = false;
    for (auto it = unique.rbegin(); it != unique.rend() && it->box.x > b.box.x - b.box.width; ++it) {
      if (it->dark == b.dark && iou(it->box, b.box) > 0.6) {
        if (b.box.area() > it->box.area()) it->box = b.box;
        duplicate = true;
        break;
      }
    }
    if (!duplicate) unique.push_back(b);
  }
  std::sort(unique.begin(), unique.end(), [](const Blob& a, const Blob& b) { return a.box.x < b.box.x; });
  return unique;
}

}  // namespace

CharBlobs find_char_blobs(const cv::Mat& gray, const DetectorSettings& s) {
  constexpr int kLevelMaxHeight = 44;
  constexpr int kBlock = 31;
  constexpr double kOffset = 7.0;
  constexpr int kBandRows = 384;
  CharBlobs found;
  cv::Mat level = gray;
  double scale = 1.0;
  for (int l = 0; l < 5 && level.rows >= 16 && level.cols >= 16; ++l) {
    const int min_h = l == 0 ? s.min_char_height : kLevelMaxHeight / 2 - 2;
    const int max_h = std::min(kLevelMaxHeight, static_cast<int>(s.max_char_height / scale));
    if (max_h < min_h || min_h * scale > s.max_char_height) break;
    // The level is worked on in overlapping bands of rows: a whole 1080p level's work images
    // (box mean, 16-bit difference, mask, 32-bit labels) are 10-12 MB per recogniser thread, a
    // band's a fifth of that. The mean of a band is the mean of the whole level there: OpenCV
    // filters a band of rows with the rows around it and extrapolates only at the level's own
    // borders.
    const int overlap = max_h + 2;
    const int step = std::max(kBandRows - overlap, 1);
    cv::Mat mean, diff;
    for (int y0 = 0; y0 < level.rows; y0 += step) {
      const int y1 = std::min(level.rows, y0 + kBandRows);
      const cv::Mat band = level.rowRange(y0, y1);
      cv::blur(band, mean, cv::Size(kBlock, kBlock), cv::Point(-1, -1), cv::BORDER_REPLICATE);
      cv::subtract(band, mean, diff, cv::noArray(), CV_16S);
      const bool first = y0 == 0, last = y1 == level.rows;
      collect_blobs(diff < -kOffset, y0, first, last, true, scale, min_h, max_h, found);
      collect_blobs(diff > kOffset, y0, first, last, false, scale, min_h, max_h, found);
      if (last) break;
    }
    cv::pyrDown(level, level);
    scale *= 2.0;
  }
  if (s.use_mser) add_mser_blobs(gray, s, found.whole);
  found.whole = one_per_glyph(std::move(found.whole));
  found.pieces = one_per_glyph(std::move(found.pieces));
  found.runs = one_per_glyph(std::move(found.runs));
  return found;
}

}  // namespace anpr::edge::detector_detail
