#pragma once
/// @file
/// The learned plate / not-a-plate check on each plate the reader is about to report. The
/// detector and the OCR find text wherever it is printed cleanly: shop and road signs, the
/// dealer's legend under a plate, stickers, lettering on a van, a grille read as WWWWWWW. A small
/// network (models/plate-verifier.onnx, trained on synthetic scenes with such distractors by
/// models/train-plate-verifier.py) looks at the candidate with a margin around it, as a person
/// would, and says how likely it is to be a number plate.

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace anpr::edge {

/// Size of the network's input, pixels.
inline constexpr int kPlatePatchWidth = 96;
inline constexpr int kPlatePatchHeight = 32;

/// The network's input for a candidate box of `gray` (8-bit, one channel): the box grown by a
/// margin on every side (the plate's edge and what surrounds it tell a plate from a sign), scaled
/// to kPlatePatchWidth x kPlatePatchHeight and stretched to the full 0..255 range. Training dumps
/// and run time share this one function.
[[nodiscard]] cv::Mat plate_patch(const cv::Mat& gray, const cv::Rect& box);

class PlateVerifier {
 public:
  /// Loads the network; throws anpr::Error (kModel) when the file is missing or not a network.
  explicit PlateVerifier(const std::string& model_path);
  ~PlateVerifier();
  PlateVerifier(const PlateVerifier&) = delete;
  PlateVerifier& operator=(const PlateVerifier&) = delete;

  /// Probability (0..1) that a plate_patch() shows a number plate. Not thread-safe.
  [[nodiscard]] double plate_probability(const cv::Mat& patch);
  /// plate_probability() of each patch, in order, from one pass of the network (a frame's whole
  /// candidate pool costs about what a few single calls do). Not thread-safe.
  [[nodiscard]] std::vector<double> plate_probabilities(const std::vector<cv::Mat>& patches);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The verifier model to use when none is configured: plate-verifier.onnx in the same folders as
/// the character classifier; empty when there is none.
[[nodiscard]] std::string default_verifier_model();

/// The verifier a setting asks for: a model file, "none" (null: every reading is reported), or
/// empty for default_verifier_model() (null when that finds none). Throws anpr::Error when a
/// named file fails to load.
[[nodiscard]] std::unique_ptr<PlateVerifier> make_plate_verifier(const std::string& setting);

}  // namespace anpr::edge
