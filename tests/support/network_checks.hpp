#pragma once
// What each of the reader's networks (character classifier, plate verifier) must do: cut input
// patches the way it was trained on, and refuse a model file it cannot use.

#include <catch2/catch.hpp>

#include <fstream>

#include <opencv2/core.hpp>

#include "anpr/common/error.hpp"
#include "support/temp_dir.hpp"

namespace anpr::test {

/// Checks that `patch` is a network input of `size`: 8-bit grey, stretched to the full 0..255 range.
inline void check_network_patch(const cv::Mat& patch, cv::Size size) {
  REQUIRE(patch.type() == CV_8UC1);
  CHECK(patch.cols == size.width);
  CHECK(patch.rows == size.height);
  double lo = 0, hi = 0;
  cv::minMaxLoc(patch, &lo, &hi);
  CHECK(lo == 0);
  CHECK(hi == 255);
}

/// Checks that a `Network` made from a missing file throws anpr::Error with kModel, and one made
/// from a file that is not a network throws anpr::Error.
template <class Network>
void check_unusable_model_files_rejected() {
  TempDir dir;
  CHECK_THROWS_MATCHES(Network((dir.path() / "absent.onnx").string()), Error,
                       Catch::Predicate<Error>([](const Error& e) { return e.code() == ErrorCode::kModel; }));
  const auto broken = dir.path() / "broken.onnx";
  std::ofstream(broken) << "not a network";
  CHECK_THROWS_AS(Network(broken.string()), Error);
}

}  // namespace anpr::test
