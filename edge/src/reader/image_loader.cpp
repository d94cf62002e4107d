#include "anpr/edge/reader/image_loader.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>

#include "anpr/edge/reader/image_codec.hpp"

namespace anpr::edge {
namespace {

namespace fs = std::filesystem;

// Reads the width and height from a PNG or baseline/progressive JPEG header, so that a small file
// claiming a gigantic size is refused before anything is decoded.
bool header_size(const std::vector<std::uint8_t>& d, std::int64_t& w, std::int64_t& h) {
  if (d.size() >= 24 && d[0] == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G') {
    w = (std::int64_t{d[16]} << 24) | (d[17] << 16) | (d[18] << 8) | d[19];
    h = (std::int64_t{d[20]} << 24) | (d[21] << 16) | (d[22] << 8) | d[23];
    return true;
  }
  if (d.size() >= 4 && d[0] == 0xFF && d[1] == 0xD8) {
    std::size_t i = 2;
    while (i + 9 < d.size()) {
      if (d[i] != 0xFF) {
        ++i;
        continue;
      }
      const std::uint8_t marker = d[i + 1];
      const std::size_t len = (static_cast<std::size_t>(d[i + 2]) << 8) | d[i + 3];
      const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        h = (d[i + 5] << 8) | d[i + 6];
        w = (d[i + 7] << 8) | d[i + 8];
        return true;
      }
      i += 2 + len;
    }
  }
  return false;
}

}  // namespace

LoadedImage load_image(const std::string& path, const ImageLimits& limits) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {{}, "file not found"};
  if (!fs::is_regular_file(path, ec)) return {{}, "not a regular file"};
  const auto size = fs::file_size(path, ec);
  if (ec) return {{}, "cannot read the file size: " + ec.message()};
  if (size == 0) return {{}, "the file is empty"};
  if (size > limits.max_file_bytes) {
    return {{},
            "the file is " + std::to_string(size) + " bytes; the limit is " +
                std::to_string(limits.max_file_bytes)};
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> data(size);
  if (!in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(size))) {
    return {{}, "cannot read the file"};
  }
  std::int64_t w = 0, h = 0;
  if (header_size(data, w, h)) {
    if (auto error = pixel_limit_error(w, h, limits.max_pixels); !error.empty()) return {{}, error};
  }
  // decode_image checks the size again from the header its decoder reads, before taking memory.
  DecodedImage decoded = decode_image(data, limits.max_pixels);
  return {std::move(decoded.image), std::move(decoded.error)};
}

}  // namespace anpr::edge
