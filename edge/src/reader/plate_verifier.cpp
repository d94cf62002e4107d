#include "anpr/edge/reader/plate_verifier.hpp"

#include <cmath>

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "anpr/common/error.hpp"
#include "anpr/edge/reader/ocr_engine.hpp"
#include "onnx_network.hpp"

namespace anpr::edge {
namespace {

// The margin around the box, in box widths and heights: enough to show a plate's edge and the
// bumper or sign panel around it.
constexpr double kMarginX = 0.15;
constexpr double kMarginY = 0.35;

}  // namespace

cv::Mat plate_patch(const cv::Mat& gray, const cv::Rect& box) {
  CV_Assert(gray.type() == CV_8UC1 && box.width > 0 && box.height > 0);
  const double x0 = box.x - kMarginX * box.width, y0 = box.y - kMarginY * box.height;
  const double sx = kPlatePatchWidth / (box.width * (1 + 2 * kMarginX));
  const double sy = kPlatePatchHeight / (box.height * (1 + 2 * kMarginY));
  const cv::Matx23d to_patch(sx, 0, -sx * x0, 0, sy, -sy * y0);
  return network_patch(gray, to_patch, cv::Size(kPlatePatchWidth, kPlatePatchHeight));
}

struct PlateVerifier::Impl {
  cv::dnn::Net net;
};

PlateVerifier::PlateVerifier(const std::string& model_path) : impl_(std::make_unique<Impl>()) {
  impl_->net = load_onnx_network(model_path, "plate verifier");
}

PlateVerifier::~PlateVerifier() = default;

double PlateVerifier::plate_probability(const cv::Mat& patch) { return plate_probabilities({patch}).front(); }

std::vector<double> PlateVerifier::plate_probabilities(const std::vector<cv::Mat>& patches) {
  std::vector<double> probabilities;
  if (patches.empty()) return probabilities;
  for (const cv::Mat& patch : patches) {
    CV_Assert(patch.type() == CV_8UC1 && patch.cols == kPlatePatchWidth && patch.rows == kPlatePatchHeight);
  }
  impl_->net.setInput(cv::dnn::blobFromImages(patches, 1.0 / 255.0));
  const cv::Mat out = impl_->net.forward();
  CV_Assert(out.total() == patches.size() && out.type() == CV_32F);
  probabilities.reserve(patches.size());
  const auto* logits = out.ptr<float>();
  for (std::size_t i = 0; i < patches.size(); ++i) {
    probabilities.push_back(1.0 /
                            (1.0 + std::exp(-static_cast<double>(logits[i]))));  // the network gives logits
  }
  return probabilities;
}

std::string default_verifier_model() { return find_model_file("plate-verifier.onnx"); }

std::unique_ptr<PlateVerifier> make_plate_verifier(const std::string& setting) {
  return make_network<PlateVerifier>(setting, "plate-verifier.onnx");
}

}  // namespace anpr::edge
