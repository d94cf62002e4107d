// JPEG through TurboJPEG (same libjpeg-turbo, same default IDCT and upsampling as OpenCV's
// decoder, so the same pixels), PNG through libpng (png_codec.cpp), and the Exif orientation that
// cv::imdecode applies to both.
#include "anpr/edge/reader/image_codec.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <turbojpeg.h>

#include "anpr/common/error.hpp"
#include "png_codec.hpp"

namespace anpr::edge {
namespace {

struct TjDestroy {
  void operator()(void* handle) const noexcept { tjDestroy(handle); }
};
using TjHandle = std::unique_ptr<void, TjDestroy>;

struct TjFree {
  void operator()(unsigned char* buffer) const noexcept { tjFree(buffer); }
};

constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

/// Where libjpeg finds things in a JPEG's header.
struct JpegLayout {
  std::span<const std::uint8_t> app1;  ///< the first APP1 segment's data (Exif), as OpenCV takes it
  std::size_t first_scan = 2;          ///< where the first SOS marker starts
};

JpegLayout jpeg_layout(std::span<const std::uint8_t> d) {
  JpegLayout layout;
  std::size_t i = 2;  // after SOI
  while (i + 4 <= d.size()) {
    if (d[i] != 0xFF || d[i + 1] == 0xFF) {  // stray bytes (libjpeg skips them too), fill bytes
      ++i;
      continue;
    }
    const std::uint8_t marker = d[i + 1];
    if (marker == 0xDA) {
      layout.first_scan = i;
      break;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD9)) {  // markers without a length
      i += 2;
      continue;
    }
    const std::size_t length = (std::size_t{d[i + 2]} << 8) | d[i + 3];
    if (length < 2 || length > d.size() - i - 2) break;
    if (marker == 0xE1 && layout.app1.empty()) layout.app1 = d.subspan(i + 4, length - 2);
    i += 2 + length;
  }
  return layout;
}

/// Whether an EOI marker follows the first scan. It cannot occur inside scan data (where 0xFF is
/// always followed by 0x00 or a restart marker), so without one the file was cut short.
bool has_end(std::span<const std::uint8_t> d, std::size_t first_scan) {
  for (std::size_t i = first_scan; i + 1 < d.size(); ++i) {
    if (d[i] == 0xFF && d[i + 1] == 0xD9) return true;
  }
  return false;
}

/// The Orientation (tag 0x0112) in Exif data's first IFD, read as OpenCV 4.6's ExifReader does:
/// the first such entry's 16-bit value whatever its type. 1 (as stored) when there is none or the
/// data is cut short. `tiff` starts at the TIFF header (after "Exif\0\0" in a JPEG's APP1).
int exif_orientation(std::span<const std::uint8_t> tiff) {
  const bool intel = tiff.size() >= 2 && tiff[0] == 'I' && tiff[1] == 'I';
  const bool motorola = tiff.size() >= 2 && tiff[0] == 'M' && tiff[1] == 'M';
  if (!intel && !motorola) return 1;
  const auto read = [&](std::uint64_t at, int bytes) -> std::optional<std::uint32_t> {
    if (at + static_cast<std::uint64_t>(bytes) > tiff.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int k = 0; k < bytes; ++k) {
      const std::uint32_t byte = tiff[at + static_cast<std::uint64_t>(intel ? bytes - 1 - k : k)];
      v = (v << 8) | byte;
    }
    return v;
  };
  if (read(2, 2) != 42u) return 1;
  const auto ifd = read(4, 4);
  const auto entries = ifd ? read(*ifd, 2) : std::nullopt;
  if (!entries) return 1;
  for (std::uint32_t k = 0; k < *entries; ++k) {
    const std::uint64_t entry = *ifd + 2 + 12ull * k;
    const auto tag = read(entry, 2);
    if (!tag) return 1;
    if (*tag == 0x0112) return static_cast<int>(read(entry + 8, 2).value_or(1));
  }
  return 1;
}

/// OpenCV's ExifTransform: turns the stored image the way the camera was held. Values other than
/// 2-8 leave it as stored.
void apply_orientation(int orientation, cv::Mat& image) {
  if (orientation >= 5 && orientation <= 8) cv::transpose(image, image);
  switch (orientation) {
    case 2:  // mirrored
    case 6:  // turned right
      cv::flip(image, image, 1);
      break;
    case 3:  // upside down
    case 7:
      cv::flip(image, image, -1);
      break;
    case 4:
    case 8:  // turned left
      cv::flip(image, image, 0);
      break;
    default:
      break;
  }
}

/// OpenCV's icvCvt_CMYK2BGR_8u_C4C3R (Adobe's inverted CMYK, as libjpeg returns it).
cv::Mat cmyk_to_bgr(const cv::Mat& cmyk) {
  cv::Mat bgr(cmyk.size(), CV_8UC3);
  for (int y = 0; y < cmyk.rows; ++y) {
    const auto* in = cmyk.ptr<cv::Vec4b>(y);
    auto* out = bgr.ptr<cv::Vec3b>(y);
    for (int x = 0; x < cmyk.cols; ++x) {
      const int k = in[x][3];
      const auto ink = [k](int c) { return static_cast<std::uint8_t>(k - ((255 - c) * k >> 8)); };
      out[x] = {ink(in[x][2]), ink(in[x][1]), ink(in[x][0])};
    }
  }
  return bgr;
}

DecodedImage decode_jpeg(std::span<const std::uint8_t> bytes, std::int64_t max_pixels) {
  const TjHandle tj(tjInitDecompress());
  if (!tj) return {{}, "cannot start the JPEG decoder"};
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  // TurboJPEG 2.x also returns -1 after a warning and for a chroma subsampling it has no name for
  // (OpenCV decodes those); width and height are set only once libjpeg has read the header.
  tjDecompressHeader3(tj.get(), bytes.data(), bytes.size(), &width, &height, &subsampling, &colorspace);
  if (width <= 0 || height <= 0)
    return {{}, std::string("the JPEG cannot be decoded: ") + tjGetErrorStr2(tj.get())};
  if (auto error = pixel_limit_error(width, height, max_pixels); !error.empty()) return {{}, error};

  const JpegLayout layout = jpeg_layout(bytes);
  // libjpeg would fill in what is missing in grey and OpenCV (whose reader suspends) repeats the
  // last row it got: neither is the picture, and the two cannot agree, so a file cut short is refused.
  if (!has_end(bytes, layout.first_scan)) return {{}, "the JPEG is cut short (no end-of-image marker)"};

  const bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
  // Zeroed: should libjpeg give up after a warning, the rows it never wrote are black, not old memory.
  cv::Mat decoded = cv::Mat::zeros(height, width, cmyk ? CV_8UC4 : CV_8UC3);
  // A warning (damaged scan data, which libjpeg recovers from as it did under OpenCV) keeps the
  // image, as in OpenCV. LIMITSCANS refuses a progressive JPEG of over 500 scans (hostile: CPU).
  if (tjDecompress2(tj.get(), bytes.data(), bytes.size(), decoded.data, width,
                    static_cast<int>(decoded.step[0]), height, cmyk ? TJPF_CMYK : TJPF_BGR,
                    TJFLAG_LIMITSCANS) != 0 &&
      tjGetErrorCode(tj.get()) != TJERR_WARNING) {
    return {{}, std::string("the JPEG cannot be decoded: ") + tjGetErrorStr2(tj.get())};
  }
  cv::Mat image = cmyk ? cmyk_to_bgr(decoded) : decoded;
  // OpenCV takes the TIFF header 6 bytes into the first APP1 ("Exif\0\0", which it does not check).
  if (layout.app1.size() > 6) apply_orientation(exif_orientation(layout.app1.subspan(6)), image);
  return {image, {}};
}

DecodedImage decode_png(std::span<const std::uint8_t> bytes, std::int64_t max_pixels) {
  Bytes exif;
  DecodedImage decoded = png::decode(bytes, max_pixels, exif);
  if (!decoded.image.empty()) apply_orientation(exif_orientation(exif), decoded.image);
  return decoded;
}

}  // namespace

std::string pixel_limit_error(std::int64_t width, std::int64_t height, std::int64_t max_pixels) {
  // As a division, so that two 32-bit sides from a hostile header cannot overflow the product.
  if (width <= 0 || height <= 0 || width <= max_pixels / height) return {};
  return "the image is " + std::to_string(width) + "x" + std::to_string(height) + " pixels; the limit is " +
         std::to_string(max_pixels / 1'000'000) + " megapixels";
}

DecodedImage decode_image(std::span<const std::uint8_t> bytes, std::int64_t max_pixels) {
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
    return decode_jpeg(bytes, max_pixels);
  if (bytes.size() >= sizeof kPngSignature &&
      std::memcmp(bytes.data(), kPngSignature, sizeof kPngSignature) == 0)
    return decode_png(bytes, max_pixels);
  return {{}, "not a decodable JPEG or PNG image (damaged or another format)"};
}

EncodedImage encode_jpeg(const cv::Mat& image, int quality) {
  if (image.empty() || (image.type() != CV_8UC3 && image.type() != CV_8UC1))
    return {{}, "only a non-empty 8-bit BGR or grey image can be encoded"};
  const TjHandle tj(tjInitCompress());
  if (!tj) return {{}, "cannot start the JPEG encoder"};
  const bool grey = image.channels() == 1;
  unsigned char* buffer = nullptr;
  unsigned long size = 0;  // TurboJPEG's type
  // ACCURATEDCT: TurboJPEG would take the fast integer DCT below quality 96; OpenCV (libjpeg's
  // default) always uses the accurate one.
  const int rc = tjCompress2(tj.get(), image.data, image.cols, static_cast<int>(image.step[0]), image.rows,
                             grey ? TJPF_GRAY : TJPF_BGR, &buffer, &size, grey ? TJSAMP_GRAY : TJSAMP_420,
                             std::clamp(quality, 1, 100), TJFLAG_ACCURATEDCT);
  const std::unique_ptr<unsigned char, TjFree> owned(buffer);
  if (rc != 0) return {{}, std::string("the JPEG cannot be encoded: ") + tjGetErrorStr2(tj.get())};
  return {Bytes(buffer, buffer + size), {}};
}

EncodedImage encode_png(const cv::Mat& image) {
  if (image.empty() || (image.type() != CV_8UC3 && image.type() != CV_8UC1))
    return {{}, "only a non-empty 8-bit BGR or grey image can be encoded"};
  return png::encode(image);
}

void write_image(const std::string& path, const cv::Mat& image) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  EncodedImage encoded;
  if (extension == ".jpg" || extension == ".jpeg")
    encoded = encode_jpeg(image, 95);  // cv::imwrite's default quality
  else if (extension == ".png")
    encoded = encode_png(image);
  else
    throw Error(ErrorCode::kInput, "cannot write " + path + ": give a .jpg, .jpeg or .png file name");
  if (!encoded.error.empty()) throw Error(ErrorCode::kInput, "cannot write " + path + ": " + encoded.error);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(encoded.bytes.data()),
            static_cast<std::streamsize>(encoded.bytes.size()));
  if (!out.flush()) throw Error(ErrorCode::kIo, "cannot write " + path);
}

}  // namespace anpr::edge
