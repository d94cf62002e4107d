#pragma once
/// @file
/// UK registration formats as data: each format is a list of shapes, a shape is one allowed
/// character set per position. The same table drives validation (classify), OCR correction
/// (position-aware repair of letter/digit confusions) and the synthetic plate generator.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anpr {

/// One position of a shape: the characters allowed there.
struct CharSlot {
  std::string_view allowed;
  [[nodiscard]] bool accepts(char c) const noexcept { return allowed.find(c) != std::string_view::npos; }
};

/// A fixed-length layout, e.g. current UK "LL NN LLL"; `split` is where the printed space goes.
struct PlateShape {
  std::vector<CharSlot> slots;
  std::size_t split = 0;
};

/// A registration format: name (e.g. "gb-current"), country (ISO 3166 alpha-2), shapes,
/// and an optional whole-text rule the slots cannot express (e.g. valid age identifiers).
struct PlateFormat {
  std::string name;
  std::string country;
  std::vector<PlateShape> shapes;
  std::function<bool(std::string_view)> extra_rule;
};

/// Which format a text matched. An unmatched text has format "unknown" and an empty country.
struct FormatMatch {
  std::string format = "unknown";
  std::string country;
  const PlateShape* shape = nullptr;
};

/// Options for the UK rule set.
struct UkRuleOptions {
  /// Latest year whose age identifiers are accepted for current-style plates (March YY and
  /// September YY+50). Defaults to the year after the current one, so the rules need no update.
  int latest_issue_year = 0;
};

/// Builds the UK formats: gb-current, gb-prefix, gb-suffix, gb-northern-ireland, gb-dateless,
/// most specific first.
[[nodiscard]] std::vector<PlateFormat> make_uk_formats(const UkRuleOptions& options);

/// The UK formats with default options, built once.
[[nodiscard]] const std::vector<PlateFormat>& uk_formats();

/// Common continental European layouts, used as a prior when reading plates of other countries
/// (never to bend a UK plate): letters-digits-letters LL NNN LL (France, Italy, Slovakia),
/// NNNN LLL (Spain), N LL NNNN and N L N NNNN (Czech Republic), LL NNNNN (Poland, Norway,
/// Denmark). Their format name is "unknown" and their country empty: a layout does not tell the
/// country.
[[nodiscard]] const std::vector<PlateFormat>& european_layouts();

/// Classifies a normalised plate against the given formats; first match wins.
[[nodiscard]] FormatMatch classify_plate(std::string_view normalised,
                                         const std::vector<PlateFormat>& formats);

/// Classifies against the UK formats.
[[nodiscard]] FormatMatch classify_uk_plate(std::string_view normalised);

/// True when the two-digit age identifier of a current-style plate had been issued by `year`.
[[nodiscard]] bool is_valid_age_identifier(int age_identifier, int latest_issue_year) noexcept;

}  // namespace anpr
