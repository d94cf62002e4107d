#pragma once
// libpng behind image_codec.hpp's PNG half (internal to anpr_edge).

#include <cstdint>
#include <span>

#include "anpr/edge/reader/image_codec.hpp"

namespace anpr::edge::png {

/// A PNG to 8-bit BGR with OpenCV's PngDecoder transformations for IMREAD_COLOR; `exif` gets the
/// eXIf chunk ahead of the image data (TIFF header and IFDs), where OpenCV finds an orientation.
[[nodiscard]] DecodedImage decode(std::span<const std::uint8_t> bytes, std::int64_t max_pixels, Bytes& exif);

/// An 8-bit BGR or grey image (checked by the caller) to PNG with OpenCV's PngEncoder settings.
[[nodiscard]] EncodedImage encode(const cv::Mat& image);

}  // namespace anpr::edge::png
