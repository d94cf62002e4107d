#pragma once
/// @file
/// Scoring the reader against a labelled set (manifest CSV: image,plate,x,y,w,h,country).

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "anpr/edge/reader/plate_reader.hpp"

namespace anpr::edge {

struct LabelledPlate {
  std::string image;            ///< path relative to the manifest's root
  std::string plate;            ///< normalised truth
  std::optional<cv::Rect> box;  ///< where given
  std::string country;
  int line = 0;  ///< line in the manifest, for messages
};

/// Parses a manifest; throws anpr::Error naming the line and the problem.
[[nodiscard]] std::vector<LabelledPlate> load_manifest(const std::string& path);

/// Intersection over union of two boxes.
[[nodiscard]] double box_iou(const cv::Rect& a, const cv::Rect& b);

/// Levenshtein distance between two strings.
[[nodiscard]] std::size_t edit_distance(const std::string& a, const std::string& b);

/// The outcome for one labelled plate.
struct PlateOutcome {
  const LabelledPlate* truth = nullptr;
  std::string read;  ///< the associated plate's first choice ("" if none)
  double confidence = 0.0;
  bool exact = false;
  bool in_top_n = false;
  double char_accuracy = 0.0;          ///< 1 - edit distance / truth length, at least 0
  std::optional<bool> detected;        ///< IoU >= 0.5 with some plate box, when a box was labelled
  double best_iou = 0.0;               ///< the largest IoU of a reported plate's box with the labelled box
  std::string error;                   ///< the image could not be read
  const PlateResult* plate = nullptr;  ///< the associated plate, valid while its ReadResult lives
};

/// Scores one labelled plate against what the reader found in its image. The associated plate is
/// the one overlapping the labelled box most, or the best plate when no box overlaps or none is given.
[[nodiscard]] PlateOutcome score_plate(const LabelledPlate& truth, const ReadResult& result, int top_n);

/// The truth text of each row of the associated plate, for OCR training lines: the split of the
/// truth across the rows that is closest to what the engine read, accepted only when the rows
/// hold the truth nearly whole (at most `max_edits` edits in all, no row short of its label), so
/// that a row cut off by detection is never labelled with characters it does not show.
/// Empty when the plate kept no rows or no split is close enough.
[[nodiscard]] std::vector<std::string> training_row_labels(const PlateOutcome& outcome,
                                                           std::size_t max_edits = 3);

/// Plates the reader reported at `min_confidence` or more in one image that match none of the
/// image's labelled plates (neither overlapping a labelled box, IoU >= 0.3, nor reading a labelled
/// text): signs, legends, grilles, and plates nobody labelled. The confidence at which a camera
/// publishes is 0.5.
struct FalseReads {
  std::size_t total = 0;
  /// Of them, those lying mostly (at least half their box) on a labelled plate: a plate's other
  /// text (a state name, a dealer legend) or a part of it read as a plate of its own. The rest
  /// are elsewhere in the picture (signs, grilles, plates nobody labelled).
  std::size_t on_labelled_plates = 0;
};
[[nodiscard]] FalseReads count_false_reads(const std::vector<const LabelledPlate*>& truths,
                                           const ReadResult& result, double min_confidence = 0.5);

struct EvalSummary {
  std::size_t plates = 0, images = 0, errors = 0;
  std::size_t false_reads = 0;  ///< over all images (count_false_reads)
  std::size_t false_reads_on_labelled_plates = 0;
  double false_reads_per_image = 0;
  double exact = 0, top_n = 0, char_accuracy = 0;
  std::optional<double> detection_recall;
  /// Labelled boxes not detected, by how near the reader came: a reported plate overlapped the
  /// box but by less than IoU 0.5 (part of the plate, or the plate with its surroundings), or no
  /// reported plate touched it at all.
  std::size_t missed_partly = 0, missed_wholly = 0;
  double median_ms = 0, p95_ms = 0;
  StageTimings mean_stage_ms;
  /// Of reads at confidence >= 0.9: how many, and the share that were right.
  std::size_t confident_reads = 0;
  double confident_precision = 0;
  /// Reliability: reads (plates with a reading) by confidence band, and how many were right.
  struct Band {
    double from = 0, to = 0;
    std::size_t reads = 0, right = 0;
  };
  std::vector<Band> calibration;
};

/// `false_reads` holds one count per image read (may be empty when not measured).
[[nodiscard]] EvalSummary summarise(const std::vector<PlateOutcome>& outcomes,
                                    const std::vector<double>& image_ms,
                                    const std::vector<StageTimings>& stages,
                                    const std::vector<FalseReads>& false_reads = {});

}  // namespace anpr::edge
