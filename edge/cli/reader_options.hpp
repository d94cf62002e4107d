#pragma once
// Options shared by every command that builds a plate reader.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "anpr/edge/reader/plate_reader.hpp"

namespace anpr::edge::cli {

struct ReaderOptions {
  std::string countries = "gb,eu";
  std::string tessdata;
  std::string ocr_model = "eng";  ///< <name>.traineddata in the tessdata folder
  std::string char_model;         ///< ONNX file, "none", or empty for default_char_model()
  std::string verifier_model;     ///< ONNX file, "none", or empty for default_verifier_model()
  bool no_mser = false;
  bool keep_rows = false;     ///< not a flag: set by eval --dump-rows
  bool keep_patches = false;  ///< not a flag: set by eval --dump-patches
};

void add_reader_options(CLI::App& command, ReaderOptions& options);

/// Builds a reader with one Tesseract engine; throws anpr::Error when the model is missing.
[[nodiscard]] std::unique_ptr<PlateReader> make_reader(const ReaderOptions& options);

}  // namespace anpr::edge::cli
