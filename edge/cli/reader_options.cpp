#include "reader_options.hpp"

#include <sstream>

namespace anpr::edge::cli {

void add_reader_options(CLI::App& command, ReaderOptions& options) {
  command
      .add_option("--country", options.countries,
                  "Countries expected, comma-separated lower-case ISO codes; 'gb' enables UK "
                  "format correction, any other plates are read as they are")
      ->capture_default_str();
  command.add_flag("--no-mser", options.no_mser,
                   "Detect with the fast adaptive-threshold blobs only (as video does); MSER finds more "
                   "plates in stills but costs 10-40x the detection time");
  command.add_option("--tessdata", options.tessdata,
                     "Folder holding the Tesseract model (default: $ANPR_TESSDATA, the installed "
                     "models folder, then Debian's tessdata)");
  command
      .add_option("--ocr-model", options.ocr_model,
                  "Tesseract model name (<name>.traineddata in the tessdata folder)")
      ->capture_default_str();
  command.add_option("--char-model", options.char_model,
                     "Character classifier (ONNX) to combine with Tesseract, or 'none' (default: "
                     "plate-chars.onnx beside the Tesseract model)");
  command.add_option("--verifier-model", options.verifier_model,
                     "Plate / not-a-plate check (ONNX), or 'none' to report every reading (default: "
                     "plate-verifier.onnx beside the Tesseract model)");
}

std::unique_ptr<PlateReader> make_reader(const ReaderOptions& options) {
  ReaderSettings settings;
  settings.syntax.countries.clear();
  std::istringstream in(options.countries);
  for (std::string country; std::getline(in, country, ',');) {
    if (!country.empty()) settings.syntax.countries.push_back(country);
  }
  settings.detector.use_mser = !options.no_mser;
  // Stills: the second look at twice the size for any photo the working width holds (a 1440 px
  // photo's 12-pixel characters were never enlarged). --no-mser reads as video does.
  if (!options.no_mser) settings.max_enlarged_width = 2 * settings.max_working_width;
  settings.keep_rows = options.keep_rows;
  settings.keep_patches = options.keep_patches;
  TesseractSettings tesseract;
  tesseract.tessdata_dir = options.tessdata;
  tesseract.language = options.ocr_model;
  return std::make_unique<PlateReader>(settings, make_tesseract_engine(tesseract),
                                       make_char_classifier(options.char_model),
                                       make_plate_verifier(options.verifier_model));
}

}  // namespace anpr::edge::cli
