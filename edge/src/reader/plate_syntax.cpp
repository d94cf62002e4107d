#include "anpr/edge/reader/plate_syntax.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "anpr/common/ocr_confusions.hpp"
#include "anpr/common/plate_format.hpp"
#include "anpr/common/statistics.hpp"
#include "glyphs.hpp"

namespace anpr::edge {
namespace {

// A misread the format repairs costs this factor. For O/0 and I/1, drawn alike in Charles Wright
// (only the layout tells them apart), it is taken off that character's probability, so in the
// plate's mean it costs little. For other look-alikes (5/S, 8/B, Q/O, G/6, Z/2, D/0), which differ
// by a stroke in every typeface, it is taken off the plate's score, as a dropped character's cost
// is: a plate of a layout the syntax does not know was otherwise bent into a known one at almost
// no cost (SQR6141 read SOR6141 at 0.97 against 0.58 as read; docs/accuracy.md, session 27).
constexpr double kConfusionFactor = 0.8;
// Priors on the text as a whole: almost every plate fits a known layout, and almost every plate
// mixes letters and digits. Texts that do neither are more likely signs, grilles or half-reads.
constexpr double kNoLayoutFactorUkOnly = 0.4;
// With other countries expected, many plates fit no layout the syntax knows (world styles, the
// layouts of countries it does not list): a text of no known layout then costs less than two
// look-alike repairs (0.64) that bend it into one, and as much as dropping a sure end character
// out of line (kDropFactor). At 0.6 world plates were bent into UK shapes (DB35JA read D83SJA);
// at 0.8 frame edges read as I were kept (docs/accuracy.md, session 36).
constexpr double kNoLayoutFactorMixed = 0.7;
constexpr double kSingleKindFactor = 0.7;  // letters only or digits only
// Dropping a character at either end (a frame edge read as 'I', a band read as 'E') costs up to
// this factor: all of it for a character the engines were sure of, little for one they were not.
constexpr double kDropFactor = 0.7;
// ...or this factor for one in line with the rest of its row (as tall, level, evenly spaced): a
// border, bolt, band letter or frame edge rarely is; a plate of a layout the syntax does not know
// would otherwise lose its last character to fit a shorter shape it does know.
constexpr double kInLineDropFactor = 0.5;
// A layout whose group gap is not where the plate shows one (UK "AB12 CDE" against Slovak
// "AB 120CD" when an O or 0 could go either way).
constexpr double kSplitMismatchFactor = 0.7;
// UK plates are often spaced against the rules ("VL 12 DDK" for VL12 DDK, to spell a word): a
// gap elsewhere is weaker evidence against a UK format.
constexpr double kUkSplitMismatchFactor = 0.85;
// A gap between characters is the group gap when it is this many times the typical gap...
constexpr double kGroupGapRatio = 2.0;
// ...and wider than the typical gap by at least this share of the character height (UK: 0.28).
// Measured as an excess, because boxes of tilted or slanted characters overlap and shrink every
// gap alike.
constexpr double kMinGroupGapExcess = 0.2;

struct Scored {
  std::string text;
  std::vector<double> probabilities;
  double score = 0.0;
  std::string format = "unknown";
  std::string country;
};

// Probabilities are floored here before their logarithm: one character the engines gave nothing
// makes a plate unlikely, not impossible.
constexpr double kMinProbability = 1e-4;

double geometric_mean(const std::vector<double>& p) {
  if (p.empty()) return 0.0;
  double log_sum = 0.0;
  for (double x : p) log_sum += std::log(std::max(x, kMinProbability));
  return std::exp(log_sum / static_cast<double>(p.size()));
}

// One slot's character: an OCR option that fits, or a look-alike of an option.
struct SlotChoice {
  char symbol = '?';
  /// Reported for the character: the engine's probability, less kConfusionFactor for a look-alike.
  double probability = 0.0;
  /// Its term in the plate's mean: for a `bent` choice, the engine's belief in what it saw.
  double evidence = 0.0;
  /// A look-alike drawn differently from what the engine read: its repair costs the plate.
  bool bent = false;
  /// What the choice adds to the log of a plate score of `length` characters.
  [[nodiscard]] double weight(std::size_t length) const {
    return std::log(std::max(evidence, kMinProbability)) / static_cast<double>(length) +
           (bent ? std::log(kConfusionFactor) : 0.0);
  }
};

// The look-alikes a character the engines read as `symbol` may be repaired into. A Q is read for
// its tail, a stroke none of its look-alikes has: where the engines read a Q, a layout without one
// does not reach an O, 0 or D through it (world plates' sure Qs were bent into UK shapes, KRQ775
// read KRO775; docs/accuracy.md, session 36). An O the engines offered beside the Q is taken as
// offered.
std::string_view repairs_of(char symbol) {
  return symbol == 'Q' ? std::string_view() : confusable_with(symbol);
}

// The choice that gives the plate the best score: the engine's own option where that scores more
// than a look-alike repair would (a fused B at 0.42 beside an 8 at 0.55 is a B the engines saw,
// not an 8 bent at the plate's cost). Without `may_bend`, only choices that bend no stroke: an
// option the engines offered, or the twin of one drawn alike.
std::optional<SlotChoice> best_for_slot(const CharChoice& c, const CharSlot& slot, std::size_t length,
                                        bool may_bend = true) {
  std::optional<SlotChoice> best;
  const auto consider = [&](const SlotChoice& choice) {
    if (!best || choice.weight(length) > best->weight(length)) best = choice;
  };
  for (const auto& option : c.options) {
    const double p = option.probability;
    if (slot.accepts(option.symbol)) consider({option.symbol, p, p, false});
    for (char alt : repairs_of(option.symbol)) {
      if (!slot.accepts(alt)) continue;
      const double q = p * kConfusionFactor;
      if (drawn_alike(option.symbol, alt)) {
        consider({alt, q, q, false});
      } else if (may_bend) {
        consider({alt, q, p, true});
      }
    }
  }
  return best;
}

// The space between two neighbouring characters' boxes (negative where they overlap).
double box_gap(const CharChoice& left, const CharChoice& right) { return right.box.x - left.box.br().x; }

double centre_x(const CharChoice& c) { return c.box.x + c.box.width / 2.0; }

// The height the characters [begin, end) of a row give at `x`: their heights' straight-line trend
// along the row, fitted robustly (Theil-Sen: the median of the slopes between pairs, then the
// median intercept), so that one odd glyph cannot tilt it. A plate seen at an angle has its
// characters shrinking towards its far end; against their median height, the far end's character
// looked out of line and was dropped cheaply to fit a shorter layout (docs/accuracy.md, session 35).
double height_on_trend(const std::vector<CharChoice>& row, std::size_t begin, std::size_t end, double x) {
  std::vector<cv::Point2d> heights;  // (centre x, height)
  for (std::size_t i = begin; i < end; ++i) heights.emplace_back(centre_x(row[i]), row[i].box.height);
  // 0 where no two centres differ (no boxes given).
  const double slope = detector_detail::median_pairwise_slope(heights);
  std::vector<double> intercepts;
  for (const auto& [centre, height] : heights) intercepts.push_back(height - slope * centre);
  return percentile(intercepts, 0.5) + slope * x;
}

// Whether the first (or last) character of a row is in line with the others: as tall as their
// trend gives at its place, level with its neighbour, and as far from it as they are from each
// other.
bool in_line(const std::vector<CharChoice>& row, bool first) {
  if (row.size() < 4) return false;
  const CharChoice& c = first ? row.front() : row.back();
  const CharChoice& next = first ? row[1] : row[row.size() - 2];
  const std::size_t begin = first ? 1 : 0;
  const std::size_t end = first ? row.size() : row.size() - 1;
  std::vector<double> gaps;
  for (std::size_t i = begin; i + 1 < end; ++i) gaps.push_back(box_gap(row[i], row[i + 1]));
  const double h = height_on_trend(row, begin, end, centre_x(c));
  if (h <= 0) return false;
  const double gap = first ? box_gap(c, next) : box_gap(next, c);
  const double dy = (c.box.y + c.box.height / 2.0) - (next.box.y + next.box.height / 2.0);
  return std::abs(c.box.height - h) <= 0.1 * h && std::abs(dy) <= 0.1 * h &&
         std::abs(gap - percentile(gaps, 0.5)) <= 0.2 * h;
}

double drop_cost(const std::vector<CharChoice>& row, bool first) {
  const CharChoice& c = first ? row.front() : row.back();
  const double p =
      std::max(0.5, c.options.empty() ? 0.0 : static_cast<double>(c.options.front().probability));
  return 1.0 - (1.0 - (in_line(row, first) ? kInLineDropFactor : kDropFactor)) * p;
}

bool is_letter(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool mixes_letters_and_digits(const std::string& text) {
  const bool letters = std::any_of(text.begin(), text.end(), is_letter);
  const bool digits = std::any_of(text.begin(), text.end(), is_digit);
  return letters && digits;
}

// The engines' reading of a plate no layout fits, read with its letters and its digits in groups:
// plates of every country group them (ABC 1234, 7ABC123, 12 AB 345), so a 0 between two letters
// is likelier an O the print drew alike. A character of one kind between two of the other costs
// kLoneKindFactor in this choice (not in the plate's score); one at either end, or beside a group
// gap the plate shows or the break between two rows, is not alone (1ABC234, 12 A 345). Regrouping
// bends no stroke: an O or an I read as its twin between two of the other kind is regrouped, an 8
// between letters only where the engines offered a B at more than 0.8^n of the 8 (n characters),
// and a text of no grouping (S6B5ZQ) is kept as read.
constexpr double kLoneKindFactor = 0.8;

enum Kind : std::size_t { kLetter = 0, kDigit = 1 };

// Each character's likeliest symbol of either kind that bends no stroke (indexed by Kind).
std::vector<std::array<std::optional<SlotChoice>, 2>> choices_by_kind(const std::vector<CharChoice>& chars) {
  static constexpr std::array<CharSlot, 2> kKindSlots = {CharSlot{"ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
                                                         CharSlot{"0123456789"}};
  std::vector<std::array<std::optional<SlotChoice>, 2>> out(chars.size());
  for (std::size_t i = 0; i < chars.size(); ++i) {
    for (const Kind kind : {kLetter, kDigit})
      out[i][kind] = best_for_slot(chars[i], kKindSlots[kind], chars.size(), /*may_bend=*/false);
  }
  return out;
}

// Whether character i of n may be a group of one by its place: at either end, or beside a group
// gap the plate shows or the break between two rows (`splits`).
bool may_stand_alone(std::size_t i, std::size_t n, const std::vector<std::size_t>& splits) {
  const auto split_at = [&](std::size_t k) {
    return std::find(splits.begin(), splits.end(), k) != splits.end();
  };
  return i == 0 || i + 1 == n || split_at(i) || split_at(i + 1);
}

// The choices of the best grouping, by dynamic programming over the kinds of the last two
// characters (a character's cost of standing alone needs both its neighbours' kinds); none where
// some character has no choice of either kind.
std::optional<std::vector<SlotChoice>> best_grouping(
    const std::vector<std::array<std::optional<SlotChoice>, 2>>& choice,
    const std::vector<std::size_t>& splits) {
  const std::size_t n = choice.size();
  constexpr double kImpossible = -std::numeric_limits<double>::infinity();
  const auto weight = [&](std::size_t i, std::size_t k) {
    return choice[i][k] ? choice[i][k]->weight(n) : kImpossible;
  };
  if (n < 3) return std::nullopt;
  // best[a][b]: the best log weight of the characters so far, the last two of kinds a and b.
  // came_from[i][b][c]: the kind of character i-2 on the best path with i-1 of kind b, i of kind c.
  std::array<std::array<double, 2>, 2> best{};
  std::vector<std::array<std::array<std::size_t, 2>, 2>> came_from(n);
  for (std::size_t a = 0; a < 2; ++a) {
    for (std::size_t b = 0; b < 2; ++b) best[a][b] = weight(0, a) + weight(1, b);
  }
  for (std::size_t i = 2; i < n; ++i) {
    std::array<std::array<double, 2>, 2> next{};
    for (std::size_t b = 0; b < 2; ++b) {
      for (std::size_t c = 0; c < 2; ++c) {
        next[b][c] = kImpossible;
        for (std::size_t a = 0; a < 2; ++a) {
          const bool alone = a != b && b != c && !may_stand_alone(i - 1, n, splits);
          const double w = best[a][b] + weight(i, c) + (alone ? std::log(kLoneKindFactor) : 0.0);
          if (w > next[b][c]) {
            next[b][c] = w;
            came_from[i][b][c] = a;
          }
        }
      }
    }
    best = next;
  }
  std::size_t b = 0, c = 0;
  for (std::size_t x = 0; x < 2; ++x) {
    for (std::size_t y = 0; y < 2; ++y) {
      if (best[x][y] > best[b][c]) b = x, c = y;
    }
  }
  if (!std::isfinite(best[b][c])) return std::nullopt;
  std::vector<SlotChoice> picked(n);
  for (std::size_t i = n - 1; i >= 2; --i) {
    picked[i] = *choice[i][c];
    const std::size_t a = came_from[i][b][c];
    c = b;
    b = a;
  }
  picked[1] = *choice[1][c];
  picked[0] = *choice[0][b];
  return picked;
}

// The plate read grouped first, then, where it differs, as read: below the grouped reading by
// what its lone characters cost in the choice.
std::vector<Scored> grouped_readings(const std::vector<CharChoice>& chars,
                                     const std::vector<std::size_t>& splits, double penalty) {
  const auto scored = [&](const std::vector<SlotChoice>& choices, double factor) {
    Scored out;
    std::vector<double> evidence;
    for (const SlotChoice& c : choices) {
      out.text.push_back(c.symbol);
      out.probabilities.push_back(c.probability);
      evidence.push_back(c.evidence);
    }
    out.score = geometric_mean(evidence) * factor * penalty;
    return out;
  };
  const std::size_t n = chars.size();
  std::vector<SlotChoice> read(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double p = chars[i].options.front().probability;
    read[i] = SlotChoice{chars[i].options.front().symbol, p, p, false};
  }
  const std::optional<std::vector<SlotChoice>> grouped = best_grouping(choices_by_kind(chars), splits);
  if (!grouped) return {scored(read, 1.0)};
  double lone_cost = 1.0;
  for (std::size_t i = 1; i + 1 < n; ++i) {
    const bool letter = is_letter(read[i].symbol);
    if (!may_stand_alone(i, n, splits) && is_letter(read[i - 1].symbol) != letter &&
        is_letter(read[i + 1].symbol) != letter)
      lone_cost *= kLoneKindFactor;
  }
  std::vector<Scored> out = {scored(*grouped, 1.0)};
  Scored as_read = scored(read, lone_cost);
  if (as_read.text != out.front().text) out.push_back(std::move(as_read));
  return out;
}

// Where a one-row plate shows its group gap: after how many of the characters kept (those left
// when `drop_front` and `drop_back` are dropped), where a gap between kept character boxes
// stands out (two rows break between the rows: drop_variants). Two gaps may stand out (an L or a T, open on
// one side, beside the group gap; a layout of three groups): then either may be the layout's split. None when
// no gap stands out, or when it would be at the kept characters' very edge (that says nothing about the
// layout).
std::vector<std::size_t> observed_splits(const std::vector<RowReading>& rows, std::size_t drop_front,
                                         std::size_t drop_back) {
  if (rows.size() != 1 || rows.front().chars.size() < drop_front + drop_back + 3) return {};
  const auto& all = rows.front().chars;
  const std::vector<CharChoice> chars(all.begin() + static_cast<long>(drop_front),
                                      all.end() - static_cast<long>(drop_back));
  std::vector<double> gaps, heights;
  for (std::size_t i = 0; i + 1 < chars.size(); ++i) gaps.push_back(box_gap(chars[i], chars[i + 1]));
  for (const auto& c : chars) heights.push_back(c.box.height);
  std::vector<std::size_t> order(gaps.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return gaps[a] > gaps[b]; });
  std::vector<double> others(gaps.begin(), gaps.end());
  others.erase(others.begin() + static_cast<long>(order.front()));
  const double typical = percentile(others, 0.5);
  const double height = percentile(heights, 0.5);
  std::vector<std::size_t> splits;
  for (std::size_t k = 0; k < std::min<std::size_t>(2, order.size()); ++k) {
    const double gap = gaps[order[k]];
    if (gap < kGroupGapRatio * std::max(1.0, typical) || gap - typical < kMinGroupGapExcess * height) break;
    splits.push_back(order[k] + 1);
  }
  return splits;
}

void fit_shapes(const std::vector<CharChoice>& chars, const std::vector<PlateFormat>& formats, double penalty,
                const std::vector<std::size_t>& splits, std::vector<Scored>& out) {
  for (const PlateFormat& format : formats) {
    for (const PlateShape& shape : format.shapes) {
      if (shape.slots.size() != chars.size()) continue;
      Scored s;
      std::vector<double> evidence;  // what the engines believed they saw in each place
      double bends = 1.0;            // kConfusionFactor for each look-alike drawn differently
      bool fits = true;
      for (std::size_t i = 0; i < chars.size(); ++i) {
        const std::optional<SlotChoice> choice = best_for_slot(chars[i], shape.slots[i], chars.size());
        fits = choice.has_value();
        if (!fits) break;
        s.text.push_back(choice->symbol);
        s.probabilities.push_back(choice->probability);
        evidence.push_back(choice->evidence);
        if (choice->bent) bends *= kConfusionFactor;
      }
      if (!fits || (format.extra_rule && !format.extra_rule(s.text))) continue;
      s.score = geometric_mean(evidence) * bends * penalty;
      if (!splits.empty() && std::find(splits.begin(), splits.end(), shape.split) == splits.end()) {
        s.score *= format.country == "GB" ? kUkSplitMismatchFactor : kSplitMismatchFactor;
      }
      s.format = format.name;
      s.country = format.country;
      out.push_back(std::move(s));
    }
  }
}

// The characters to fit, with the stray ones dropped: a frame edge read as 'I', a band as 'E', a
// bolt or the border at a row's end. One row may lose its first and its last character; each row
// of a two-row plate its own. Dropping a character costs what the engines believed in it.
struct Variant {
  std::vector<CharChoice> kept;
  double penalty = 1.0;
  std::vector<std::size_t> splits;  ///< where the plate shows its group gap, in `kept`
};

std::vector<Variant> drop_variants(const std::vector<RowReading>& rows) {
  std::vector<Variant> out;
  if (rows.size() == 2 && !rows.front().chars.empty() && !rows.back().chars.empty()) {
    const auto& top = rows.front().chars;
    const auto& bottom = rows.back().chars;
    const double cost[4] = {drop_cost(top, true), drop_cost(top, false), drop_cost(bottom, true),
                            drop_cost(bottom, false)};
    for (int mask = 0; mask < 16; ++mask) {
      const std::size_t tf = mask & 1, tb = (mask >> 1) & 1, bf = (mask >> 2) & 1, bb = (mask >> 3) & 1;
      if (top.size() < tf + tb + 1 || bottom.size() < bf + bb + 1) continue;
      Variant v;
      v.kept.assign(top.begin() + static_cast<long>(tf), top.end() - static_cast<long>(tb));
      v.splits = {v.kept.size()};
      v.kept.insert(v.kept.end(), bottom.begin() + static_cast<long>(bf),
                    bottom.end() - static_cast<long>(bb));
      for (int k = 0; k < 4; ++k) {
        if ((mask >> k) & 1) v.penalty *= cost[k];
      }
      out.push_back(std::move(v));
    }
    return out;
  }
  std::vector<CharChoice> chars;
  for (const auto& r : rows) chars.insert(chars.end(), r.chars.begin(), r.chars.end());
  const std::size_t n = chars.size();
  const double front_cost = drop_cost(chars, true), back_cost = drop_cost(chars, false);
  for (std::size_t drop_front = 0; drop_front <= 1; ++drop_front) {
    for (std::size_t drop_back = 0; drop_back <= 1; ++drop_back) {
      if (n < drop_front + drop_back + 2) continue;
      Variant v;
      v.kept.assign(chars.begin() + static_cast<long>(drop_front),
                    chars.end() - static_cast<long>(drop_back));
      if (drop_front == 1) v.penalty *= front_cost;
      if (drop_back == 1) v.penalty *= back_cost;
      v.splits = observed_splits(rows, drop_front, drop_back);
      out.push_back(std::move(v));
    }
  }
  return out;
}

}  // namespace

PlateSyntax::PlateSyntax(SyntaxSettings settings) : settings_(std::move(settings)) {
  const auto& c = settings_.countries;
  uk_ = c.empty() || std::find(c.begin(), c.end(), "gb") != c.end();
  uk_only_ = uk_ && c.size() <= 1;
  if (uk_) formats_.insert(formats_.end(), uk_formats().begin(), uk_formats().end());
  if (!uk_only_) formats_.insert(formats_.end(), european_layouts().begin(), european_layouts().end());
}

PlateText PlateSyntax::rank(const std::vector<RowReading>& rows) const {
  std::vector<CharChoice> chars;
  for (const auto& r : rows) chars.insert(chars.end(), r.chars.begin(), r.chars.end());
  PlateText result;
  if (chars.empty()) return result;

  std::vector<Scored> scored;
  for (const Variant& v : drop_variants(rows)) {
    std::string as_read;
    for (const auto& c : v.kept) as_read.push_back(c.options.front().symbol);
    fit_shapes(v.kept, formats_, v.penalty, v.splits, scored);
    if (classify_plate(as_read, formats_).shape == nullptr) {
      for (Scored& raw : grouped_readings(v.kept, v.splits, v.penalty)) {
        raw.score *= uk_only_ ? kNoLayoutFactorUkOnly : kNoLayoutFactorMixed;
        if (!mixes_letters_and_digits(raw.text)) raw.score *= kSingleKindFactor;
        scored.push_back(std::move(raw));
      }
    }
  }

  // Stable: equal scores keep the order of the formats (UK current first) and of fewer drops.
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.score > b.score; });
  std::vector<std::size_t> unique;  // indices into `scored`, best first, one per text
  for (std::size_t i = 0; i < scored.size(); ++i) {
    const bool seen = std::any_of(unique.begin(), unique.end(),
                                  [&](std::size_t u) { return scored[u].text == scored[i].text; });
    if (!seen) unique.push_back(i);
    if (unique.size() >= static_cast<std::size_t>(settings_.max_candidates) + 1) break;
  }
  if (unique.empty()) return result;  // a single character is not a plate
  const Scored& best = scored[unique.front()];
  result.text = best.text;
  result.confidence = best.score;
  result.char_confidences = best.probabilities;
  result.format = best.format;
  result.country = best.country;
  for (std::size_t i = 1; i < unique.size(); ++i) {
    result.candidates.push_back({scored[unique[i]].text, scored[unique[i]].score});
  }
  return result;
}

}  // namespace anpr::edge
