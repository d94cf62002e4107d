#pragma once
/// @file
/// Characters that OCR (and witnesses) confuse on number plates: 0/O/D/Q, 1/I, 2/Z, 5/S, 6/G, 8/B.

#include <string>
#include <string_view>

namespace anpr {

/// The representative of c's confusion class ('O','D','Q' -> '0'; 'I' -> '1'; 'Z' -> '2';
/// 'S' -> '5'; 'G' -> '6'; 'B' -> '8'); any other character is its own representative.
[[nodiscard]] char confusion_class(char c) noexcept;

/// The text with every character replaced by its confusion class: two plates that OCR could
/// mistake for each other have the same key.
[[nodiscard]] std::string confusion_key(std::string_view text);

/// Characters that c is commonly misread as, excluding c itself (e.g. '0' -> "ODQ").
[[nodiscard]] std::string_view confusable_with(char c) noexcept;

/// How many positions differ between two texts of equal length, counting only pairs that are
/// OCR-equivalent; returns -1 when the lengths differ or a differing pair is not equivalent.
[[nodiscard]] int equivalent_substitutions(std::string_view a, std::string_view b) noexcept;

}  // namespace anpr
