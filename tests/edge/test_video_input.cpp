#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gst/gst.h>
#include <opencv2/videoio.hpp>

#include "anpr/edge/camera/frame_source.hpp"
#include "anpr/edge/camera/i420_image.hpp"
#include "anpr/edge/camera/video_input.hpp"
#include "support/temp_dir.hpp"

using namespace anpr::edge;
using namespace std::chrono_literals;

namespace {

// A TCP port on loopback that takes connections (the kernel completes them) but never answers:
// a camera that hangs.
class SilentServer {
 public:
  SilentServer() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0);
    REQUIRE(listen(fd_, 4) == 0);
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { close(fd_); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  [[nodiscard]] int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

// Whether this machine's GStreamer has the elements a test pipeline needs (a cross-compiled test
// under qemu may find no plugins).
bool has_elements(std::initializer_list<const char*> names) {
  if (gst_init_check(nullptr, nullptr, nullptr) == FALSE) return false;
  for (const char* name : names) {
    GstElementFactory* factory = gst_element_factory_find(name);
    if (factory == nullptr) return false;
    gst_object_unref(factory);
  }
  return true;
}

std::unique_ptr<VideoInput> open_pipeline(const std::string& pipeline, std::string& why) {
  return open_video_input("gst:" + pipeline, SourceKind::kGStreamer, {}, why);
}

}  // namespace

TEST_CASE("video input: a file that is not a video is refused with FFmpeg's reason", "[frames][sources]") {
  const anpr::test::TempDir dir;
  const std::string path = (dir / "not-a-video.avi").string();
  std::ofstream(path) << "RIFF this is no video at all";
  std::string why;
  CHECK(open_video_input(path, SourceKind::kFile, {}, why) == nullptr);
  CHECK_FALSE(why.empty());
}

TEST_CASE("video input: a cut-off file gives the frames it holds, then ends", "[frames][sources]") {
  const anpr::test::TempDir dir;
  const std::string whole = (dir / "whole.avi").string();
  {
    cv::VideoWriter writer(whole, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 25,
                           cv::Size(64, 48));
    REQUIRE(writer.isOpened());
    for (int i = 0; i < 100; ++i) writer.write(cv::Mat(48, 64, CV_8UC3, cv::Scalar::all(2 * i)));
  }
  std::ifstream in(whole, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = (dir / "cut.avi").string();
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  std::string why;
  auto input = open_video_input(cut, SourceKind::kFile, {}, why);
  INFO(why);
  REQUIRE(input != nullptr);
  CHECK(input->size() == cv::Size(64, 48));
  CHECK(input->fps() == Approx(25));
  int frames = 0;
  cv::Mat i420;
  while (input->read(i420) && frames < 100) ++frames;
  CHECK(frames > 20);
  CHECK(frames < 100);
}

TEST_CASE("video input: a stream that connects but never answers is given up after the timeout",
          "[frames][sources]") {
  const SilentServer camera;
  const std::string url = "http://127.0.0.1:" + std::to_string(camera.port()) + "/video";
  VideoInputOptions options;
  options.timeout = 300ms;
  std::string why;
  auto start = std::chrono::steady_clock::now();
  CHECK(open_video_input(url, SourceKind::kStream, options, why) == nullptr);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK_FALSE(why.empty());

  // With a long timeout, a stop request ends the wait at once.
  std::stop_source stop;
  options.timeout = 60s;
  options.stop = stop.get_token();
  std::jthread stopper([&] {
    std::this_thread::sleep_for(200ms);
    stop.request_stop();
  });
  start = std::chrono::steady_clock::now();
  CHECK(open_video_input(url, SourceKind::kStream, options, why) == nullptr);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("video input: a V4L2 device is read through a v4l2src pipeline", "[frames][sources]") {
  CHECK(gstreamer_pipeline("/dev/video3", SourceKind::kDevice) ==
        "v4l2src device=/dev/video3 ! videoconvert ! appsink");
  CHECK(gstreamer_pipeline("v4l2:2", SourceKind::kDevice) ==
        "v4l2src device=/dev/video2 ! videoconvert ! appsink");
  CHECK(gstreamer_pipeline("gst:videotestsrc ! appsink", SourceKind::kGStreamer) == "videotestsrc ! appsink");
  // Only a device number goes into the pipeline: nothing can be added to it through the name.
  for (const char* uri : {"v4l2:0 ! fakesink", "/dev/video", "v4l2:x", "/dev/video0 silent=false"}) {
    std::string why;
    CHECK(open_video_input(uri, SourceKind::kDevice, {}, why) == nullptr);
    CHECK_THAT(why, Catch::Contains("not a V4L2 device"));
  }
}

TEST_CASE("video input: a GStreamer pipeline gives its frames in I420 at full range, then ends",
          "[frames][sources]") {
  if (!has_elements({"videotestsrc", "appsink"})) {
    WARN("GStreamer's videotestsrc or appsink is not installed here: not tested");
    return;
  }
  // White in video range (Y 235) and packed BGR: both arrive as the same full-range white.
  for (const char* format : {"I420", "BGR", "NV12", "YUY2"}) {
    INFO(format);
    std::string why;
    auto input = open_pipeline(std::string("videotestsrc pattern=white num-buffers=3 ! video/x-raw,format=") +
                                   format + ",width=64,height=48,framerate=10/1 ! appsink",
                               why);
    REQUIRE(input != nullptr);
    CHECK(input->size() == cv::Size(64, 48));
    CHECK(input->fps() == Approx(10));
    cv::Mat i420;
    int frames = 0;
    while (input->read(i420)) {
      ++frames;
      CHECK(cv::mean(i420_luma(i420))[0] == Approx(255).margin(2));
    }
    CHECK(frames == 3);
  }
}

TEST_CASE("video input: a GStreamer pipeline that cannot work says why", "[frames][sources]") {
  if (!has_elements({"videotestsrc", "fakesink"})) {
    WARN("GStreamer's videotestsrc or fakesink is not installed here: not tested");
    return;
  }
  std::string why;
  CHECK(open_pipeline("videotestsrc ! fakesink", why) == nullptr);
  CHECK_THAT(why, Catch::Contains("appsink"));
  CHECK(open_pipeline("no-such-element-here ! appsink", why) == nullptr);
  CHECK_THAT(why, Catch::Contains("cannot be built"));
  // Audio into a video sink: it never negotiates.
  if (has_elements({"audiotestsrc"})) {
    CHECK(open_pipeline("audiotestsrc ! appsink", why) == nullptr);
    CHECK_FALSE(why.empty());
  }
}
