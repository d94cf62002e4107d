#pragma once
// Loading the reader's small ONNX networks (character classifier, plate verifier) through
// OpenCV's dnn module, with the errors a person can act on. Private to edge/src/reader/.

#include <filesystem>
#include <string>

#include <opencv2/dnn.hpp>

#include "anpr/common/error.hpp"

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

}  // namespace anpr::edge
