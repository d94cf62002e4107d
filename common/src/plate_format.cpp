#include "anpr/common/plate_format.hpp"

#include <chrono>

namespace anpr {
namespace {

// Character sets of the DVLA rules. Letters I, Q and Z are never memory tags; I and Q are not
// used in the random letters; prefix/suffix year letters skip I, O, Q, U and Z.
constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kNonZeroDigits = "123456789";
constexpr std::string_view kMemoryTag = "ABCDEFGHJKLMNOPRSTUVWXY";
constexpr std::string_view kRandomLetters = "ABCDEFGHJKLMNOPRSTUVWXYZ";
constexpr std::string_view kYearLetters = "ABCDEFGHJKLMNPRSTVWXY";
constexpr std::string_view kAreaLetters = "ABCDEFGHJKLMNOPRSTUVWXY";
constexpr std::string_view kDatelessLetters = "ABCDEFGHIJKLMNOPRSTUVWXY";
constexpr std::string_view kNiLetters = "ABCDEFGHIJKLMNOPRSTUVWXYZ";

PlateShape shape(std::initializer_list<std::string_view> sets, std::size_t split) {
  PlateShape s;
  for (auto set : sets) s.slots.push_back(CharSlot{set});
  s.split = split;
  return s;
}

// A number of 1..max_digits digits without a leading zero, appended to a shape.
void append_number(PlateShape& s, std::size_t digits) {
  s.slots.push_back(CharSlot{kNonZeroDigits});
  for (std::size_t i = 1; i < digits; ++i) s.slots.push_back(CharSlot{kDigits});
}

void append_letters(PlateShape& s, std::string_view set, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) s.slots.push_back(CharSlot{set});
}

// `letters` letters of `set`, the gap, then a number of `digits` digits (ABZ 1234).
PlateShape letters_then_number(std::string_view set, std::size_t letters, std::size_t digits) {
  PlateShape s;
  append_letters(s, set, letters);
  s.split = letters;
  append_number(s, digits);
  return s;
}

// A number of `digits` digits, the gap, then `letters` letters of `set` (1234 AB).
PlateShape number_then_letters(std::string_view set, std::size_t letters, std::size_t digits) {
  PlateShape s;
  append_number(s, digits);
  s.split = digits;
  append_letters(s, set, letters);
  return s;
}

int current_year() {
  const auto now = std::chrono::system_clock::now();
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(now)};
  return static_cast<int>(ymd.year());
}

PlateFormat current_format(int latest_year) {
  PlateFormat f{"gb-current", "GB", {}, {}};
  f.shapes.push_back(
      shape({kMemoryTag, kMemoryTag, kDigits, kDigits, kRandomLetters, kRandomLetters, kRandomLetters}, 4));
  f.extra_rule = [latest_year](std::string_view t) {
    return is_valid_age_identifier((t[2] - '0') * 10 + (t[3] - '0'), latest_year);
  };
  return f;
}

PlateFormat prefix_format() {
  PlateFormat f{"gb-prefix", "GB", {}, {}};
  for (std::size_t digits = 1; digits <= 3; ++digits) {
    PlateShape s = shape({kYearLetters}, 1 + digits);
    append_number(s, digits);
    append_letters(s, kAreaLetters, 3);
    f.shapes.push_back(s);
  }
  return f;
}

PlateFormat suffix_format() {
  PlateFormat f{"gb-suffix", "GB", {}, {}};
  for (std::size_t digits = 1; digits <= 3; ++digits) {
    PlateShape s = shape({kAreaLetters, kAreaLetters, kAreaLetters}, 3);
    append_number(s, digits);
    s.slots.push_back(CharSlot{kYearLetters});
    f.shapes.push_back(s);
  }
  return f;
}

// Northern Ireland: an optional serial letter, a two-letter code containing I or Z, 1-4 digits.
PlateFormat northern_ireland_format() {
  PlateFormat f{"gb-northern-ireland", "GB", {}, {}};
  for (std::size_t letters = 2; letters <= 3; ++letters) {
    for (std::size_t digits = 1; digits <= 4; ++digits) {
      f.shapes.push_back(letters_then_number(kNiLetters, letters, digits));
    }
  }
  f.extra_rule = [](std::string_view t) {
    std::size_t letters = 0;
    while (letters < t.size() && t[letters] >= 'A' && t[letters] <= 'Z') ++letters;
    const std::string_view code = t.substr(letters - 2, 2);
    return code.find_first_of("IZ") != std::string_view::npos;
  };
  return f;
}

// Dateless (pre-1963) and cherished transfers: 1-3 letters and 1-4 digits, either way round.
PlateFormat dateless_format() {
  PlateFormat f{"gb-dateless", "GB", {}, {}};
  for (std::size_t letters = 1; letters <= 3; ++letters) {
    for (std::size_t digits = 1; digits <= 4; ++digits) {
      f.shapes.push_back(letters_then_number(kDatelessLetters, letters, digits));
      f.shapes.push_back(number_then_letters(kDatelessLetters, letters, digits));
    }
  }
  return f;
}

bool shape_accepts(const PlateShape& s, std::string_view text) noexcept {
  if (s.slots.size() != text.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!s.slots[i].accepts(text[i])) return false;
  }
  return true;
}

}  // namespace

bool is_valid_age_identifier(int age_identifier, int latest_issue_year) noexcept {
  // March of year Y carries Y % 100 (02..50); September carries Y % 100 + 50 (51..99), and
  // September 2050 wraps to 00. 01 was never issued: the scheme began in September 2001 with 51.
  if (age_identifier < 0 || age_identifier > 99 || age_identifier == 1) return false;
  if (age_identifier == 0) return latest_issue_year >= 2050;
  if (age_identifier <= 50) return 2000 + age_identifier <= latest_issue_year;
  return 2000 + age_identifier - 50 <= latest_issue_year;
}

std::vector<PlateFormat> make_uk_formats(const UkRuleOptions& options) {
  const int latest = options.latest_issue_year > 0 ? options.latest_issue_year : current_year() + 1;
  return {current_format(latest), prefix_format(), suffix_format(), northern_ireland_format(),
          dateless_format()};
}

const std::vector<PlateFormat>& uk_formats() {
  static const std::vector<PlateFormat> formats = make_uk_formats({});
  return formats;
}

const std::vector<PlateFormat>& european_layouts() {
  static const std::vector<PlateFormat> layouts = [] {
    constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    PlateFormat f{"unknown", "", {}, {}};
    f.shapes.push_back(shape({kLetters, kLetters, kDigits, kDigits, kDigits, kLetters, kLetters}, 2));
    f.shapes.push_back(shape({kDigits, kDigits, kDigits, kDigits, kLetters, kLetters, kLetters}, 4));
    f.shapes.push_back(shape({kDigits, kLetters, kLetters, kDigits, kDigits, kDigits, kDigits}, 3));
    f.shapes.push_back(shape({kDigits, kLetters, kDigits, kDigits, kDigits, kDigits, kDigits}, 3));
    f.shapes.push_back(shape({kLetters, kLetters, kDigits, kDigits, kDigits, kDigits, kDigits}, 2));
    return std::vector<PlateFormat>{f};
  }();
  return layouts;
}

FormatMatch classify_plate(std::string_view normalised, const std::vector<PlateFormat>& formats) {
  for (const PlateFormat& format : formats) {
    for (const PlateShape& s : format.shapes) {
      if (!shape_accepts(s, normalised)) continue;
      if (format.extra_rule && !format.extra_rule(normalised)) continue;
      return FormatMatch{format.name, format.country, &s};
    }
  }
  return FormatMatch{};
}

FormatMatch classify_uk_plate(std::string_view normalised) {
  return classify_plate(normalised, uk_formats());
}

}  // namespace anpr
