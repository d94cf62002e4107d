#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "../support/temp_dir.hpp"
#include "anpr/edge/reader/image_loader.hpp"

using namespace anpr::edge;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  const fs::path dir = anpr::test::scratch_dir() / ("anpr-loader-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

void write_bytes(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("a JPEG and a PNG load", "[image_loader]") {
  const auto dir = temp_dir();
  const cv::Mat img(48, 64, CV_8UC3, cv::Scalar(10, 200, 30));
  cv::imwrite((dir / "a.jpg").string(), img);
  cv::imwrite((dir / "a.png").string(), img);
  for (const char* name : {"a.jpg", "a.png"}) {
    const auto loaded = load_image((dir / name).string());
    CHECK(loaded.error.empty());
    CHECK(loaded.image.size() == img.size());
  }
}

TEST_CASE("bad image files give a specific error and no image", "[image_loader][rejects]") {
  const auto dir = temp_dir();
  CHECK(load_image((dir / "missing.jpg").string()).error == "file not found");
  CHECK(load_image(dir.string()).error == "not a regular file");
  write_bytes(dir / "empty.jpg", {});
  CHECK(load_image((dir / "empty.jpg").string()).error == "the file is empty");

  // A corrupt JPEG: a real header followed by garbage.
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", cv::Mat(32, 32, CV_8UC3, cv::Scalar::all(128)), jpeg);
  jpeg.resize(20);
  jpeg.insert(jpeg.end(), 200, 0x42);
  write_bytes(dir / "corrupt.jpg", jpeg);
  const auto corrupt = load_image((dir / "corrupt.jpg").string());
  CHECK(corrupt.image.empty());
  CHECK_FALSE(corrupt.error.empty());

  write_bytes(dir / "text.jpg", {'h', 'e', 'l', 'l', 'o'});
  CHECK_THAT(load_image((dir / "text.jpg").string()).error, Catch::Contains("not a decodable"));
}

TEST_CASE("images over the pixel limit are refused from the header, before decoding",
          "[image_loader][rejects]") {
  const auto dir = temp_dir();
  // A PNG header claiming 100000 x 100000 pixels, with no image data behind it.
  std::vector<std::uint8_t> png = {0x89, 'P',  'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0,    0,    0,
                                   13,   'I',  'H', 'D', 'R',  0x00, 0x01, 0x86, 0xA0, 0x00, 0x01,
                                   0x86, 0xA0, 8,   2,   0,    0,    0,    0,    0,    0,    0};
  write_bytes(dir / "bomb.png", png);
  CHECK_THAT(load_image((dir / "bomb.png").string()).error, Catch::Contains("100000x100000 pixels"));

  cv::imwrite((dir / "wide.png").string(), cv::Mat(10, 2000, CV_8UC1, cv::Scalar(0)));
  CHECK_THAT(load_image((dir / "wide.png").string(), ImageLimits{1 << 20, 10000}).error,
             Catch::Contains("limit"));
  CHECK_THAT(load_image((dir / "wide.png").string(), ImageLimits{16, 50'000'000}).error,
             Catch::Contains("bytes; the limit"));
}
