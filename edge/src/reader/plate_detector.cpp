#include "anpr/edge/reader/plate_detector.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "anpr/common/statistics.hpp"
#include "char_blobs.hpp"
#include "glyphs.hpp"
#include "row_ends.hpp"
#include "run_together.hpp"

namespace anpr::edge {
namespace {

using detector_detail::are_neighbours;
using detector_detail::Blob;
using detector_detail::centre;
using detector_detail::centre_x;
using detector_detail::char_shaped;
using detector_detail::CharBlobs;
using detector_detail::find_char_blobs;
using detector_detail::ink_levels;
using detector_detail::kNarrowGlyph;
using detector_detail::kRowHeightTolerance;
using detector_detail::median;
using detector_detail::row_slope;
using detector_detail::RowWidth;
using detector_detail::split_run_together;
using detector_detail::with_runs_joined;

int find_root(std::vector<int>& parent, int i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

// Chains blobs into rows: each blob links to its nearest right neighbour that stands clear of
// it, and also to its nearest overlapping one. Slanted glyphs overlap their neighbours' boxes,
// but so do fragments of the glyph itself (a serif, a stroke): linking only the nearest would
// let a fragment end the row there. clean_row keeps one glyph per place afterwards.
std::vector<std::vector<Blob>> chain_rows(const std::vector<Blob>& blobs) {
  const int n = static_cast<int>(blobs.size());
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  for (int i = 0; i < n; ++i) {
    int best_clear = -1, best_overlapping = -1;
    double clear_cost = 1e9, overlapping_cost = 1e9;
    for (int j = i + 1; j < n && blobs[j].box.x <= blobs[i].box.br().x + 1.3 * blobs[i].box.height; ++j) {
      if (!are_neighbours(blobs[i], blobs[j])) continue;
      const double gap = blobs[j].box.x - blobs[i].box.br().x;
      const double cost = gap + 0.5 * std::abs(blobs[j].box.y - blobs[i].box.y);
      if (gap >= 0) {
        if (cost < clear_cost) {
          clear_cost = cost;
          best_clear = j;
        }
      } else if (cost < overlapping_cost) {
        overlapping_cost = cost;
        best_overlapping = j;
      }
    }
    for (const int j : {best_clear, best_overlapping}) {
      if (j >= 0) parent[find_root(parent, j)] = find_root(parent, i);
    }
  }
  std::vector<std::vector<Blob>> groups(n);
  for (int i = 0; i < n; ++i) groups[find_root(parent, i)].push_back(blobs[i]);
  std::vector<std::vector<Blob>> rows;
  for (auto& g : groups) {
    if (!g.empty()) rows.push_back(std::move(g));  // a lone glyph may be a row of a two-row plate
  }
  return rows;
}

// Character height along a row, as a straight line in x: a plate seen at an angle has taller
// characters at its near end, and a median height drops them. Fitted by least squares to the
// glyphs near the row's median height only, so that a plate band, bolt or emblem at the row's
// end cannot tilt it; a flat line unless the trend is clear (a fitted trend on small noisy
// glyphs let junk at the row's ends in: docs/accuracy.md).
struct HeightTrend {
  double intercept = 0.0;
  double slope = 0.0;
  [[nodiscard]] double at(double x) const { return intercept + slope * x; }
};

// `glyphs` holds (centre x, height) pairs.
HeightTrend fit_height_trend(const std::vector<cv::Point2d>& glyphs, double tolerance) {
  std::vector<double> heights;
  for (const auto& g : glyphs) heights.push_back(g.y);
  const double h = median(heights);
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& [x, y] : glyphs) {
    if (std::abs(y - h) > tolerance * h) continue;
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double var = sxx - sx * sx / std::max(n, 1.0);
  if (n < 4 || var <= 0) return {h, 0.0};
  // No steeper than a plate at a steep angle gives: a tenth of a pixel of height per pixel.
  constexpr double kMaxSlope = 0.1;
  const double slope = std::clamp((sxy - sx * sy / n) / var, -kMaxSlope, kMaxSlope);
  // A trend counts only where it changes the height by a fifth or more along the glyphs; less is
  // the noise of small glyphs' boxes. The span of evenly spaced glyphs is sqrt(12) times the
  // standard deviation of their positions.
  const double spread = std::sqrt(12.0 * var / n);
  if (std::abs(slope) * spread < 0.2 * h) return {h, 0.0};
  return {(sy - slope * sx) / n, slope};
}

// One glyph per place along the row, of the height the row's trend gives there: nested regions
// of the same glyph (MSER reports a character and its strokes) are grouped first, so that the
// strokes cannot pull the row's height down; then each place keeps its largest glyph near the
// trend, and places with none (bolts, frame pieces, emblems) are dropped.
std::vector<Blob> clean_row(std::vector<Blob> row) {
  std::sort(row.begin(), row.end(), [](const Blob& a, const Blob& b) { return a.box.x < b.box.x; });
  std::vector<std::vector<Blob>> places;
  for (const Blob& b : row) {
    if (!places.empty()) {
      std::vector<Blob>& place = places.back();  // its largest glyph first
      const cv::Rect prev = place.front().box;
      if ((prev & b.box).area() > 0.5 * std::min(prev.area(), b.box.area())) {
        place.push_back(b);
        if (b.box.area() > prev.area()) std::swap(place.front(), place.back());
        continue;
      }
    }
    places.push_back({b});
  }
  std::vector<Blob> largest;
  for (const auto& p : places) largest.push_back(p.front());
  // On a tilted row a glyph's box is taller by its width times the sine of the tilt: a Z's box
  // stands out of a row of 1s and Ls by a fifth at 15 degrees. Heights are compared as if each
  // glyph were as wide as the row's typical one. Not glyphs wider than a character: characters
  // run together, or joined to a band or frame, are judged on their own height.
  const double slant = std::sin(std::atan(std::abs(row_slope(largest))));
  std::vector<double> widths;
  for (const Blob& b : largest) widths.push_back(b.box.width);
  const double typical_width = median(widths);
  const auto height = [&](const Blob& b) {
    if (b.box.width > 1.3 * typical_width) return static_cast<double>(b.box.height);
    return b.box.height - (b.box.width - typical_width) * slant;
  };
  std::vector<cv::Point2d> heights;
  for (const Blob& b : largest) heights.emplace_back(centre_x(b), height(b));
  const HeightTrend trend = fit_height_trend(heights, kRowHeightTolerance);
  std::vector<Blob> out;
  for (auto& p : places) {
    std::stable_sort(p.begin(), p.end(),
                     [](const Blob& a, const Blob& b) { return a.box.area() > b.box.area(); });
    for (const Blob& b : p) {
      const double h = trend.at(centre_x(b));
      if (std::abs(height(b) - h) <= kRowHeightTolerance * h) {
        out.push_back(b);
        break;
      }
    }
  }
  return out;
}

CharRow make_row(const std::vector<Blob>& blobs) {
  CharRow row;
  std::vector<double> heights;
  std::vector<cv::Point2f> centres;
  for (const Blob& b : blobs) {
    row.chars.push_back(b.box);
    heights.push_back(b.box.height);
    centres.emplace_back(centre(b.box));
  }
  row.char_height = median(heights);
  // Least-squares line through the glyph centres gives the tilt.
  double mx = 0, my = 0;
  for (const auto& c : centres) {
    mx += c.x;
    my += c.y;
  }
  mx /= centres.size();
  my /= centres.size();
  double sxx = 0, sxy = 0;
  for (const auto& c : centres) {
    sxx += (c.x - mx) * (c.x - mx);
    sxy += (c.x - mx) * (c.y - my);
  }
  const double slope = sxx > 0 ? sxy / sxx : 0.0;
  row.angle_degrees = std::atan(slope) * 180.0 / CV_PI;
  const double x0 = row.chars.front().x, x1 = row.chars.back().br().x;
  row.left_mid = {x0, my + slope * (x0 - mx)};
  row.right_mid = {x1, my + slope * (x1 - mx)};
  return row;
}

// Plate-likeness of a row: enough glyphs, regular spacing, consistent heights.
double score_row(const CharRow& row) {
  const double n = static_cast<double>(row.chars.size());
  double score = std::min(n, 7.0);
  if (n > 10) score -= (n - 10);
  std::vector<double> gaps;
  for (std::size_t i = 1; i < row.chars.size(); ++i) {
    gaps.push_back(row.chars[i].x - row.chars[i - 1].br().x);
  }
  if (!gaps.empty()) {
    const double g = median(gaps);
    double irregular = 0;
    for (double x : gaps) irregular += std::abs(x - g) / row.char_height;
    score -= irregular / static_cast<double>(gaps.size());
  }
  return score;
}

cv::Rect plate_box(const std::vector<CharRow>& rows, const cv::Size& frame) {
  cv::Rect chars = rows.front().chars.front();
  for (const auto& r : rows)
    for (const auto& c : r.chars) chars |= c;
  const double h = rows.front().char_height;
  cv::Rect box(cvRound(chars.x - 0.45 * h), cvRound(chars.y - 0.25 * h), cvRound(chars.width + 0.8 * h),
               cvRound(chars.height + 0.5 * h));
  return box & cv::Rect(0, 0, frame.width, frame.height);
}

// Two characters alone (cherished plates such as "A 1") are a candidate only on what looks like
// a plate: two blobs side by side are everywhere else (text, grilles, lamps). A plate is 520 mm
// wide and two characters with their gap about 130 mm, so the characters' background goes on,
// flat, for more than a character height beyond both ends of the row. Sampled along the row's
// own axis, so a tilted plate is measured as a level one.
bool on_plate_background(const cv::Mat& gray, const CharRow& row, bool dark) {
  const double h = row.char_height;
  cv::Rect glyphs = row.chars.front();
  for (const cv::Rect& c : row.chars) glyphs |= c;
  glyphs &= cv::Rect({0, 0}, gray.size());
  if (glyphs.empty()) return false;
  const auto [ink, background] = ink_levels(gray(glyphs), dark);
  const double contrast = std::abs(background - ink);
  if (contrast < 30) return false;
  const cv::Point2d axis = row.right_mid - row.left_mid;
  const double length = std::hypot(axis.x, axis.y);
  if (length <= 0) return false;
  const cv::Point2d u = axis / length, n(-u.y, u.x);
  for (const auto& [end, outward] : {std::pair{row.left_mid, -u}, std::pair{row.right_mid, u}}) {
    std::vector<double> side;
    for (double along = 0.3 * h; along <= 1.3 * h; along += 0.1 * h) {
      for (double across : {-0.3 * h, 0.0, 0.3 * h}) {
        const cv::Point2d p = end + outward * along + n * across;
        const int x = cvRound(p.x), y = cvRound(p.y);
        if (x < 0 || y < 0 || x >= gray.cols || y >= gray.rows) return false;  // no room for a plate
        side.push_back(gray.at<std::uint8_t>(y, x));
      }
    }
    const double level = anpr::percentile(side, 0.5);
    const double spread = anpr::percentile(side, 0.9) - anpr::percentile(side, 0.1);
    if (std::abs(level - background) > 0.25 * contrast || spread > 0.3 * contrast) return false;
  }
  return true;
}

// A row of one glyph running along the unit vector `along` (one glyph has no direction of its
// own: it takes its plate's).
CharRow one_glyph_row(const cv::Rect& glyph, const cv::Point2d& along) {
  CharRow row;
  row.chars = {glyph};
  row.char_height = glyph.height;
  row.angle_degrees = std::atan2(along.y, along.x) * 180.0 / CV_PI;
  row.left_mid = centre(glyph) - along * (glyph.width / 2.0);
  row.right_mid = centre(glyph) + along * (glyph.width / 2.0);
  return row;
}

// The row of one character on a two-row plate ("9" above "ELE", "XCD" above "5"), given the
// other row: it is centred over or under that row, as tall as its characters and a line away,
// and it takes that row's direction (one glyph has none of its own).
std::optional<CharRow> lone_partner_row(const CharRow& row, const cv::Rect& glyph) {
  const double h = row.char_height;
  if (std::abs(glyph.height - h) > 0.25 * h || glyph.width < 0.15 * h || glyph.width > 1.0 * h)
    return std::nullopt;
  const cv::Point2d axis = row.right_mid - row.left_mid;
  const double length = std::hypot(axis.x, axis.y);
  if (length <= 0) return std::nullopt;
  const cv::Point2d u = axis / length, n(-u.y, u.x);
  const cv::Point2d d = centre(glyph) - row.left_mid;
  const double across = std::abs(d.dot(n));
  if (across < 0.9 * h || across > 1.9 * h) return std::nullopt;
  // Rows of a two-row plate are centred: the glyph sits over the middle of the other row.
  if (std::abs(d.dot(u) - length / 2.0) > 0.2 * length + 0.3 * h) return std::nullopt;
  return one_glyph_row(glyph, u);
}

// Two lone glyphs stacked ("D" over "7"): a two-row plate of one character a row. As with two
// characters side by side, such pairs are everywhere, so the pair is a candidate only where both
// rows stand on a flat plate-like background.
std::optional<std::vector<CharRow>> stacked_lone_rows(const cv::Mat& gray, const Blob& top,
                                                      const Blob& bottom, double max_tilt_degrees) {
  const cv::Rect a = top.box, b = bottom.box;
  const double h = (a.height + b.height) / 2.0;
  if (std::abs(a.height - b.height) > 0.25 * h) return std::nullopt;
  for (const cv::Rect& g : {a, b}) {
    if (g.width < 0.15 * h || g.width > 1.0 * h) return std::nullopt;
  }
  // Two bars one over the other are a road's centre line, a post or a pole far more often than
  // an "I" over a "1".
  if (a.width < kNarrowGlyph * a.height && b.width < kNarrowGlyph * b.height) return std::nullopt;
  const cv::Point2d v = centre(b) - centre(a);
  const double line = std::hypot(v.x, v.y);
  if (line < 0.9 * h || line > 1.9 * h) return std::nullopt;
  if (std::atan2(std::abs(v.x), v.y) * 180.0 / CV_PI > max_tilt_degrees) return std::nullopt;
  const cv::Point2d u(v.y / line, -v.x / line);  // along the rows: square to the line joining them
  std::vector<CharRow> rows = {one_glyph_row(a, u), one_glyph_row(b, u)};
  for (const CharRow& row : rows) {
    if (!on_plate_background(gray, row, top.dark)) return std::nullopt;
  }
  return rows;
}

// A piece cut out of a frame (free_from_frame) is a character only where a row of glyphs found
// whole has a gap for one: two neighbours about two characters apart with a character's width
// of space between them, and the piece in that space, in line with them and as tall. Rows are
// made of whole glyphs first, so that the frame's other pieces (its sides, stubs beside
// characters) cannot join, split or end a row.
void fill_gaps_from_frames(std::vector<Blob>& row, const std::vector<Blob>& pieces) {
  constexpr double kGapForOne = 1.6;  // of the row's median pitch
  if (row.size() < 3 || pieces.empty()) return;
  std::vector<double> pitches, widths;
  for (std::size_t i = 1; i < row.size(); ++i) pitches.push_back(centre_x(row[i]) - centre_x(row[i - 1]));
  for (const Blob& b : row) widths.push_back(b.box.width);
  const double pitch = median(pitches), width = median(widths);
  std::vector<Blob> filled = {row.front()};
  for (std::size_t i = 1; i < row.size(); ++i) {
    const Blob &a = row[i - 1], &b = row[i];
    if (centre_x(b) - centre_x(a) >= kGapForOne * pitch && b.box.x - a.box.br().x >= width) {
      const double h = (a.box.height + b.box.height) / 2.0;
      const cv::Point2d ca = centre(a.box), cb = centre(b.box);
      const auto first = std::lower_bound(pieces.begin(), pieces.end(), a.box.br().x,
                                          [](const Blob& p, double x) { return p.box.x < x; });
      for (auto p = first; p != pieces.end() && p->box.x < b.box.x; ++p) {
        if (p->box.br().x > b.box.x) continue;
        const cv::Point2d c = centre(p->box);
        const double line_y = ca.y + (cb.y - ca.y) * (c.x - ca.x) / (cb.x - ca.x);
        if (p->dark == a.dark && std::abs(p->box.height - h) <= kRowHeightTolerance * h &&
            std::abs(c.y - line_y) <= 0.3 * h) {
          filled.push_back(*p);
          break;
        }
      }
    }
    filled.push_back(b);
  }
  row = std::move(filled);
}

/// The rows of characters in a frame, with each row's polarity, and the glyphs that have no
/// neighbour (the short row of a two-row plate, or not).
struct FoundRows {
  std::vector<CharRow> rows;
  std::vector<bool> dark;
  std::vector<Blob> lone;  ///< sorted by x
};

FoundRows find_rows(const cv::Mat& gray, const DetectorSettings& settings) {
  FoundRows found;
  const CharBlobs blobs = find_char_blobs(gray, settings);
  const auto add_row = [&](std::vector<Blob> glyphs, bool dark) {
    fill_gaps_from_frames(glyphs, blobs.pieces);
    detector_detail::grow_row_ends(gray, dark, glyphs);
    if (glyphs.size() == 1) found.lone.push_back(glyphs.front());
    if (glyphs.size() < 2) return;
    CharRow row = make_row(glyphs);
    if (std::abs(row.angle_degrees) > settings.max_tilt_degrees) return;
    found.rows.push_back(std::move(row));
    found.dark.push_back(dark);
  };
  for (auto& raw : chain_rows(blobs.whole)) {
    const bool dark = raw.front().dark;
    auto joined = with_runs_joined(gray, clean_row(std::move(raw)), blobs.runs);
    auto by_median = split_run_together(gray, joined, RowWidth::kMedian);
    // A row half run together is cut only by its narrow glyphs' width, and a wide letter may be
    // cut by it too: both rows are offered, and the reading decides.
    auto by_narrow = split_run_together(gray, std::move(joined), RowWidth::kNarrow);
    const bool narrow_differs = by_narrow.size() > by_median.size();
    add_row(std::move(by_median), dark);
    if (narrow_differs) add_row(std::move(by_narrow), dark);
  }
  std::sort(found.lone.begin(), found.lone.end(),
            [](const Blob& a, const Blob& b) { return a.box.x < b.box.x; });
  return found;
}

/// Whether `bottom` is the second row of a two-row plate whose first row is `top`: the same
/// height, directly below, and centred under it.
bool second_row_of(const CharRow& top, const CharRow& bottom) {
  const double h = top.char_height;
  if (std::abs(bottom.char_height - h) > 0.25 * h) return false;
  // Measure in the top row's own frame, so tilted plates pair as well as level ones.
  const cv::Point2d axis = top.right_mid - top.left_mid;
  const double length = std::hypot(axis.x, axis.y);
  if (length <= 0) return false;
  const cv::Point2d u = axis / length, n(-u.y, u.x);
  const cv::Point2d d = bottom.left_mid - top.left_mid;
  // Line spacing from the middle of the bottom row: its ends may reach past the top row's,
  // where the top row's estimated tilt is least sure. Square plates set their rows as close
  // as 1.1 character heights apart; box heights grow with tilt.
  const double across = ((bottom.left_mid + bottom.right_mid) * 0.5 - top.left_mid).dot(n);
  if (across < 0.8 * h || across > 1.9 * h) return false;
  // Rows of a two-row plate are centred one over the other: the shorter ("HI" over "3291")
  // lies mostly within the longer, and their middles are close.
  const double b0 = d.dot(u), b1 = (bottom.right_mid - top.left_mid).dot(u);
  const double overlap = std::min(length, b1) - std::max(0.0, b0);
  const double shorter = std::min(length, b1 - b0), longer = std::max(length, b1 - b0);
  return overlap >= 0.7 * shorter && std::abs((b0 + b1) / 2.0 - length / 2.0) <= 0.25 * longer + 0.3 * h;
}

void add_candidate(std::vector<CharRow> rows, bool dark, double score, const cv::Size& frame,
                   std::vector<PlateCandidate>& candidates) {
  PlateCandidate c{std::move(rows), dark, {}, score};
  c.box = plate_box(c.rows, frame);
  candidates.push_back(std::move(c));
}

/// Two-row plates: a row directly above another of the same polarity. Returns which rows are
/// part of one.
std::vector<bool> add_two_row_plates(const FoundRows& f, const cv::Size& frame,
                                     std::vector<PlateCandidate>& candidates) {
  std::vector<bool> used(f.rows.size(), false);
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    for (std::size_t j = 0; j < f.rows.size(); ++j) {
      if (i == j || f.dark[i] != f.dark[j] || !second_row_of(f.rows[i], f.rows[j])) continue;
      add_candidate({f.rows[i], f.rows[j]}, f.dark[i], score_row(f.rows[i]) + score_row(f.rows[j]) + 1.0,
                    frame, candidates);
      used[i] = used[j] = true;
    }
  }
  return used;
}

/// Two-row plates whose short row is one character: each row looks only at the lone glyphs
/// within its own extent.
void add_one_glyph_row_plates(const FoundRows& f, const cv::Size& frame,
                              std::vector<PlateCandidate>& candidates) {
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    const CharRow& row = f.rows[i];
    const double x0 = std::min(row.left_mid.x, row.right_mid.x),
                 x1 = std::max(row.left_mid.x, row.right_mid.x);
    auto it = std::lower_bound(f.lone.begin(), f.lone.end(), x0 - row.char_height,
                               [](const Blob& b, double x) { return b.box.x < x; });
    for (; it != f.lone.end() && it->box.x <= x1; ++it) {
      if (it->dark != f.dark[i]) continue;
      const auto partner = lone_partner_row(row, it->box);
      if (!partner) continue;
      const bool above = partner->left_mid.y < (row.left_mid.y + row.right_mid.y) / 2.0;
      // Just ahead of the row alone, which stays a candidate: a lone blob over or under a row
      // of characters is as often a bolt, a badge or a dealer's mark, and the reader keeps the
      // longer reading only where it is nearly as sure.
      add_candidate(above ? std::vector<CharRow>{*partner, row} : std::vector<CharRow>{row, *partner},
                    f.dark[i], score_row(row) + 0.5, frame, candidates);
    }
  }
}

/// Two-row plates of one glyph over one glyph.
void add_stacked_glyph_plates(const cv::Mat& gray, const FoundRows& f, double max_tilt_degrees,
                              std::vector<PlateCandidate>& candidates) {
  for (const Blob& top : f.lone) {
    // Candidates below: left edges within a glyph height of the top glyph's (lone is sorted by x).
    auto below = std::lower_bound(f.lone.begin(), f.lone.end(), top.box.x - top.box.height,
                                  [](const Blob& b, double x) { return b.box.x < x; });
    for (; below != f.lone.end() && below->box.x <= top.box.x + top.box.height; ++below) {
      if (below->dark != top.dark || below->box.y <= top.box.y) continue;
      if (auto stacked = stacked_lone_rows(gray, top, *below, max_tilt_degrees)) {
        add_candidate(std::move(*stacked), top.dark, 2.0, gray.size(), candidates);
      }
    }
  }
}

/// Every row alone, a row that is part of a two-row plate ranked below that plate. Two
/// characters are a row only on a flat plate-like background.
void add_one_row_plates(const cv::Mat& gray, const FoundRows& f, const std::vector<bool>& in_two_row_plate,
                        std::vector<PlateCandidate>& candidates) {
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    if (f.rows[i].chars.size() < 2 ||
        (f.rows[i].chars.size() == 2 && !on_plate_background(gray, f.rows[i], f.dark[i]))) {
      continue;
    }
    add_candidate({f.rows[i]}, f.dark[i], score_row(f.rows[i]) - (in_two_row_plate[i] ? 1.0 : 0.0),
                  gray.size(), candidates);
  }
}

}  // namespace

PlateDetector::PlateDetector(DetectorSettings settings) : settings_(settings) {}

std::vector<PlateCandidate> PlateDetector::detect(const cv::Mat& gray) const {
  CV_Assert(gray.type() == CV_8UC1);
  std::vector<PlateCandidate> candidates;
  if (gray.rows < settings_.min_char_height || gray.cols < settings_.min_char_height) return candidates;

  const FoundRows found = find_rows(gray, settings_);
  const std::vector<bool> in_two_row_plate = add_two_row_plates(found, gray.size(), candidates);
  add_one_glyph_row_plates(found, gray.size(), candidates);
  add_stacked_glyph_plates(gray, found, settings_.max_tilt_degrees, candidates);
  add_one_row_plates(gray, found, in_two_row_plate, candidates);
  std::sort(candidates.begin(), candidates.end(),
            [](const PlateCandidate& a, const PlateCandidate& b) { return a.score > b.score; });
  if (candidates.size() > static_cast<std::size_t>(settings_.max_candidates)) {
    candidates.resize(static_cast<std::size_t>(settings_.max_candidates));
  }
  return candidates;
}

}  // namespace anpr::edge
