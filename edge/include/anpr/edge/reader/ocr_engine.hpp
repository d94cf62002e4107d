#pragma once
/// @file
/// Optical character recognition of one rectified plate row.

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace anpr::edge {

/// One recognised character with its alternatives, best first; probabilities are 0..1.
struct CharChoice {
  struct Option {
    char symbol = '?';
    float probability = 0.0F;
  };
  std::vector<Option> options;  ///< never empty; options[0] is the engine's choice
  cv::Rect box;                 ///< in the row image's pixels
};

/// What the engine read in one row.
struct RowReading {
  std::vector<CharChoice> chars;
  [[nodiscard]] std::string text() const;
  [[nodiscard]] float mean_probability() const;
};

/// Reads one row of plate characters. Implementations are not thread-safe: each worker thread
/// owns its own engine for its whole life.
class OcrEngine {
 public:
  virtual ~OcrEngine() = default;
  /// `row` is 8-bit grey, dark characters on a light background, one row of characters.
  [[nodiscard]] virtual RowReading read_row(const cv::Mat& row) = 0;
};

/// Settings of the Tesseract engine.
struct TesseractSettings {
  std::string tessdata_dir;  ///< folder holding <language>.traineddata
  std::string language = "eng";
  std::string whitelist = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  int page_seg_mode = 7;  ///< 7 = single text line
};

/// Creates a Tesseract LSTM engine, initialised once. Throws anpr::Error when the model
/// cannot be loaded.
[[nodiscard]] std::unique_ptr<OcrEngine> make_tesseract_engine(const TesseractSettings& settings);

/// The folders models are installed in relative to the running executable: build/models for
/// build/bin/anpr-edge, /usr/share/anpr/models for /usr/bin/anpr-edge. Empty if unknown.
[[nodiscard]] std::vector<std::string> installed_model_dirs();

/// The tessdata folder to use when none is configured: $ANPR_TESSDATA, then the models/ folder
/// next to the executable's install prefix, then Debian's tesseract-ocr data folder.
[[nodiscard]] std::string default_tessdata_dir();

/// A model file the reader ships beside the Tesseract model (plate-chars.onnx,
/// plate-verifier.onnx): the first of default_tessdata_dir() and installed_model_dirs() that
/// holds `file_name`; empty when none does.
[[nodiscard]] std::string find_model_file(const std::string& file_name);

}  // namespace anpr::edge
