#pragma once
// What the reader's small ONNX networks (character classifier, plate verifier) share: loading
// through OpenCV's dnn module with the errors a person can act on, the setting that picks the
// model file, and the cutting of input patches. Private to edge/src/reader/.

#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "anpr/common/error.hpp"
#include "anpr/edge/reader/ocr_engine.hpp"

namespace anpr::edge {

/// The network in `path`, on OpenCV's own CPU back end; throws anpr::Error (kModel) naming
/// `what` when the file is missing, not a network, or empty.
inline cv::dnn::Net load_onnx_network(const std::string& path, const std::string& what) {
  if (!std::filesystem::exists(path)) throw Error(ErrorCode::kModel, what + " " + path + " not found");
  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromONNX(path);
  } catch (const cv::Exception& e) {
    throw Error(ErrorCode::kModel, what + " " + path + " is not a usable ONNX network: " + e.what());
  }
  if (net.empty()) throw Error(ErrorCode::kModel, what + " " + path + " is empty");
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  return net;
}

/// A network's input patch of `size`, cut from `gray` by the affine map `to_patch` (border pixels
/// replicated) and stretched to the full 0..255 range, as the training patches are.
inline cv::Mat network_patch(const cv::Mat& gray, const cv::Matx23d& to_patch, cv::Size size) {
  cv::Mat patch;
  cv::warpAffine(gray, patch, to_patch, size, cv::INTER_AREA, cv::BORDER_REPLICATE);
  cv::normalize(patch, patch, 0, 255, cv::NORM_MINMAX);
  return patch;
}

/// The network a reader setting asks for, loaded by `Network`'s constructor from a file: the file
/// the setting names; for an empty setting, `default_file` where find_model_file() finds it. Null
/// for "none" and when there is no default (the reader then goes without that network).
template <class Network>
std::unique_ptr<Network> make_network(const std::string& setting, const std::string& default_file) {
  if (setting == "none") return nullptr;
  const std::string path = setting.empty() ? find_model_file(default_file) : setting;
  if (path.empty()) return nullptr;
  return std::make_unique<Network>(path);
}

}  // namespace anpr::edge
