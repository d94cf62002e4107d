#pragma once
// A character at a row's end that the plate's band or frame joined (row_ends.cpp). Internal to
// the reader's detector.

#include <vector>

#include <opencv2/core.hpp>

#include "glyphs.hpp"

namespace anpr::edge::detector_detail {

/// Adds to `row` (glyphs of one polarity, sorted by x) the characters at its ends that the
/// plate's band or frame joined: the blue band of a European plate, or the frame line where the
/// characters come close to the plate's edge (4B21875's 4, beside the band and touching the
/// frame's top line). Such a character is one component with them at every threshold, so never a
/// glyph of its own, and the row reads short. The band and the frame run straight across the
/// place one pitch beyond the row's end; a character's strokes stop within it. That place,
/// reaching 0.2 character heights over and under the row, is binarised at the middle of the
/// row's own ink and background levels; the rows over and under the characters inked (nearly)
/// all the way across it are cleared as the frame's, then the columns inked (nearly) all the way
/// down, beside the characters and over and under them, as the band's. A piece left is a
/// character when the clearing freed it, the band touches it only here and there (through blur),
/// and it is shaped like one, as tall as the row's glyphs, in line with them and within half a
/// pitch of the place's centre. Each end grows place by place while one is found, up to the
/// longest plate there is. Rows of fewer than three glyphs are left as they are.
void grow_row_ends(const cv::Mat& gray, bool dark, std::vector<Blob>& row);

}  // namespace anpr::edge::detector_detail
