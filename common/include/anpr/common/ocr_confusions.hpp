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

/// True for O and 0, and for I and 1 (either way round): the UK plate typeface (Charles Wright)
/// draws each pair with the same pixels, and so do many others on plates worldwide. Only a plate's
/// layout can tell them apart. Other look-alikes (5 and S, 8 and B, Q and O) differ by a stroke in
/// every typeface.
[[nodiscard]] bool drawn_alike(char a, char b) noexcept;

/// How many positions differ between two texts of equal length, counting only pairs that are
/// OCR-equivalent; returns -1 when the lengths differ or a differing pair is not equivalent.
[[nodiscard]] int equivalent_substitutions(std::string_view a, std::string_view b) noexcept;

}  // namespace anpr
