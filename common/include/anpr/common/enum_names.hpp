#pragma once
/// @file
/// The names of an enumeration's values as one table, which both directions read: writing a value
/// out and parsing it back cannot disagree.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace anpr {

/// Every value of `Enum` with its name.
template <class Enum, std::size_t N>
using EnumNames = std::array<std::pair<Enum, const char*>, N>;

/// The name of `value` in `names`; the first entry's name for a value the table lacks.
template <class Enum, std::size_t N>
constexpr const char* name_of(Enum value, const EnumNames<Enum, N>& names) noexcept {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return names.front().second;
}

/// The value `names` gives the name `text`, or nullopt.
template <class Enum, std::size_t N>
constexpr std::optional<Enum> value_named(std::string_view text, const EnumNames<Enum, N>& names) noexcept {
  for (const auto& [value, name] : names) {
    if (text == name) return value;
  }
  return std::nullopt;
}

}  // namespace anpr
