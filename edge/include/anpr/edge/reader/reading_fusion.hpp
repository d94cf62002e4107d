#pragma once
/// @file
/// Combines the two OCR opinions on a plate row: Tesseract's reading of the whole row and the
/// character classifier's reading of each detected character.

#include <vector>

#include "anpr/edge/reader/ocr_engine.hpp"

namespace anpr::edge {

/// The row reading with each character's options mixed with the classifier's choice for the
/// detected character under it: p = (1 - weight) * p_ocr + weight * p_classifier. Characters
/// the engine read where no character was detected keep the engine's options (unless their
/// height is far from the detected characters'); detected characters the engine skipped join
/// with weight * p_classifier where the classifier is sure of them. Left to right.
[[nodiscard]] RowReading fuse_reading(const RowReading& ocr, const std::vector<CharChoice>& classified,
                                      double classifier_weight);

/// A row reading made of the classifier's choices alone, one character per detected box.
[[nodiscard]] RowReading classifier_reading(const std::vector<CharChoice>& classified);

}  // namespace anpr::edge
