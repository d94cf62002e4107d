#include "anpr/edge/reader/char_classifier.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "anpr/common/error.hpp"
#include "onnx_network.hpp"

namespace anpr::edge {
namespace {

// The patch window in character heights: wide enough for a W, tall enough to keep the whole
// character when the row's centre line is a little off.
constexpr double kWindowWidth = 0.9;
constexpr double kWindowHeight = 1.3;

}  // namespace

cv::Mat character_patch(const cv::Mat& row_gray, const cv::Rect& box, double char_height) {
  CV_Assert(row_gray.type() == CV_8UC1 && char_height > 0);
  const cv::Size2f window(static_cast<float>(kWindowWidth * char_height),
                          static_cast<float>(kWindowHeight * char_height));
  const cv::Point2f centre(static_cast<float>(box.x + box.width / 2.0), static_cast<float>(row_gray.rows / 2.0));
  // Scale about the window's centre straight into the patch (border pixels replicated), in one warp.
  const double sx = kCharPatchWidth / window.width, sy = kCharPatchHeight / window.height;
  const cv::Matx23d to_patch(sx, 0, kCharPatchWidth / 2.0 - sx * centre.x, 0, sy, kCharPatchHeight / 2.0 - sy * centre.y);
  cv::Mat patch;
  cv::warpAffine(row_gray, patch, to_patch, cv::Size(kCharPatchWidth, kCharPatchHeight), cv::INTER_AREA,
                 cv::BORDER_REPLICATE);
  cv::normalize(patch, patch, 0, 255, cv::NORM_MINMAX);
  return patch;
}

struct CharClassifier::Impl {
  cv::dnn::Net net;
};

CharClassifier::CharClassifier(const std::string& model_path) : impl_(std::make_unique<Impl>()) {
  impl_->net = load_onnx_network(model_path, "character classifier");
}

CharClassifier::~CharClassifier() = default;

std::vector<CharChoice> CharClassifier::classify(const cv::Mat& row_gray, const std::vector<cv::Rect>& boxes,
                                                 double char_height, float min_probability) {
  std::vector<CharChoice> out;
  if (boxes.empty()) return out;
  std::vector<cv::Mat> patches;
  for (const cv::Rect& box : boxes) patches.push_back(character_patch(row_gray, box, char_height));
  const cv::Mat blob = cv::dnn::blobFromImages(patches, 1.0 / 255.0);
  impl_->net.setInput(blob);
  const cv::Mat logits = impl_->net.forward().reshape(1, static_cast<int>(boxes.size()));
  CV_Assert(logits.cols == kCharClassCount);

  for (int i = 0; i < logits.rows; ++i) {
    // Softmax, shifted by the largest logit for numerical safety.
    const float* z = logits.ptr<float>(i);
    const float top = *std::max_element(z, z + kCharClassCount);
    std::vector<float> p(kCharClassCount);
    float sum = 0.0F;
    for (int k = 0; k < kCharClassCount; ++k) sum += p[static_cast<std::size_t>(k)] = std::exp(z[k] - top);
    CharChoice choice;
    choice.box = boxes[static_cast<std::size_t>(i)];
    for (int k = 0; k < kCharClassCount; ++k) choice.options.push_back({kCharClasses[k], p[static_cast<std::size_t>(k)] / sum});
    std::sort(choice.options.begin(), choice.options.end(),
              [](const CharChoice::Option& a, const CharChoice::Option& b) { return a.probability > b.probability; });
    // The best class always stays, however unsure.
    const auto unlikely = std::find_if(choice.options.begin() + 1, choice.options.end(),
                                       [&](const CharChoice::Option& o) { return o.probability < min_probability; });
    choice.options.erase(unlikely, choice.options.end());
    out.push_back(std::move(choice));
  }
  return out;
}

std::string default_char_model() { return find_model_file("plate-chars.onnx"); }

std::unique_ptr<CharClassifier> make_char_classifier(const std::string& setting) {
  if (setting == "none") return nullptr;
  const std::string path = setting.empty() ? default_char_model() : setting;
  if (path.empty()) return nullptr;
  return std::make_unique<CharClassifier>(path);
}

}  // namespace anpr::edge
