// GStreamer pipelines (and V4L2 devices, as a v4l2src pipeline) through an appsink, each sample
// converted once into I420.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

extern "C" {
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <libavutil/pixfmt.h>
}

#include <spdlog/spdlog.h>

#include "anpr/edge/camera/frame_converter.hpp"
#include "anpr/edge/camera/video_input.hpp"

namespace anpr::edge {
namespace {

using Clock = std::chrono::steady_clock;

// What the appsink accepts: the raw layouts cameras and decoders give, each with an FFmpeg
// equivalent the converter reads. A pipeline ending in `videoconvert ! appsink` negotiates I420.
constexpr const char* kSinkCaps =
    "video/x-raw, format=(string){ I420, YV12, NV12, NV21, YUY2, UYVY, Y42B, Y444, BGR, RGB, BGRx, RGBx, "
    "xRGB, xBGR, BGRA, RGBA, GRAY8 }";

int ffmpeg_format(GstVideoFormat f) {
  switch (f) {
    case GST_VIDEO_FORMAT_I420:
      return AV_PIX_FMT_YUV420P;
    case GST_VIDEO_FORMAT_YV12:
      return AV_PIX_FMT_YUV420P;  // planes swapped by the caller
    case GST_VIDEO_FORMAT_NV12:
      return AV_PIX_FMT_NV12;
    case GST_VIDEO_FORMAT_NV21:
      return AV_PIX_FMT_NV21;
    case GST_VIDEO_FORMAT_YUY2:
      return AV_PIX_FMT_YUYV422;
    case GST_VIDEO_FORMAT_UYVY:
      return AV_PIX_FMT_UYVY422;
    case GST_VIDEO_FORMAT_Y42B:
      return AV_PIX_FMT_YUV422P;
    case GST_VIDEO_FORMAT_Y444:
      return AV_PIX_FMT_YUV444P;
    case GST_VIDEO_FORMAT_BGR:
      return AV_PIX_FMT_BGR24;
    case GST_VIDEO_FORMAT_RGB:
      return AV_PIX_FMT_RGB24;
    case GST_VIDEO_FORMAT_BGRx:
      return AV_PIX_FMT_BGR0;
    case GST_VIDEO_FORMAT_RGBx:
      return AV_PIX_FMT_RGB0;
    case GST_VIDEO_FORMAT_xRGB:
      return AV_PIX_FMT_0RGB;
    case GST_VIDEO_FORMAT_xBGR:
      return AV_PIX_FMT_0BGR;
    case GST_VIDEO_FORMAT_BGRA:
      return AV_PIX_FMT_BGRA;
    case GST_VIDEO_FORMAT_RGBA:
      return AV_PIX_FMT_RGBA;
    case GST_VIDEO_FORMAT_GRAY8:
      return AV_PIX_FMT_GRAY8;
    default:
      return -1;
  }
}

// GStreamer is initialised once per process, on the first pipeline opened.
bool gstreamer_ready(std::string& why) {
  static std::once_flag once;
  static std::string failure;
  std::call_once(once, [] {
    GError* error = nullptr;
    if (gst_init_check(nullptr, nullptr, &error) == FALSE) {
      failure = error != nullptr ? error->message : "gst_init failed";
      g_clear_error(&error);
    }
  });
  why = failure;
  return failure.empty();
}

// Takes every message the pipeline posted (nobody else reads its bus, so they would pile up for
// as long as it runs) and returns the text of the first error among them, if any.
std::string drain_bus(GstElement* pipeline) {
  GstBus* bus = gst_element_get_bus(pipeline);
  if (bus == nullptr) return {};  // a lone element, not a pipeline
  std::string first_error;
  while (GstMessage* message = gst_bus_pop(bus)) {
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR && first_error.empty()) {
      GError* error = nullptr;
      gst_message_parse_error(message, &error, nullptr);
      first_error = error != nullptr ? error->message : "unknown error";
      g_clear_error(&error);
    }
    gst_message_unref(message);
  }
  gst_object_unref(bus);
  return first_error;
}

// The pipeline's appsink (the first one, if several), with a reference the caller owns.
GstElement* find_appsink(GstElement* pipeline) {
  if (GST_IS_APP_SINK(pipeline)) return GST_ELEMENT(gst_object_ref(pipeline));
  if (!GST_IS_BIN(pipeline)) return nullptr;
  GstIterator* it = gst_bin_iterate_recurse(GST_BIN(pipeline));
  GValue item = G_VALUE_INIT;
  GstElement* found = nullptr;
  while (found == nullptr && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    auto* element = GST_ELEMENT(g_value_get_object(&item));
    if (GST_IS_APP_SINK(element)) found = GST_ELEMENT(gst_object_ref(element));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  return found;
}

class GstreamerInput final : public VideoInput {
 public:
  explicit GstreamerInput(VideoInputOptions options) : options_(std::move(options)) {}

  ~GstreamerInput() override {
    if (pending_ != nullptr) gst_sample_unref(pending_);
    if (sink_ != nullptr) gst_object_unref(sink_);
    if (pipeline_ != nullptr) {
      gst_element_set_state(pipeline_, GST_STATE_NULL);
      gst_object_unref(pipeline_);
    }
  }

  GstreamerInput(const GstreamerInput&) = delete;
  GstreamerInput& operator=(const GstreamerInput&) = delete;

  bool open(const std::string& description, std::string& why) {
    if (!gstreamer_ready(why)) return false;
    GError* error = nullptr;
    pipeline_ = gst_parse_launch(description.c_str(), &error);
    if (pipeline_ != nullptr) gst_object_ref_sink(pipeline_);  // ours, not floating
    if (error != nullptr) {  // a pipeline may come back with a recoverable error: still refused
      why = std::string("the pipeline cannot be built: ") + error->message;
      g_clear_error(&error);
      return false;
    }
    if (pipeline_ == nullptr) return fail(why, "the pipeline cannot be built");
    sink_ = find_appsink(pipeline_);
    if (sink_ == nullptr)
      return fail(why, "the pipeline has no appsink to take frames from (end it with '! appsink')");
    GstCaps* caps = gst_caps_from_string(kSinkCaps);
    gst_app_sink_set_caps(GST_APP_SINK(sink_), caps);
    gst_caps_unref(caps);
    // Two frames queued at most, the oldest dropped when capture falls behind: a live camera is
    // never stalled, and the frame capture takes is a recent one (its capture time is taken then).
    gst_app_sink_set_max_buffers(GST_APP_SINK(sink_), 2);
    gst_app_sink_set_drop(GST_APP_SINK(sink_), TRUE);
    if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      const std::string error_text = drain_bus(pipeline_);
      return fail(why, "the pipeline does not start" + (error_text.empty() ? "" : ": " + error_text));
    }
    // The first frame says the size and the rate; it is kept for the first read.
    pending_ = pull(options_.timeout);
    if (pending_ == nullptr) return fail(why, error_.empty() ? "no frame within the timeout" : error_);
    GstVideoInfo info;
    if (gst_video_info_from_caps(&info, gst_sample_get_caps(pending_)) == FALSE) {
      return fail(why, "the appsink's first sample has no video format");
    }
    size_ = {GST_VIDEO_INFO_WIDTH(&info), GST_VIDEO_INFO_HEIGHT(&info)};
    if (GST_VIDEO_INFO_FPS_N(&info) > 0 && GST_VIDEO_INFO_FPS_D(&info) > 0) {
      const double fps = static_cast<double>(GST_VIDEO_INFO_FPS_N(&info)) / GST_VIDEO_INFO_FPS_D(&info);
      if (fps < 1000) fps_ = fps;
    }
    return true;
  }

  bool read(cv::Mat& i420) override {
    GstSample* sample = pending_ != nullptr ? pending_ : pull(options_.timeout);
    pending_ = nullptr;
    if (sample == nullptr) return false;
    const bool converted = convert(sample, i420);
    gst_sample_unref(sample);
    return converted;
  }

  [[nodiscard]] double fps() const override { return fps_; }
  [[nodiscard]] cv::Size size() const override { return size_; }

 private:
  // The next sample, or null at the end of the stream, on an error the pipeline posts (kept in
  // error_ and logged), after `timeout` without a sample, or on stop (looked at every 100 ms, so a
  // shutdown does not wait out the timeout).
  GstSample* pull(std::chrono::milliseconds timeout) {
    const auto until = Clock::now() + timeout;
    while (!options_.stop.stop_requested() && Clock::now() < until) {
      GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink_), 100 * GST_MSECOND);
      error_ = drain_bus(pipeline_);
      if (!error_.empty()) {
        spdlog::warn("GStreamer pipeline failed: {}", error_);
        if (sample != nullptr) gst_sample_unref(sample);
        return nullptr;
      }
      if (sample != nullptr) return sample;
      if (gst_app_sink_is_eos(GST_APP_SINK(sink_)) == TRUE) return nullptr;
    }
    return nullptr;
  }

  bool convert(GstSample* sample, cv::Mat& i420) {
    GstVideoInfo info;
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (buffer == nullptr || gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) == FALSE)
      return false;
    GstVideoFrame frame;
    if (gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ) == FALSE) return false;
    DecodedPicture picture;
    const auto planes = static_cast<int>(GST_VIDEO_FRAME_N_PLANES(&frame));
    for (int i = 0; i < planes && i < 4; ++i) {
      picture.planes.at(i) = static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, i));
      picture.strides.at(i) = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, i);
    }
    if (GST_VIDEO_INFO_FORMAT(&info) == GST_VIDEO_FORMAT_YV12) {  // I420 with V before U
      std::swap(picture.planes[1], picture.planes[2]);
      std::swap(picture.strides[1], picture.strides[2]);
    }
    picture.format = ffmpeg_format(GST_VIDEO_INFO_FORMAT(&info));
    picture.width = GST_VIDEO_INFO_WIDTH(&info);
    picture.height = GST_VIDEO_INFO_HEIGHT(&info);
    picture.full_range = info.colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
    const bool converted = converter_.convert(picture, i420);
    gst_video_frame_unmap(&frame);
    return converted;
  }

  static bool fail(std::string& why, std::string text) {
    why = std::move(text);
    return false;
  }

  VideoInputOptions options_;
  GstElement* pipeline_ = nullptr;
  GstElement* sink_ = nullptr;
  GstSample* pending_ = nullptr;
  std::string error_;  // the pipeline's error that ended it, if one did
  double fps_ = 25.0;
  cv::Size size_;
  FrameConverter converter_;
};

}  // namespace

std::unique_ptr<VideoInput> open_gstreamer_input(const std::string& pipeline,
                                                 const VideoInputOptions& options, std::string& why) {
  auto input = std::make_unique<GstreamerInput>(options);
  if (!input->open(pipeline, why)) return nullptr;
  return input;
}

}  // namespace anpr::edge
