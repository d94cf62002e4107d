#pragma once
/// @file
/// From a frame's readings (every candidate read, at either look) to the plates it reports: one
/// reading per physical plate, with its reported confidence, without the plate's own other text,
/// badges and signs. PlateReader::read() ends with select_plates(); the steps are exported for
/// their tests.

#include <vector>

#include "anpr/edge/reader/plate_reader.hpp"

namespace anpr::edge {

/// The confidence a reading is reported with: its ranking score moved towards 1 where two looks
/// agree (PlateResult::looks_agree), down where not, which says more about a reading being right
/// than the engines' own scores (docs/accuracy.md, calibration).
double reported_confidence(const PlateResult& p);

/// Whether `readings` (ranking scores as read) hold a plate read surely and whole, which spares
/// the image PlateReader's second look at twice the size: a reported confidence of at least `sure`
/// and five characters or more. Characters joined on a small plate shorten its reading without
/// making it less sure, and few plates have four characters or fewer.
bool read_surely(const std::vector<PlateResult>& readings, double sure);

/// The plates among `readings` (ranking scores as read), surest first, with their reported
/// confidences: drop_rows_of_two_row_readings, then one reading per plate where readings overlap
/// (the surest, or a longer one at least 0.85 as sure, or 0.7 where it holds the surer one whole:
/// one row of a two-row plate, one group of characters, the same plate at both looks), then
/// drop_short_readings and drop_plates_other_text.
std::vector<PlateResult> select_plates(std::vector<PlateResult> readings);

/// A two-row reading explains both of its rows at once; its rows read apart would be one plate
/// over or under print that is none, or two plates, one directly over the other (the detector's
/// two-row plate read twice). The one-row readings of its rows are those centred within its box,
/// of a row's character height (within 0.25), shorter than it, each given to the row whose middle
/// is nearest. Each two-row reading is weighed against the likelier of those hypotheses, from the
/// surest reading of each row (confidences taken as probabilities: top x (1 - bottom), bottom x
/// (1 - top), top x bottom; a row nothing read counts 0, which leaves the top row alone), and the
/// one-row readings go where the two-row reading is at least 0.85 as sure. Weighed against its top
/// row alone (as the overlap rule after it does), a plate whose rows both read well lost to its
/// top row and left its bottom row reported as a second plate (docs/accuracy.md, session 28). A
/// same-height row under a plate read at about 0.5 (a legend as tall as the characters) halves
/// the weight of the plate alone. `plates`: confidences as ranked, surest first (where two
/// two-row readings share a row, the first decides).
void drop_rows_of_two_row_readings(std::vector<PlateResult>& plates);

/// Short readings (three characters or fewer) in a picture where a plate of four or more is read:
/// drops those below 0.9 confidence, and sure ones within a plate's width of such a plate read at
/// least as surely. Beside a plate they are its country band (CZ), a sticker (SK) or a badge (1.5);
/// elsewhere, unsure ones were signs, badges and bodywork print. A sure short reading away from the
/// plate (another vehicle's cherished plate), or surer than the reading beside it (a short plate
/// beside print read as four characters), stays. select_plates() applies it to the confidences it
/// reports.
void drop_short_readings(std::vector<PlateResult>& plates);

/// A plate has one registration, and it is its largest print: drops each reading of print at
/// most half as high as another reading's, on the same plate (its centre over or under that
/// reading's characters, within the widest margin a plate leaves there, 0.6 of their height): the
/// plate's other text (a state or city name, a slogan, a dealer's legend), not a second plate.
/// Only a reading at least as sure hides one.
/// select_plates() applies it last, to the confidences it reports.
void drop_plates_other_text(std::vector<PlateResult>& plates);

}  // namespace anpr::edge
