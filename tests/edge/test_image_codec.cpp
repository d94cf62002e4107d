// The firmware's JPEG and PNG codecs against OpenCV's imgcodecs, which the tests still link: the
// same pixels out of every kind of file, the same bytes in, and errors (not crashes) on bad input.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <random>

#include <png.h>
#include <turbojpeg.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/edge/reader/image_codec.hpp"

using anpr::Bytes;
using namespace anpr::edge;

namespace {

constexpr std::int64_t kMaxPixels = 50'000'000;

/// A picture with detail in every channel and no symmetry, so a wrong turn or colour order shows.
cv::Mat scene(int width, int height, int type) {
  cv::Mat image(height, width, type);
  cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(type == CV_16UC3 || type == CV_16UC1 ? 65535 : 255));
  cv::GaussianBlur(image, image, cv::Size(5, 5), 1.5);
  cv::rectangle(image, {width / 8, height / 6, width / 3, height / 5}, cv::Scalar(20, 200, 90, 255), -1);
  cv::putText(image, "AB12 CDE", {width / 10, height * 3 / 4}, cv::FONT_HERSHEY_SIMPLEX, 1.0,
              cv::Scalar(250, 30, 10, 128), 2);
  return image;
}

Bytes cv_encode(const std::string& ext, const cv::Mat& image, const std::vector<int>& params = {}) {
  std::vector<std::uint8_t> out;
  REQUIRE(cv::imencode(ext, image, out, params));
  return out;
}

/// Our decoder and cv::imdecode(IMREAD_COLOR) give the same pixels.
void check_same_as_opencv(const Bytes& bytes) {
  const cv::Mat expected = cv::imdecode(bytes, cv::IMREAD_COLOR);
  REQUIRE_FALSE(expected.empty());
  const DecodedImage got = decode_image(bytes, kMaxPixels);
  REQUIRE(got.error.empty());
  REQUIRE(got.image.type() == CV_8UC3);
  REQUIRE(got.image.size() == expected.size());
  CHECK(cv::norm(got.image, expected, cv::NORM_INF) == 0);
}

/// A palette PNG (with transparency when `rgba`) from libpng's simplified API.
Bytes palette_png(bool rgba) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = 40;
  image.height = 30;
  image.format = rgba ? PNG_FORMAT_RGBA_COLORMAP : PNG_FORMAT_RGB_COLORMAP;
  image.colormap_entries = 4;
  const std::vector<std::uint8_t> colormap = {255, 0, 0,   255, 0,   255, 0,   128,
                                              0,   0, 255, 0,   200, 150, 100, 255};
  std::vector<std::uint8_t> rgb_colormap;
  for (std::size_t i = 0; i < colormap.size(); i += 4)
    rgb_colormap.insert(rgb_colormap.end(), &colormap[i], &colormap[i] + 3);
  std::vector<std::uint8_t> indices(40 * 30);
  for (std::size_t i = 0; i < indices.size(); ++i)
    indices[i] = static_cast<std::uint8_t>((i / 7 + i % 5) % 4);
  png_alloc_size_t size = 0;
  const void* map = rgba ? colormap.data() : rgb_colormap.data();
  REQUIRE(png_image_write_to_memory(&image, nullptr, &size, 0, indices.data(), 0, map) != 0);
  Bytes out(size);
  REQUIRE(png_image_write_to_memory(&image, out.data(), &size, 0, indices.data(), 0, map) != 0);
  out.resize(size);
  return out;
}

/// The PNG chunk checksum (CRC-32, ISO 3309).
std::uint32_t crc32(const std::uint8_t* data, std::size_t size) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) {
    c ^= data[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

/// Exif data (TIFF header and first IFD) holding one Orientation entry.
Bytes exif_tiff(int orientation, bool intel) {
  const auto u16 = [intel](int v) {
    return intel ? Bytes{static_cast<std::uint8_t>(v & 0xFF), static_cast<std::uint8_t>(v >> 8)}
                 : Bytes{static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v & 0xFF)};
  };
  Bytes tiff = intel ? Bytes{'I', 'I'} : Bytes{'M', 'M'};
  for (const Bytes& part :
       {u16(42), intel ? Bytes{8, 0, 0, 0} : Bytes{0, 0, 0, 8}, u16(1), u16(0x0112), u16(3),
        intel ? Bytes{1, 0, 0, 0} : Bytes{0, 0, 0, 1}, u16(orientation), Bytes{0, 0}, Bytes{0, 0, 0, 0}}) {
    tiff.insert(tiff.end(), part.begin(), part.end());
  }
  return tiff;
}

/// `jpeg` with an Exif APP1 segment after SOI.
Bytes jpeg_with_orientation(const Bytes& jpeg, int orientation, bool intel) {
  const Bytes tiff = exif_tiff(orientation, intel);
  Bytes app1 = {0xFF, 0xE1, 0, static_cast<std::uint8_t>(2 + 6 + tiff.size()), 'E', 'x', 'i', 'f', 0, 0};
  app1.insert(app1.end(), tiff.begin(), tiff.end());
  Bytes out(jpeg.begin(), jpeg.begin() + 2);
  out.insert(out.end(), app1.begin(), app1.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

/// `png` with an eXIf chunk after IHDR.
Bytes png_with_orientation(const Bytes& png, int orientation, bool intel) {
  const Bytes tiff = exif_tiff(orientation, intel);
  Bytes chunk = {0, 0, 0, static_cast<std::uint8_t>(tiff.size()), 'e', 'X', 'I', 'f'};
  chunk.insert(chunk.end(), tiff.begin(), tiff.end());
  const std::uint32_t crc = crc32(&chunk[4], chunk.size() - 4);
  for (int k = 0; k < 4; ++k) chunk.push_back(static_cast<std::uint8_t>(crc >> (24 - 8 * k)));
  Bytes out(png.begin(), png.begin() + 33);  // signature and IHDR
  out.insert(out.end(), chunk.begin(), chunk.end());
  out.insert(out.end(), png.begin() + 33, png.end());
  return out;
}

}  // namespace

TEST_CASE("codec: JPEGs decode to cv::imdecode's pixels", "[image_codec]") {
  const cv::Mat bgr = scene(161, 97, CV_8UC3);  // odd sizes: partial MCUs, chroma edges
  check_same_as_opencv(cv_encode(".jpg", bgr));
  check_same_as_opencv(cv_encode(".jpg", bgr, {cv::IMWRITE_JPEG_QUALITY, 40}));
  check_same_as_opencv(cv_encode(".jpg", bgr, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}));
  check_same_as_opencv(cv_encode(".jpg", scene(120, 80, CV_8UC1)));
}

TEST_CASE("codec: a CMYK JPEG decodes to cv::imdecode's pixels", "[image_codec]") {
  cv::Mat cmyk(60, 90, CV_8UC4);
  cv::randu(cmyk, cv::Scalar::all(0), cv::Scalar::all(255));
  tjhandle tj = tjInitCompress();
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  REQUIRE(tjCompress2(tj, cmyk.data, cmyk.cols, static_cast<int>(cmyk.step[0]), cmyk.rows, TJPF_CMYK, &buffer,
                      &size, TJSAMP_444, 90, 0) == 0);
  const Bytes jpeg(buffer, buffer + size);
  tjFree(buffer);
  tjDestroy(tj);
  check_same_as_opencv(jpeg);
}

TEST_CASE("codec: PNGs of every kind decode to cv::imdecode's pixels", "[image_codec]") {
  SECTION("8-bit colour and grey") {
    check_same_as_opencv(cv_encode(".png", scene(71, 43, CV_8UC3)));
    check_same_as_opencv(cv_encode(".png", scene(71, 43, CV_8UC1)));
  }
  SECTION("16-bit colour and grey") {
    check_same_as_opencv(cv_encode(".png", scene(71, 43, CV_16UC3)));
    check_same_as_opencv(cv_encode(".png", scene(71, 43, CV_16UC1)));
  }
  SECTION("alpha: dropped, not blended") { check_same_as_opencv(cv_encode(".png", scene(71, 43, CV_8UC4))); }
  SECTION("1-bit grey") {
    check_same_as_opencv(cv_encode(".png", scene(71, 43, CV_8UC1) > 128, {cv::IMWRITE_PNG_BILEVEL, 1}));
  }
  SECTION("palette, with and without transparency") {
    check_same_as_opencv(palette_png(false));
    check_same_as_opencv(palette_png(true));
  }
}

TEST_CASE("codec: the Exif orientation is applied as cv::imdecode applies it", "[image_codec]") {
  const Bytes jpeg = cv_encode(".jpg", scene(64, 40, CV_8UC3));
  const Bytes png = cv_encode(".png", scene(64, 40, CV_8UC3));
  for (int orientation = 0; orientation <= 9; ++orientation) {
    for (const bool intel : {true, false}) {
      CAPTURE(orientation, intel);
      check_same_as_opencv(jpeg_with_orientation(jpeg, orientation, intel));
      check_same_as_opencv(png_with_orientation(png, orientation, intel));
    }
  }
  // Turned right: the 64x40 picture stands 40x64.
  CHECK(decode_image(jpeg_with_orientation(jpeg, 6, true), kMaxPixels).image.size() == cv::Size(40, 64));
  CHECK(decode_image(png_with_orientation(png, 6, false), kMaxPixels).image.size() == cv::Size(40, 64));
}

TEST_CASE("codec: encoding gives cv::imencode's bytes, and round trips", "[image_codec]") {
  const cv::Mat bgr = scene(161, 97, CV_8UC3);
  const cv::Mat grey = scene(161, 97, CV_8UC1);
  for (const int quality : {95, 75, 30}) {
    CAPTURE(quality);
    CHECK(encode_jpeg(bgr, quality).bytes == cv_encode(".jpg", bgr, {cv::IMWRITE_JPEG_QUALITY, quality}));
    CHECK(encode_jpeg(grey, quality).bytes == cv_encode(".jpg", grey, {cv::IMWRITE_JPEG_QUALITY, quality}));
  }
  // A view into a bigger picture (rows not contiguous) encodes as its own copy does.
  const cv::Mat view = bgr(cv::Rect(10, 5, 60, 40));
  CHECK(encode_jpeg(view, 80).bytes == encode_jpeg(view.clone(), 80).bytes);
  CHECK(encode_png(bgr).bytes == cv_encode(".png", bgr));
  CHECK(encode_png(grey).bytes == cv_encode(".png", grey));

  CHECK(cv::norm(decode_image(encode_png(bgr).bytes, kMaxPixels).image, bgr, cv::NORM_INF) == 0);
  cv::Mat grey_bgr;
  cv::cvtColor(grey, grey_bgr, cv::COLOR_GRAY2BGR);
  CHECK(cv::norm(decode_image(encode_png(grey).bytes, kMaxPixels).image, grey_bgr, cv::NORM_INF) == 0);
  cv::Mat smooth;  // JPEG keeps a smooth picture close; noise-like detail it does not
  cv::GaussianBlur(bgr, smooth, cv::Size(0, 0), 4);
  const DecodedImage jpeg = decode_image(encode_jpeg(smooth, 95).bytes, kMaxPixels);
  REQUIRE(jpeg.image.size() == smooth.size());
  CHECK(cv::norm(jpeg.image, smooth, cv::NORM_L1) / static_cast<double>(smooth.total() * 3) < 2.0);

  CHECK_FALSE(encode_jpeg(cv::Mat(), 90).error.empty());
  CHECK_FALSE(encode_png(cv::Mat(4, 4, CV_32FC1)).error.empty());
}

TEST_CASE("codec: damaged, foreign and oversized input gives an error, not a crash",
          "[image_codec][rejects]") {
  const Bytes jpeg = cv_encode(".jpg", scene(64, 48, CV_8UC3));
  const Bytes png = cv_encode(".png", scene(64, 48, CV_8UC3));

  CHECK_THAT(decode_image(Bytes{}, kMaxPixels).error, Catch::Contains("not a decodable JPEG or PNG"));
  CHECK_THAT(decode_image(Bytes{'h', 'e', 'l', 'l', 'o'}, kMaxPixels).error,
             Catch::Contains("not a decodable"));
  CHECK_THAT(decode_image(cv_encode(".bmp", scene(8, 8, CV_8UC3)), kMaxPixels).error,
             Catch::Contains("not a decodable"));
  CHECK_THAT(decode_image(Bytes(jpeg.begin(), jpeg.begin() + 40), kMaxPixels).error,
             Catch::Contains("the JPEG cannot be decoded"));
  CHECK_THAT(decode_image(Bytes(png.begin(), png.begin() + 60), kMaxPixels).error,
             Catch::Contains("the PNG cannot be decoded"));
  CHECK_THAT(decode_image(Bytes(png.begin(), png.end() - 12), kMaxPixels).error,  // no IEND
             Catch::Contains("the PNG cannot be decoded"));

  // A JPEG cut short inside its scan (cv::imdecode gives an image whose bottom repeats a row).
  CHECK_THAT(
      decode_image(Bytes(jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(jpeg.size() * 2 / 3)),
                   kMaxPixels)
          .error,
      Catch::Contains("cut short"));

  // Headers claiming huge pictures are refused before any pixel memory is taken.
  Bytes big_png = png;
  big_png[16] = 0x00, big_png[17] = 0x01, big_png[18] = 0x86, big_png[19] = 0xA0;  // 100000 wide
  const std::uint32_t crc = crc32(&big_png[12], 17);                               // IHDR's type and data
  for (int k = 0; k < 4; ++k) big_png[29 + k] = static_cast<std::uint8_t>(crc >> (24 - 8 * k));
  const DecodedImage bomb = decode_image(big_png, kMaxPixels);  // libpng itself finds too little data
  CHECK(bomb.image.empty());
  CHECK_FALSE(bomb.error.empty());
  CHECK_THAT(decode_image(png, 1000).error, Catch::Contains("64x48 pixels; the limit"));
  Bytes big_jpeg = jpeg;
  for (std::size_t i = 2; i + 8 < big_jpeg.size(); ++i) {
    if (big_jpeg[i] == 0xFF && big_jpeg[i + 1] == 0xC0) {  // SOF0: height, width at +5, +7
      big_jpeg[i + 5] = big_jpeg[i + 7] = 0xFF;
      break;
    }
  }
  CHECK_THAT(decode_image(big_jpeg, kMaxPixels).error, Catch::Contains("pixels; the limit"));
  CHECK_THAT(decode_image(jpeg, 1000).error, Catch::Contains("64x48 pixels"));

  // Random damage anywhere: an image or an error, never a crash (run under ASan in CI).
  std::mt19937 random(21);
  for (const Bytes* original : {&jpeg, &png}) {
    for (int round = 0; round < 300; ++round) {
      Bytes damaged = *original;
      for (int k = 0; k < 1 + round % 8; ++k)
        damaged[random() % damaged.size()] = static_cast<std::uint8_t>(random());
      if (round % 3 == 0) damaged.resize(damaged.size() - random() % (damaged.size() / 2));
      const DecodedImage got = decode_image(damaged, 1'000'000);  // a damaged size stays small
      CHECK(got.image.empty() != got.error.empty());
      if (!got.image.empty()) CHECK(got.image.type() == CV_8UC3);
    }
  }
}

TEST_CASE("codec: write_image picks the format by extension", "[image_codec]") {
  const anpr::test::TempDir dir("anpr-codec");
  const cv::Mat bgr = scene(50, 30, CV_8UC3);
  for (const char* name : {"a.png", "b.jpg", "c.JPEG"}) {
    write_image((dir / name).string(), bgr);
    const cv::Mat back = cv::imread((dir / name).string());
    CHECK(back.size() == bgr.size());
  }
  CHECK(cv::norm(cv::imread((dir / "a.png").string()), bgr, cv::NORM_INF) == 0);
  std::ifstream jpg((dir / "b.jpg").string(), std::ios::binary);
  const Bytes written((std::istreambuf_iterator<char>(jpg)), std::istreambuf_iterator<char>());
  CHECK(written == cv_encode(".jpg", bgr));  // imwrite's default quality, 95

  CHECK_THROWS_WITH(write_image((dir / "d.bmp").string(), bgr), Catch::Contains(".jpg, .jpeg or .png"));
  CHECK_THROWS_AS(write_image((dir / "no-such-folder" / "e.png").string(), bgr), anpr::Error);
  CHECK_THROWS_WITH(write_image((dir / "f.png").string(), cv::Mat(3, 3, CV_32FC1)), Catch::Contains("8-bit"));
}
