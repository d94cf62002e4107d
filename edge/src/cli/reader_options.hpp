#pragma once
// Options shared by every command that builds a plate reader.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "anpr/edge/plate_reader.hpp"

namespace anpr::edge::cli {

struct ReaderOptions {
  std::string countries = "gb,eu";
  std::string tessdata;
  bool no_mser = false;
};

void add_reader_options(CLI::App& command, ReaderOptions& options);

/// Builds a reader with one Tesseract engine; throws anpr::Error when the model is missing.
[[nodiscard]] std::unique_ptr<PlateReader> make_reader(const ReaderOptions& options);

}  // namespace anpr::edge::cli
