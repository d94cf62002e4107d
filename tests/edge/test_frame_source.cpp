#include <catch2/catch.hpp>

#include <set>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "anpr/edge/camera/frame_source.hpp"
#include "anpr/edge/camera/i420_image.hpp"
#include "support/temp_dir.hpp"

using namespace anpr::edge;

namespace {

// A short MJPEG clip whose frame i is a flat grey of 20 * i, so a frame's content says which it is.
std::string write_clip(const anpr::test::TempDir& dir, int frames) {
  const std::string path = (dir / "clip.avi").string();
  cv::VideoWriter writer(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 25, cv::Size(64, 48));
  REQUIRE(writer.isOpened());
  for (int i = 0; i < frames; ++i) writer.write(cv::Mat(48, 64, CV_8UC3, cv::Scalar::all(20 * i)));
  return path;
}

SourceSettings as_fast_as_it_decodes(const std::string& path) {
  SourceSettings s;
  s.uri = path;
  s.realtime = false;
  return s;
}

double mean_grey(const Frame& f) { return cv::mean(i420_luma(f.i420))[0]; }

}  // namespace

TEST_CASE("frame source: a frame's buffer is used again once no stage holds the frame", "[frames]") {
  const anpr::test::TempDir dir;
  FrameSource source(as_fast_as_it_decodes(write_clip(dir, 8)));
  std::set<const uchar*> buffers;
  int frames = 0;
  source.run(std::stop_token{}, [&](Frame f) {
    buffers.insert(f.i420.data);
    ++frames;
  });  // each frame is let go as soon as it was handed over
  CHECK(frames == 8);
  CHECK(buffers.size() == 1);
}

TEST_CASE("frame source: a frame a stage still holds is never written over", "[frames]") {
  const anpr::test::TempDir dir;
  FrameSource source(as_fast_as_it_decodes(write_clip(dir, 12)));
  std::vector<Frame> held;
  source.run(std::stop_token{}, [&](Frame f) { held.push_back(std::move(f)); });
  REQUIRE(held.size() == 12);
  std::set<const uchar*> buffers;
  for (std::size_t i = 0; i < held.size(); ++i) {
    buffers.insert(held[i].i420.data);
    CHECK(mean_grey(held[i]) == Approx(20.0 * static_cast<double>(i)).margin(3));
  }
  CHECK(buffers.size() == held.size());  // more than the pool keeps: the rest are frames of their own
}
