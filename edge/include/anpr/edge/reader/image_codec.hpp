#pragma once
/// @file
/// JPEG and PNG to and from `cv::Mat` through TurboJPEG and libpng, so that the firmware does not
/// link OpenCV's image codecs module and the libraries it loads (GDAL, GDCM, OpenEXR: about 30 MB resident,
/// docs/performance.md, issue 21). Pixels come out as OpenCV's `imdecode`/`imencode` give them.

#include <cstdint>
#include <span>
#include <string>

#include <opencv2/core.hpp>

#include "anpr/common/encoding.hpp"

namespace anpr::edge {

/// A decoded image, or why there is none (empty `image` then).
struct DecodedImage {
  cv::Mat image;      ///< 8-bit BGR (CV_8UC3)
  std::string error;  ///< e.g. "not a JPEG or PNG image", "the JPEG cannot be decoded: ..."
};

/// An encoded image, or why encoding failed (empty `bytes` then).
struct EncodedImage {
  Bytes bytes;
  std::string error;
};

/// Why an image of `width` x `height` is refused ("the image is WxH pixels; the limit is N
/// megapixels"), or an empty string when it is within `max_pixels`.
[[nodiscard]] std::string pixel_limit_error(std::int64_t width, std::int64_t height, std::int64_t max_pixels);

/// Decodes a JPEG or PNG held in memory into 8-bit BGR, as `cv::imdecode(bytes, cv::IMREAD_COLOR)`
/// does: grey, palette, 16-bit and alpha PNGs become 8-bit BGR (alpha dropped, 16 bits cut to
/// the high 8), CMYK JPEGs are converted, and the Exif orientation (a JPEG's APP1, a PNG's eXIf) is applied.
/// As with imdecode, a JPEG whose scan data is damaged still decodes (libjpeg recovers, with a warning).
/// Unlike imdecode, a JPEG cut short (no end marker) is refused, as are damaged headers, other
/// formats and images over `max_pixels` (width x height, checked before any pixel memory is
/// taken). Safe on any bytes.
[[nodiscard]] DecodedImage decode_image(std::span<const std::uint8_t> bytes, std::int64_t max_pixels);

/// Encodes an 8-bit BGR or grey image as a baseline JPEG at `quality` (1-100; clamped), 4:2:0
/// for colour, with the same bytes as `cv::imencode(".jpg", image, {IMWRITE_JPEG_QUALITY, q})`.
[[nodiscard]] EncodedImage encode_jpeg(const cv::Mat& image, int quality);

/// Encodes an 8-bit BGR or grey image as a PNG, with `cv::imencode(".png", image)`'s settings
/// (fast: SUB filter, zlib level 1, RLE strategy).
[[nodiscard]] EncodedImage encode_png(const cv::Mat& image);

/// Writes `image` (8-bit BGR or grey) as a JPEG at quality 95 (.jpg, .jpeg) or a PNG (.png), chosen
/// by the extension of `path` in any case; throws anpr::Error (kInput for another extension or
/// image type, kIo when the file cannot be written).
void write_image(const std::string& path, const cv::Mat& image);

}  // namespace anpr::edge
