#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "anpr/common/error.hpp"
#include "anpr/edge/reader/ocr_engine.hpp"

namespace anpr::edge {
namespace {

namespace fs = std::filesystem;

class TesseractEngine final : public OcrEngine {
 public:
  explicit TesseractEngine(const TesseractSettings& settings) : settings_(settings) {
    const std::string dir = settings.tessdata_dir.empty() ? default_tessdata_dir() : settings.tessdata_dir;
    const fs::path model = fs::path(dir) / (settings.language + ".traineddata");
    if (!fs::exists(model)) {
      throw Error(ErrorCode::kModel, "Tesseract model " + model.string() +
                                         " not found (set tessdata_dir or ANPR_TESSDATA, or install "
                                         "tesseract-ocr-" +
                                         settings.language + ")");
    }
    // Plates are not words: no dictionaries. These are init-only settings (SetVariable after
    // Init is too late); leaving the dictionaries out saves memory on the camera unit. The LSTM
    // loads its own word list unless lstm_use_matrix is off (3.3 MB; reads unchanged on both
    // evaluation sets, docs/performance.md).
    std::vector<std::string> names = {"load_system_dawg", "load_freq_dawg",    "load_punc_dawg",
                                      "load_number_dawg", "load_unambig_dawg", "load_bigram_dawg",
                                      "lstm_use_matrix"};
    std::vector<std::string> values(names.size(), "0");
    if (api_.Init(dir.c_str(), settings.language.c_str(), tesseract::OEM_LSTM_ONLY, nullptr, 0, &names,
                  &values, false) != 0) {
      throw Error(ErrorCode::kModel, "Tesseract could not load " + model.string());
    }
    api_.SetPageSegMode(static_cast<tesseract::PageSegMode>(settings.page_seg_mode));
    api_.SetVariable("tessedit_char_whitelist", settings.whitelist.c_str());
    api_.SetVariable("lstm_choice_mode", "2");  // per-symbol alternatives from the LSTM
    api_.SetVariable("user_defined_dpi", "300");
    api_.SetVariable("debug_file", "/dev/null");
  }
  ~TesseractEngine() override { api_.End(); }
  TesseractEngine(const TesseractEngine&) = delete;
  TesseractEngine& operator=(const TesseractEngine&) = delete;

  RowReading read_row(const cv::Mat& row) override {
    CV_Assert(row.type() == CV_8UC1 && row.isContinuous());
    RowReading reading;
    double lo = 0, hi = 0;
    cv::minMaxLoc(row, &lo, &hi);
    if (hi - lo < 32) return reading;  // no ink: the LSTM would hallucinate on a blank row
    api_.SetImage(row.data, row.cols, row.rows, 1, static_cast<int>(row.step));
    if (api_.Recognize(nullptr) != 0) return reading;
    std::unique_ptr<tesseract::ResultIterator> it(api_.GetIterator());
    if (!it) return reading;
    do {
      const std::unique_ptr<char[]> symbol(it->GetUTF8Text(tesseract::RIL_SYMBOL));
      if (!symbol || symbol[0] == '\0' || symbol[1] != '\0') continue;  // one ASCII char only
      CharChoice choice;
      int x1 = 0, y1 = 0, x2 = 0, y2 = 0;
      it->BoundingBox(tesseract::RIL_SYMBOL, &x1, &y1, &x2, &y2);
      choice.box = cv::Rect(x1, y1, x2 - x1, y2 - y1);
      const float best = std::clamp(it->Confidence(tesseract::RIL_SYMBOL) / 100.0F, 0.0F, 1.0F);
      choice.options.push_back({symbol[0], best});
      tesseract::ChoiceIterator alternatives(*it);
      do {
        const char* text = alternatives.GetUTF8Text();
        if (text == nullptr || text[0] == '\0' || text[1] != '\0' || text[0] == symbol[0]) continue;
        if (settings_.whitelist.find(text[0]) == std::string::npos) continue;
        const float p = std::clamp(alternatives.Confidence() / 100.0F, 0.0F, 1.0F);
        choice.options.push_back({text[0], std::min(p, best)});
      } while (alternatives.Next());
      reading.chars.push_back(std::move(choice));
    } while (it->Next(tesseract::RIL_SYMBOL));
    return reading;
  }

 private:
  TesseractSettings settings_;
  tesseract::TessBaseAPI api_;
};

}  // namespace

std::string RowReading::text() const {
  std::string out;
  for (const auto& c : chars) out.push_back(c.options.front().symbol);
  return out;
}

float RowReading::mean_probability() const {
  if (chars.empty()) return 0.0F;
  float sum = 0.0F;
  for (const auto& c : chars) sum += c.options.front().probability;
  return sum / static_cast<float>(chars.size());
}

std::vector<std::string> installed_model_dirs() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  // build/bin/anpr-edge -> build/models; /usr/bin/anpr-edge -> /usr/share/anpr/models
  return {(exe.parent_path().parent_path() / "models").string(),
          (exe.parent_path().parent_path() / "share/anpr/models").string()};
}

std::string default_tessdata_dir() {
  if (const char* env = std::getenv("ANPR_TESSDATA"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  for (const fs::path candidate : installed_model_dirs()) {
    if (fs::exists(candidate / "eng.traineddata", ec)) return candidate.string();
  }
  return "/usr/share/tesseract-ocr/5/tessdata";
}

std::string find_model_file(const std::string& file_name) {
  std::vector<std::string> dirs = installed_model_dirs();
  dirs.insert(dirs.begin(), default_tessdata_dir());
  std::error_code ec;
  for (const fs::path dir : dirs) {
    if (fs::exists(dir / file_name, ec)) return (dir / file_name).string();
  }
  return {};
}

std::unique_ptr<OcrEngine> make_tesseract_engine(const TesseractSettings& settings) {
  return std::make_unique<TesseractEngine>(settings);
}

}  // namespace anpr::edge
