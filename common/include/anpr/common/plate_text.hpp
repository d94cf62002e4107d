#pragma once
/// @file
/// Plate text inside the system: upper case A-Z and 0-9 only, no spaces.

#include <string>
#include <string_view>

namespace anpr {

/// Longest plate text accepted anywhere in the system (EU plates reach 10).
inline constexpr std::size_t kMaxPlateLength = 12;

/// Upper-cases ASCII letters and drops spaces, hyphens, dots and other separators.
/// Characters outside A-Z/0-9 that are not separators are kept, so validation can reject them.
[[nodiscard]] std::string normalise_plate(std::string_view text);

/// True when the text is 1..kMaxPlateLength characters of A-Z and 0-9.
[[nodiscard]] bool is_normalised_plate(std::string_view text) noexcept;

/// Groups a normalised UK plate the way it is printed (AB12 CDE, A123 BCD, ABC 123D ...),
/// for showing to people. Unknown formats are returned unchanged.
[[nodiscard]] std::string display_plate(std::string_view normalised);

}  // namespace anpr
