#include "anpr/edge/reader/plate_selection.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "glyphs.hpp"

namespace anpr::edge {
namespace {

using detector_detail::centre;

// How the agreement of the two OCR looks turns the ranking score into the reported confidence.
constexpr double kAgreementShrink = 0.5;
constexpr double kDisagreementFactor = 0.8;

// A longer reading of the same plate wins if it is at least this share as confident...
constexpr double kLongerReadingShare = 0.85;
// ...or this share, where it holds the shorter reading whole: both looks read those characters
// alike, and one saw more at an end (characters joined on a small plate that the second look at
// twice the size tells apart, a group the first look's row left out). On the development seeds
// such longer readings were the plate, or nearer it, from 0.7 to 0.85 of the shorter's
// confidence, and below 0.7 the shorter was more often right (docs/accuracy.md, session 34).
constexpr double kExtendingReadingShare = 0.7;
// A reading is whole enough to spare an image the second look at twice the size from this many
// characters: characters joined on a small plate shorten its reading without making it less sure
// (seed 5102's FXU3H, read FXU3 at 0.97), and few plates are shorter.
constexpr std::size_t kShortestWholeReading = 5;
// A one-row reading is of a two-row reading's row where its characters' height is within this
// share of the row's (the detector pairs rows within 0.25 of each other's height).
constexpr double kSameRowHeightShare = 0.25;

// Drops the readings whose flag is set, keeping the others in order.
void drop_flagged(std::vector<PlateResult>& plates, const std::vector<bool>& flagged) {
  std::vector<PlateResult> kept;
  for (std::size_t i = 0; i < plates.size(); ++i) {
    if (!flagged[i]) kept.push_back(std::move(plates[i]));
  }
  plates = std::move(kept);
}

double overlap_ratio(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter / std::max(1, std::min(a.area(), b.area()));
}

// One result per physical plate from readings sorted most confident first. Overlapping
// candidates are the same plate read whole or in part (one row of a two-row plate, one group of
// characters) or at both sizes: keep the most confident, unless a longer reading of the same
// plate is nearly as confident.
std::vector<PlateResult> one_per_plate(std::vector<PlateResult> plates) {
  std::vector<PlateResult> kept;
  for (auto& p : plates) {
    auto same = std::find_if(kept.begin(), kept.end(),
                             [&](const PlateResult& k) { return overlap_ratio(k.box, p.box) > 0.4; });
    if (same == kept.end()) {
      kept.push_back(std::move(p));
    } else if (p.text.text.size() > same->text.text.size()) {
      const bool extends = p.text.text.find(same->text.text) != std::string::npos;
      if (p.text.confidence >=
          (extends ? kExtendingReadingShare : kLongerReadingShare) * same->text.confidence)
        *same = std::move(p);
    }
  }
  return kept;
}

// A reading of this many characters or fewer is little evidence of a plate: two or three
// characters of a sign, a badge or a sticker fit a short plate layout as well as a cherished
// plate does. Until session 28 only two-character readings were judged so; three-character ones
// below 0.9 in a picture with a plate were more often false reads than plates on every set
// (docs/accuracy.md, session 28).
constexpr std::size_t kShortReadingLength = 3;
// ...where a plate of at least this many characters is read in the picture...
constexpr std::size_t kFullPlateLength = 4;
// ...unless it is this sure (and not beside that plate).
constexpr double kSureShortReading = 0.9;

// A plate's other text is print at most this share of its registration's height...
constexpr double kOtherTextHeightShare = 0.5;
// ...lying within this many of the registration's character heights over or under its
// characters: the widest margin a plate leaves there (a US plate: 1.6 inches beside characters
// 2.75 inches high; a UK or EU plate's is about 0.2).
constexpr double kPlateMarginInCharHeights = 0.6;

struct PrintExtent {
  cv::Rect2d chars;   ///< the rows' characters, input pixels
  double height = 0;  ///< the tallest row's character height, input pixels
};

PrintExtent print_extent(const PlateResult& p) {
  PrintExtent e;
  const auto& rows = p.candidate.rows;
  if (rows.empty() || rows.front().chars.empty()) return e;
  cv::Rect chars = rows.front().chars.front();
  double height = 0;
  for (const auto& r : rows) {
    for (const auto& c : r.chars) chars |= c;
    height = std::max(height, r.char_height);
  }
  const double s = p.working_scale;
  e.chars = cv::Rect2d(chars.x / s, chars.y / s, chars.width / s, chars.height / s);
  e.height = height / s;
  return e;
}

}  // namespace

double reported_confidence(const PlateResult& p) {
  const double c = p.text.confidence;
  return p.looks_agree ? 1.0 - (1.0 - c) * kAgreementShrink : c * kDisagreementFactor;
}

bool read_surely(const std::vector<PlateResult>& readings, double sure) {
  return std::any_of(readings.begin(), readings.end(), [&](const PlateResult& p) {
    return reported_confidence(p) >= sure && p.text.text.size() >= kShortestWholeReading;
  });
}

void drop_plates_other_text(std::vector<PlateResult>& plates) {
  std::vector<PrintExtent> extents;
  extents.reserve(plates.size());
  for (const auto& p : plates) extents.push_back(print_extent(p));
  std::vector<bool> other_text(plates.size(), false);
  for (std::size_t b = 0; b < plates.size(); ++b) {
    const PrintExtent& small = extents[b];
    if (small.height <= 0) continue;
    const cv::Point2d centre(small.chars.x + small.chars.width / 2, small.chars.y + small.chars.height / 2);
    for (std::size_t a = 0; a < plates.size() && !other_text[b]; ++a) {
      const PrintExtent& large = extents[a];
      if (a == b || other_text[a] || small.height > kOtherTextHeightShare * large.height) continue;
      // Only a surer reading hides one: a large but unsure reading (a grille's bars) does not.
      if (plates[a].text.confidence < plates[b].text.confidence) continue;
      const double margin = kPlateMarginInCharHeights * large.height;
      other_text[b] = centre.x >= large.chars.x && centre.x <= large.chars.br().x &&
                      centre.y >= large.chars.y - margin && centre.y <= large.chars.br().y + margin;
    }
  }
  drop_flagged(plates, other_text);
}

void drop_short_readings(std::vector<PlateResult>& plates) {
  // Copied: erase_if moves the readings it keeps.
  std::vector<std::pair<cv::Rect, double>> full_plates;  // box, confidence
  for (const auto& p : plates) {
    if (p.text.text.size() >= kFullPlateLength) full_plates.emplace_back(p.box, p.text.confidence);
  }
  std::erase_if(plates, [&](const PlateResult& p) {
    if (p.text.text.size() > kShortReadingLength || full_plates.empty()) return false;
    if (p.text.confidence < kSureShortReading) return true;
    const cv::Point2d c = centre(p.box);
    return std::any_of(full_plates.begin(), full_plates.end(), [&](const auto& full) {
      // Only a surer plate hides one, as in drop_plates_other_text.
      const auto& [b, confidence] = full;
      if (confidence < p.text.confidence) return false;
      const double dx = std::max({b.x - c.x, 0.0, c.x - b.br().x}),
                   dy = std::max({b.y - c.y, 0.0, c.y - b.br().y});
      return std::hypot(dx, dy) <= b.width;
    });
  });
}

namespace {

// Where a row of characters lies, in input pixels: the middle of its characters' height, and
// their median height.
struct RowLevel {
  double middle = 0;
  double char_height = 0;
};

RowLevel row_level(const CharRow& row, double scale) {
  RowLevel level{0.0, row.char_height / scale};
  for (const auto& c : row.chars) level.middle += c.y + c.height / 2.0;
  if (!row.chars.empty()) level.middle /= static_cast<double>(row.chars.size()) * scale;
  return level;
}

// The row of a two-row reading `p` that a one-row reading `q` read: the row whose middle is
// nearest q's, provided q lies within p's box and its characters are that row's height.
std::optional<std::size_t> row_read_by(const PlateResult& p, const PlateResult& q) {
  const cv::Point2d c = centre(q.box);
  if (!p.box.contains(cv::Point(cvFloor(c.x), cvFloor(c.y)))) return std::nullopt;
  const RowLevel q_level = row_level(q.candidate.rows.front(), q.working_scale);
  std::optional<std::size_t> nearest;
  double nearest_distance = 0;
  for (std::size_t k = 0; k < p.candidate.rows.size(); ++k) {
    const RowLevel level = row_level(p.candidate.rows[k], p.working_scale);
    const double distance = std::abs(level.middle - q_level.middle);
    if (std::abs(q_level.char_height - level.char_height) > kSameRowHeightShare * level.char_height) continue;
    if (!nearest || distance < nearest_distance) {
      nearest = k;
      nearest_distance = distance;
    }
  }
  return nearest;
}

}  // namespace

void drop_rows_of_two_row_readings(std::vector<PlateResult>& plates) {
  std::vector<bool> dropped(plates.size(), false);
  for (const PlateResult& p : plates) {
    if (p.candidate.rows.size() != 2) continue;
    double best[2] = {0.0, 0.0};  // the surest reading of each row read apart
    std::vector<std::size_t> rows_read;
    for (std::size_t j = 0; j < plates.size(); ++j) {
      const PlateResult& q = plates[j];
      // A two-row reading no longer than a row's reads nothing of the other row.
      if (dropped[j] || q.candidate.rows.size() != 1 || q.text.text.size() >= p.text.text.size()) continue;
      const std::optional<std::size_t> row = row_read_by(p, q);
      if (!row) continue;
      rows_read.push_back(j);
      best[*row] = std::max(best[*row], q.text.confidence);
    }
    if (rows_read.empty()) continue;
    // Its rows read apart: one a plate and the other not, or both plates, whichever is likelier.
    const double top = best[0], bottom = best[1];
    const double apart = std::max({top * (1.0 - bottom), bottom * (1.0 - top), top * bottom});
    if (p.text.confidence < kLongerReadingShare * apart) continue;
    for (std::size_t j : rows_read) dropped[j] = true;
  }
  drop_flagged(plates, dropped);
}

std::vector<PlateResult> select_plates(std::vector<PlateResult> readings) {
  std::sort(readings.begin(), readings.end(),
            [](const PlateResult& a, const PlateResult& b) { return a.text.confidence > b.text.confidence; });
  drop_rows_of_two_row_readings(readings);
  std::vector<PlateResult> plates = one_per_plate(std::move(readings));
  for (auto& p : plates) p.text.confidence = reported_confidence(p);
  drop_short_readings(plates);
  drop_plates_other_text(plates);
  return plates;
}

}  // namespace anpr::edge
