#pragma once
// Characters run together into one glyph (blur, tight print, a bridge of ink), and how the plate
// detector cuts them apart again. Internal to the reader (plate_detector.cpp).

#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "glyphs.hpp"

namespace anpr::edge::detector_detail {

/// How characters came to be one glyph, which decides what a gap between them looks like:
/// - a thin bridge (a frame, tight print): little ink crosses the gap's column (Otsu on the
///   glyph's own box, in its polarity);
/// - blur: the gap turns grey, not clear, and Otsu counts the grey as ink, but the strongest ink
///   in the gap's column is faint. Only this measure tells a gap from the inside of an O or a 0,
///   which little ink crosses too.
enum class JoinedBy { kBridge, kBlur };

struct Cut {
  std::vector<Blob> pieces;
  double strength = 0.0;  ///< the strongest column a cut went through: lower is cleaner
};

/// Cuts a glyph into `pieces` characters at its weakest columns near where equal shares would
/// fall. Nothing where a cut finds no weak column there (a wide letter, a solid mark).
[[nodiscard]] std::optional<Cut> cut_glyph(const cv::Mat& gray, const Blob& b, int pieces, JoinedBy joined);

/// What a row's typical character width is taken to be.
/// - kMedian: its glyphs' median width (narrow ones, 1 and I, left out). Where half a row has run
///   together, that is no one character's width, and a double glyph is not wider than 1.6 times it.
/// - kNarrow: their lower quartile, which such a row does not move. A wide letter (M, W) is then
///   as wide as two, so a glyph is cut only where it is at least 0.9 times as wide as high, and
///   the plate detector offers the row so cut beside the row cut by the median, for the reading
///   to choose (find_rows, plate_detector.cpp).
enum class RowWidth { kMedian, kNarrow };

/// Splits glyphs of the row that are as wide as two or three of its characters: blur, low
/// resolution and tight spacing join neighbours, through a thin bridge or a gap blurred grey, and
/// the row would read one character where there are two. Cut through a thin bridge where there is
/// one, else where the ink is faint (JoinedBy); a glyph with no such column where the cuts fall
/// stays whole.
[[nodiscard]] std::vector<Blob> split_run_together(const cv::Mat& gray, std::vector<Blob> row,
                                                   RowWidth measure = RowWidth::kMedian);

/// The row with the runs of characters (CharBlobs::runs) beside its glyphs, in line with them and
/// as tall, cut into characters and joined to it (split_run_together then cuts its wide glyphs).
/// How many characters a run holds is not known (the gaps between them are gone, and a row's few
/// whole glyphs give its width roughly): each count that gives characters of about the row's width
/// is tried, and the cleanest cut wins; a run no count cuts cleanly is no row of characters and
/// stays out. A run joins only next to two or more whole glyphs: a lone wide component is a mark,
/// a window or a sign's word as often as a plate.
[[nodiscard]] std::vector<Blob> with_runs_joined(const cv::Mat& gray, std::vector<Blob> row,
                                                 const std::vector<Blob>& runs);

}  // namespace anpr::edge::detector_detail
