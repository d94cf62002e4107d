#include "row_ends.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "anpr/common/plate_text.hpp"

namespace anpr::edge::detector_detail {
namespace {

/// What grow_row_ends knows of a row: its characters' height and pitch, its tilt, and the level
/// between its ink and its background.
struct RowLooks {
  double height = 0.0, pitch = 0.0, slope = 0.0, threshold = 0.0;
  bool dark = true;
};

constexpr double kStraightRun = 0.85;  // share of a row or column inked that makes it the frame's or band's

// Clears the rows of `inked` (a place beside a row) over and under the characters' band that
// are inked nearly all the way across `place_columns`: the frame's lines, and the ground beyond
// a plate's top or bottom edge. Returns the rows over and under the characters that are left
// (1 in a column of `inked.rows`).
cv::Mat clear_frame_rows(cv::Mat& inked, const cv::Range& place_columns, double top_of_characters,
                         double bottom_of_characters) {
  cv::Mat margin_rows(inked.rows, 1, CV_8U, cv::Scalar(0));
  for (int y = 0; y < inked.rows; ++y) {
    if (y + 0.5 >= top_of_characters && y + 0.5 <= bottom_of_characters) continue;
    if (cv::countNonZero(inked(cv::Range(y, y + 1), place_columns)) >= kStraightRun * place_columns.size()) {
      inked.row(y).setTo(0);
    } else {
      margin_rows.at<std::uint8_t>(y) = 1;
    }
  }
  return margin_rows;
}

// Clears the columns of `inked` inked nearly all the way down both beside the characters
// (`core` rows) and over and under them (`margin_rows`): the band's. Returns which they were.
std::vector<bool> clear_band_columns(cv::Mat& inked, const cv::Mat& margin_rows, int core) {
  const int margin = cv::countNonZero(margin_rows);
  std::vector<bool> band(static_cast<std::size_t>(inked.cols), false);
  for (int x = 0; x < inked.cols; ++x) {
    cv::Mat column = inked.col(x);
    const int in_margin = cv::countNonZero(column & margin_rows);
    const int beside = cv::countNonZero(column) - in_margin;
    if (in_margin >= kStraightRun * margin && beside >= kStraightRun * core) {
      column.setTo(0);
      band[static_cast<std::size_t>(x)] = true;
    }
  }
  return band;
}

// Whether the band touches piece `label` (box `box` of `labels`) only here and there, through
// blur, rather than running into it on most of its rows: a piece the band's ink runs into is what
// is left of the dark ground beyond a tilted plate's edge once its full columns and the rows
// under the plate are cleared. `before_band` is the place's ink before the band was cleared;
// `outwards` is -1 on a row's left, 1 on its right. False when there is no band beyond the piece.
bool touched_by_band_here_and_there(const cv::Mat& labels, int label, const cv::Rect& box,
                                    const cv::Mat& before_band, const std::vector<bool>& band, int outwards) {
  const int cols = labels.cols;
  int edge = outwards < 0 ? box.x - 1 : box.br().x;  // the band's column nearest the piece
  while (edge >= 0 && edge < cols && !band[static_cast<std::size_t>(edge)]) edge += outwards;
  if (edge < 0 || edge >= cols) return false;
  int rows = 0, run_into = 0;
  for (int y = box.y; y < box.br().y; ++y) {
    const int* row_labels = labels.ptr<int>(y);
    if (std::find(row_labels + box.x, row_labels + box.br().x, label) == row_labels + box.br().x) continue;
    ++rows;
    const std::uint8_t* ink = before_band.ptr<std::uint8_t>(y);
    int x = edge - outwards;  // from the band inwards while there is ink: up to the piece, or not
    while (x >= 0 && x < cols && row_labels[x] != label && ink[x] != 0) x -= outwards;
    if (x >= 0 && x < cols && row_labels[x] == label) ++run_into;
  }
  return rows > 0 && 2 * run_into <= rows;
}

// The character in the place one pitch beyond `end` (to its left or right), if clearing the
// band's and frame's straight runs frees one there (grow_row_ends).
std::optional<cv::Rect> character_beyond(const cv::Mat& gray, const Blob& end, bool left,
                                         const RowLooks& row) {
  constexpr double kReach = 0.2;  // of the character height, over and under the row
  const double h = row.height;
  const double cx = centre_x(end) + (left ? -row.pitch : row.pitch);
  const double cy = centre(end.box).y + row.slope * (cx - centre_x(end));
  // Out to where the band begins beside a wide character (a 4, an M) that it joins.
  const int x0 = cvRound(left ? cx - 1.5 * row.pitch : end.box.br().x + 1);
  const int x1 = cvRound(left ? end.box.x - 1 : cx + 1.5 * row.pitch);
  const int y0 = cvRound(cy - (0.5 + kReach) * h), y1 = cvRound(cy + (0.5 + kReach) * h);
  const cv::Rect window(x0, y0, x1 - x0, y1 - y0);
  if (window.width < 2 || (window & cv::Rect({0, 0}, gray.size())) != window) return std::nullopt;
  const cv::Mat place = gray(window);
  cv::Mat inked = row.dark ? place < row.threshold : place > row.threshold;
  const cv::Mat untouched = inked.clone();
  // The frame's rows first, judged across the place itself (the window reaches on past a
  // plate's end), then the band's columns among the rows left; some must be left to tell a band,
  // which runs over and under the characters, from a character's stem, which does not.
  const double cxw = cx - window.x, cyw = cy - window.y;
  const cv::Range place_columns(std::max(0, cvRound(cxw - 0.45 * row.pitch)),
                                std::min(inked.cols, cvRound(cxw + 0.45 * row.pitch)));
  if (place_columns.size() < 1) return std::nullopt;
  const cv::Mat margin_rows = clear_frame_rows(inked, place_columns, cyw - 0.5 * h, cyw + 0.5 * h);
  if (cv::countNonZero(margin_rows) < std::max(2, cvRound(0.1 * h))) return std::nullopt;
  const cv::Mat before_band = inked.clone();
  const std::vector<bool> band = clear_band_columns(inked, margin_rows, cvRound(h));
  cv::Mat labels, stats, centroids, untouched_labels;
  const int n = cv::connectedComponentsWithStats(inked, labels, stats, centroids, 8, CV_32S);
  // Which of the place's first components lost pixels to the clearing: only a piece of one of
  // those was joined to the band or the frame. A piece that stood free beyond the row's end was
  // left out of the row for reasons of its own (another word, a sticker).
  const int untouched_n = cv::connectedComponents(untouched, untouched_labels, 8, CV_32S);
  std::vector<bool> lost_pixels(static_cast<std::size_t>(untouched_n), false);
  for (int y = 0; y < inked.rows; ++y) {
    for (int x = 0; x < inked.cols; ++x) {
      if (untouched.at<std::uint8_t>(y, x) != 0 && inked.at<std::uint8_t>(y, x) == 0)
        lost_pixels[static_cast<std::size_t>(untouched_labels.at<int>(y, x))] = true;
    }
  }
  std::optional<cv::Rect> found;
  int found_area = 0;
  for (int i = 1; i < n; ++i) {
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    // Standing free: not running on past the place's top, bottom or far side.
    if (box.y == 0 || box.br().y == inked.rows || (left ? box.x == 0 : box.br().x == inked.cols)) continue;
    // In the place: as tall as the row's glyphs and in line with them, in both directions.
    if (std::abs(box.height - h) > kRowHeightTolerance * h) continue;
    if (std::abs(box.y + box.height / 2.0 - cyw) > 0.3 * h) continue;
    if (std::abs(box.x + box.width / 2.0 - cxw) > 0.5 * row.pitch) continue;
    if (!char_shaped(box.width, box.height, area, 1, inked.rows)) continue;
    const cv::Point any_pixel = [&] {
      for (int y = box.y; y < box.br().y; ++y) {
        for (int x = box.x; x < box.br().x; ++x) {
          if (labels.at<int>(y, x) == i) return cv::Point(x, y);
        }
      }
      return box.tl();
    }();
    if (!lost_pixels[static_cast<std::size_t>(untouched_labels.at<int>(any_pixel))]) continue;
    if (!touched_by_band_here_and_there(labels, i, box, before_band, band, left ? -1 : 1)) continue;
    if (area > found_area) {
      found = box + window.tl();
      found_area = area;
    }
  }
  return found;
}

}  // namespace

void grow_row_ends(const cv::Mat& gray, bool dark, std::vector<Blob>& row) {
  if (row.size() < 3) return;
  std::vector<double> heights, pitches;
  for (const Blob& b : row) heights.push_back(b.box.height);
  for (std::size_t i = 1; i < row.size(); ++i) pitches.push_back(centre_x(row[i]) - centre_x(row[i - 1]));
  cv::Rect glyphs = row.front().box;
  for (const Blob& b : row) glyphs |= b.box;
  glyphs &= cv::Rect({0, 0}, gray.size());
  if (glyphs.empty()) return;
  const auto [ink, background] = ink_levels(gray(glyphs), dark);
  if (std::abs(background - ink) < 30) return;  // too faint to binarise (on_plate_background's bar)
  const RowLooks looks{median(heights), median(pitches), row_slope(row), (ink + background) / 2.0, dark};
  for (const bool left : {true, false}) {
    while (row.size() < kMaxPlateLength) {
      const auto found = character_beyond(gray, left ? row.front() : row.back(), left, looks);
      if (!found) break;
      row.insert(left ? row.begin() : row.end(), Blob{*found, dark});
    }
  }
}

}  // namespace anpr::edge::detector_detail
