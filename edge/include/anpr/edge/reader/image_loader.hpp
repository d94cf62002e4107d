#pragma once
/// @file
/// Loads still images for `recognize` and `eval` with bounded size and a specific error.

#include <string>

#include <opencv2/core.hpp>

namespace anpr::edge {

struct ImageLimits {
  std::size_t max_file_bytes = 64u * 1024u * 1024u;
  std::int64_t max_pixels = 50'000'000;  ///< 50 megapixels
};

/// An image, or why it could not be loaded (empty `image` then).
struct LoadedImage {
  cv::Mat image;      ///< 8-bit BGR
  std::string error;  ///< e.g. "file not found", "not a decodable JPEG or PNG image"
};

[[nodiscard]] LoadedImage load_image(const std::string& path, const ImageLimits& limits = {});

}  // namespace anpr::edge
