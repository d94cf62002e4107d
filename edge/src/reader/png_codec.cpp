// PNG through libpng. libpng reports an error by longjmp to the setjmp in the function that called
// it, skipping every frame in between without running destructors. So the three functions that
// call setjmp (read_header, read_rows, write_png) hold only pointers and numbers, the callbacks
// libpng calls hold nothing with a destructor when they raise an error, and everything that has
// one (the cv::Mat, the row pointers, the output bytes, the libpng structs' owner) lives in the
// callers, whose frames the jump never crosses.
#include "png_codec.hpp"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <png.h>
#include <zlib.h>

namespace anpr::edge::png {
namespace {

constexpr png_uint_32 kMaxSide = 1'000'000;

/// What the callbacks share with the caller: the input or the output, and the first error.
struct PngIo {
  std::span<const std::uint8_t> in;
  std::size_t in_pos = 0;
  Bytes* out = nullptr;
  char error[200] = {};
};

void on_error(png_structp png, png_const_charp message) {
  auto* io = static_cast<PngIo*>(png_get_error_ptr(png));
  if (io->error[0] == '\0') std::snprintf(io->error, sizeof io->error, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp /*png*/, png_const_charp /*message*/) {
  // Warnings are about ancillary chunks (bad CRC, unknown sRGB profile); no pixel changes.
}

void read_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* io = static_cast<PngIo*>(png_get_io_ptr(png));
  if (length > io->in.size() - io->in_pos) png_error(png, "the PNG ends early (cut short)");
  std::memcpy(data, io->in.data() + io->in_pos, length);
  io->in_pos += length;
}

void write_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* io = static_cast<PngIo*>(png_get_io_ptr(png));
  bool failed = false;
  try {
    io->out->insert(io->out->end(), data, data + length);
  } catch (const std::bad_alloc&) {  // an exception must not cross libpng's C frames
    failed = true;
  }
  if (failed) png_error(png, "out of memory");
}

void flush_nothing(png_structp /*png*/) {}

/// Owns libpng's read or write struct and its info struct.
class PngStructs {
 public:
  PngStructs(PngIo* io, bool write)
      : write_(write),
        png_(write ? png_create_write_struct(PNG_LIBPNG_VER_STRING, io, on_error, on_warning)
                   : png_create_read_struct(PNG_LIBPNG_VER_STRING, io, on_error, on_warning)),
        info_(png_ != nullptr ? png_create_info_struct(png_) : nullptr) {}
  ~PngStructs() {
    if (write_)
      png_destroy_write_struct(&png_, &info_);
    else
      png_destroy_read_struct(&png_, &info_, nullptr);
  }
  PngStructs(const PngStructs&) = delete;
  PngStructs& operator=(const PngStructs&) = delete;

  [[nodiscard]] bool ok() const { return png_ != nullptr && info_ != nullptr; }
  [[nodiscard]] png_structp png() const { return png_; }
  [[nodiscard]] png_infop info() const { return info_; }

 private:
  bool write_;
  png_structp png_;
  png_infop info_;
};

struct PngHeader {
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  png_bytep exif = nullptr;  ///< owned by the info struct
  png_uint_32 exif_size = 0;
};

bool read_header(png_structp png, png_infop info, PngHeader* header) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_read_info(png, info);
  png_get_IHDR(png, info, &header->width, &header->height, &header->bit_depth, &header->color_type, nullptr,
               nullptr, nullptr);
  if (png_get_eXIf_1(png, info, &header->exif_size, &header->exif) == 0) header->exif_size = 0;
  return true;
}

/// The transformations of OpenCV 4.6 PngDecoder::readData for an 8-bit, 3-channel image, so the
/// pixels are the same: 16 bits cut to 8, alpha dropped (not blended), palette and grey expanded.
bool read_rows(png_structp png, png_infop info, const PngHeader* header, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  if (header->bit_depth == 16) png_set_strip_16(png);
  png_set_strip_alpha(png);
  if (header->color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if ((header->color_type & PNG_COLOR_MASK_COLOR) == 0 && header->bit_depth < 8)
    png_set_expand_gray_1_2_4_to_8(png);
  if ((header->color_type & PNG_COLOR_MASK_COLOR) != 0)
    png_set_bgr(png);
  else
    png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  // The rows hold exactly width x 3 bytes; any other layout would write past them.
  if (png_get_rowbytes(png, info) != png_size_t{header->width} * 3)
    png_error(png, "unexpected PNG row layout");
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

/// OpenCV 4.6 PngEncoder::write without parameters: tuned for speed, not size.
bool write_png(png_structp png, png_infop info, int width, int height, int channels, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
  png_set_compression_level(png, Z_BEST_SPEED);
  png_set_compression_strategy(png, Z_RLE);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_set_bgr(png);
  png_write_image(png, rows);
  png_write_end(png, info);
  return true;
}

}  // namespace

DecodedImage decode(std::span<const std::uint8_t> bytes, std::int64_t max_pixels, Bytes& exif) {
  PngIo io;
  io.in = bytes;
  const PngStructs s(&io, false);
  if (!s.ok()) return {{}, "out of memory for the PNG decoder"};
  png_set_read_fn(s.png(), &io, read_bytes);
  png_set_user_limits(s.png(), kMaxSide, kMaxSide);  // libpng's default, made explicit: sides fit an int
  PngHeader header;
  if (!read_header(s.png(), s.info(), &header))
    return {{}, std::string("the PNG cannot be decoded: ") + io.error};
  if (auto error = pixel_limit_error(header.width, header.height, max_pixels); !error.empty())
    return {{}, error};

  cv::Mat image(static_cast<int>(header.height), static_cast<int>(header.width), CV_8UC3);
  std::vector<png_bytep> rows(header.height);
  for (int y = 0; y < image.rows; ++y) rows[static_cast<std::size_t>(y)] = image.ptr(y);
  if (!read_rows(s.png(), s.info(), &header, rows.data()))
    return {{}, std::string("the PNG cannot be decoded: ") + io.error};
  if (header.exif_size > 0) exif.assign(header.exif, header.exif + header.exif_size);
  return {image, {}};
}

EncodedImage encode(const cv::Mat& image) {
  Bytes out;
  PngIo io;
  io.out = &out;
  const PngStructs s(&io, true);
  if (!s.ok()) return {{}, "out of memory for the PNG encoder"};
  png_set_write_fn(s.png(), &io, write_bytes, flush_nothing);
  std::vector<png_bytep> rows(static_cast<std::size_t>(image.rows));
  // libpng copies each row before transforming it, so the const image is only read.
  for (int y = 0; y < image.rows; ++y)
    rows[static_cast<std::size_t>(y)] = const_cast<png_bytep>(image.ptr(y));
  if (!write_png(s.png(), s.info(), image.cols, image.rows, image.channels(), rows.data()))
    return {{}, std::string("the PNG cannot be encoded: ") + io.error};
  return {std::move(out), {}};
}

}  // namespace anpr::edge::png
