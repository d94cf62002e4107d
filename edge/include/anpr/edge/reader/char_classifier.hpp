#pragma once
/// @file
/// Classifies each segmented plate character on its own with a small convolutional network
/// (models/plate-chars.onnx, trained on synthetic plates by models/train-char-classifier.py).
/// Tesseract reads whole rows in a general-purpose font model and confuses plate glyphs it has
/// rarely seen (a narrow DIN 0 read as 6 or G, W as H); a classifier that has only ever seen plate
/// fonts gives a second, independent opinion per character that the reader fuses with the row reading.

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "anpr/edge/reader/ocr_engine.hpp"

namespace anpr::edge {

/// The classes the network tells apart, in the order of its outputs.
inline constexpr char kCharClasses[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
inline constexpr int kCharClassCount = static_cast<int>(sizeof(kCharClasses) - 1);

/// Size of the network's input patch, pixels.
inline constexpr int kCharPatchWidth = 24;
inline constexpr int kCharPatchHeight = 32;

/// The input patch of one character: a window of fixed shape (relative to the row's character
/// height) centred on the character horizontally and on the row vertically, cut from the upright
/// grey row, scaled to kCharPatchWidth x kCharPatchHeight and stretched to the full 0..255 range.
/// Training dumps and run time share this one function, so the network sees at run time exactly
/// what it was trained on.
[[nodiscard]] cv::Mat character_patch(const cv::Mat& row_gray, const cv::Rect& box, double char_height);

class CharClassifier {
 public:
  /// Loads the network, or several given as "a.onnx,b.onnx" (an ensemble whose class
  /// probabilities are averaged); throws anpr::Error (kModel) when a file is missing or not a
  /// network.
  explicit CharClassifier(const std::string& model_paths);
  ~CharClassifier();
  CharClassifier(const CharClassifier&) = delete;
  CharClassifier& operator=(const CharClassifier&) = delete;

  /// One CharChoice per box (row pixels), its options the classes by probability, best first,
  /// down to `min_probability`; `box` as given. Not thread-safe: one classifier per worker.
  [[nodiscard]] std::vector<CharChoice> classify(const cv::Mat& row_gray, const std::vector<cv::Rect>& boxes,
                                                 double char_height, float min_probability = 0.01F);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The classifier model to use when none is configured: plate-chars.onnx in the same folders as
/// the Tesseract model (see default_tessdata_dir()); empty when there is none.
[[nodiscard]] std::string default_char_model();

/// The classifier a setting asks for: a model file, "none" (null: Tesseract alone), or empty for
/// default_char_model() (null when that finds none). Throws anpr::Error when a named file fails.
[[nodiscard]] std::unique_ptr<CharClassifier> make_char_classifier(const std::string& setting);

}  // namespace anpr::edge
