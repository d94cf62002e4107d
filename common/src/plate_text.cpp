#include "anpr/common/plate_text.hpp"

#include "anpr/common/plate_format.hpp"

namespace anpr {
namespace {

bool is_separator(char c) noexcept {
  return c == ' ' || c == '-' || c == '.' || c == '_' || c == '\t' || c == '\n' || c == '\r';
}

bool is_plate_char(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

}  // namespace

std::string normalise_plate(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_separator(c)) continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out.push_back(c);
  }
  return out;
}

bool is_normalised_plate(std::string_view text) noexcept {
  if (text.empty() || text.size() > kMaxPlateLength) return false;
  for (char c : text) {
    if (!is_plate_char(c)) return false;
  }
  return true;
}

std::string display_plate(std::string_view normalised) {
  const FormatMatch match = classify_uk_plate(normalised);
  if (match.shape == nullptr || match.shape->split == 0 || match.shape->split >= normalised.size()) {
    return std::string(normalised);
  }
  // Built by concatenation: GCC 12's -Wrestrict misfires on std::string::insert (PR 105651).
  std::string out(normalised.substr(0, match.shape->split));
  out += ' ';
  out += normalised.substr(match.shape->split);
  return out;
}

}  // namespace anpr
