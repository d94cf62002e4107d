#pragma once
/// @file
/// What a video frame is expected to show where a pass is already settled: the reader spends
/// less on a plate that reads as expected (PlateReader::read).

#include <string>

#include <opencv2/core.hpp>

namespace anpr::edge {

/// A settled pass's plate: where it is predicted to be and the text its readings were voted to.
struct ExpectedPlate {
  cv::Rect box;  ///< in the pixels of the image it is expected in
  std::string text;
};

}  // namespace anpr::edge
