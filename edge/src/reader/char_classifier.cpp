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
  const cv::Point2f centre(static_cast<float>(box.x + box.width / 2.0),
                           static_cast<float>(row_gray.rows / 2.0));
  // Scale about the window's centre straight into the patch (border pixels replicated), in one warp.
  const double sx = kCharPatchWidth / window.width, sy = kCharPatchHeight / window.height;
  const cv::Matx23d to_patch(sx, 0, kCharPatchWidth / 2.0 - sx * centre.x, 0, sy,
                             kCharPatchHeight / 2.0 - sy * centre.y);
  return network_patch(row_gray, to_patch, cv::Size(kCharPatchWidth, kCharPatchHeight));
}

struct CharClassifier::Impl {
  std::vector<cv::dnn::Net> nets;  // an ensemble: their class probabilities are averaged
};

CharClassifier::CharClassifier(const std::string& model_paths) : impl_(std::make_unique<Impl>()) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = model_paths.find(',', start);
    impl_->nets.push_back(
        load_onnx_network(model_paths.substr(start, comma - start), "character classifier"));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

CharClassifier::~CharClassifier() = default;

std::vector<CharChoice> CharClassifier::classify(const cv::Mat& row_gray, const std::vector<cv::Rect>& boxes,
                                                 double char_height, float min_probability) {
  std::vector<CharChoice> out;
  if (boxes.empty()) return out;
  std::vector<cv::Mat> patches;
  for (const cv::Rect& box : boxes) patches.push_back(character_patch(row_gray, box, char_height));
  const cv::Mat blob = cv::dnn::blobFromImages(patches, 1.0 / 255.0);
  // Class probabilities per box, averaged over the networks.
  cv::Mat probabilities = cv::Mat::zeros(static_cast<int>(boxes.size()), kCharClassCount, CV_32F);
  for (cv::dnn::Net& net : impl_->nets) {
    net.setInput(blob);
    const cv::Mat logits = net.forward().reshape(1, static_cast<int>(boxes.size()));
    CV_Assert(logits.cols == kCharClassCount);
    for (int i = 0; i < logits.rows; ++i) {
      // Softmax, shifted by the largest logit for numerical safety.
      const float* z = logits.ptr<float>(i);
      const float top = *std::max_element(z, z + kCharClassCount);
      float* p = probabilities.ptr<float>(i);
      float sum = 0.0F;
      std::vector<float> e(kCharClassCount);
      for (int k = 0; k < kCharClassCount; ++k) sum += e[static_cast<std::size_t>(k)] = std::exp(z[k] - top);
      for (int k = 0; k < kCharClassCount; ++k)
        p[k] += e[static_cast<std::size_t>(k)] / sum / static_cast<float>(impl_->nets.size());
    }
  }

  for (int i = 0; i < probabilities.rows; ++i) {
    const float* p = probabilities.ptr<float>(i);
    CharChoice choice;
    choice.box = boxes[static_cast<std::size_t>(i)];
    for (int k = 0; k < kCharClassCount; ++k) choice.options.push_back({kCharClasses[k], p[k]});
    std::sort(choice.options.begin(), choice.options.end(),
              [](const CharChoice::Option& a, const CharChoice::Option& b) {
                return a.probability > b.probability;
              });
    // The best class always stays, however unsure.
    const auto unlikely =
        std::find_if(choice.options.begin() + 1, choice.options.end(),
                     [&](const CharChoice::Option& o) { return o.probability < min_probability; });
    choice.options.erase(unlikely, choice.options.end());
    out.push_back(std::move(choice));
  }
  return out;
}

std::string default_char_model() { return find_model_file("plate-chars.onnx"); }

std::unique_ptr<CharClassifier> make_char_classifier(const std::string& setting) {
  return make_network<CharClassifier>(setting, "plate-chars.onnx");
}

}  // namespace anpr::edge
