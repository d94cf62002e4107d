// anpr-edge recognize [--json] [--country gb,...] IMAGE...
#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "anpr/common/plate_text.hpp"
#include "anpr/common/run_program.hpp"
#include "anpr/edge/reader/image_loader.hpp"
#include "cli.hpp"
#include "reader_options.hpp"

namespace anpr::edge::cli {
namespace {

struct RecognizeOptions {
  ReaderOptions reader;
  std::vector<std::string> images;
  bool json = false;
};

nlohmann::json plate_json(const PlateResult& p) {
  nlohmann::json j;
  j["text"] = p.text.text;
  j["confidence"] = std::round(p.text.confidence * 1000.0) / 1000.0;
  j["format"] = p.text.format;
  j["country"] = p.text.country;
  j["box"] = {p.box.x, p.box.y, p.box.width, p.box.height};
  // How the reading was judged, for tracing a false read to the stage that let it through.
  if (p.plate_probability >= 0) j["plate_check"] = std::round(p.plate_probability * 1000.0) / 1000.0;
  j["looks_agree"] = p.looks_agree;
  j["candidates"] = nlohmann::json::array();
  for (const auto& c : p.text.candidates) {
    j["candidates"].push_back({{"text", c.text}, {"confidence", std::round(c.confidence * 1000.0) / 1000.0}});
  }
  return j;
}

void print_table_row(const std::string& image, double ms, const ReadResult& result) {
  if (result.plates.empty()) {
    std::printf("%-40s %7.1f ms  (no plate)\n", image.c_str(), ms);
    return;
  }
  for (const auto& p : result.plates) {
    std::printf("%-40s %7.1f ms  %-10s %5.2f  %-20s [%d,%d %dx%d]\n", image.c_str(), ms,
                display_plate(p.text.text).c_str(), p.text.confidence, p.text.format.c_str(), p.box.x,
                p.box.y, p.box.width, p.box.height);
  }
}

int run(const RecognizeOptions& o) {
  const auto reader = make_reader(o.reader);
  int failures = 0;
  if (!o.json)
    std::printf("%-40s %10s  %-10s %5s  %-20s %s\n", "IMAGE", "TIME", "PLATE", "CONF", "FORMAT", "BOX");
  for (const auto& path : o.images) {
    const auto start = std::chrono::steady_clock::now();
    const LoadedImage loaded = load_image(path);
    if (!loaded.error.empty()) {
      ++failures;
      if (o.json) {
        std::cout << nlohmann::json{{"image", path}, {"error", loaded.error}}.dump() << "\n";
      } else {
        std::printf("%-40s error: %s\n", path.c_str(), loaded.error.c_str());
      }
      continue;
    }
    const ReadResult result = reader->read(loaded.image);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (o.json) {
      nlohmann::json j{
          {"image", path}, {"ms", std::round(ms * 10.0) / 10.0}, {"plates", nlohmann::json::array()}};
      for (const auto& p : result.plates) j["plates"].push_back(plate_json(p));
      j["stages_ms"] = {{"detect", result.timings.detect_ms},
                        {"rectify", result.timings.rectify_ms},
                        {"ocr", result.timings.ocr_ms},
                        {"syntax", result.timings.syntax_ms}};
      std::cout << j.dump() << "\n";
    } else {
      print_table_row(path, ms, result);
    }
  }
  std::cout.flush();
  return failures == 0 ? 0 : 1;
}

}  // namespace

void add_recognize_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RecognizeOptions>();
  CLI::App* cmd = app.add_subcommand("recognize", "Read the number plates in still images (JPEG, PNG)");
  cmd->add_option("images", options->images, "Image files")->required();
  cmd->add_flag("--json", options->json, "One JSON object per image per line");
  add_reader_options(*cmd, options->reader);
  cmd->callback([options, &exit_code] { exit_code = run(*options); });
}

std::string version_string() { return anpr::version_string("anpr-edge"); }

}  // namespace anpr::edge::cli
