// Files and network streams through libavformat and libavcodec, decoded once, straight into I420.
#include <chrono>
#include <cstdarg>
#include <memory>
#include <mutex>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
}

#include <spdlog/spdlog.h>

#include "anpr/common/log_throttle.hpp"

#include "anpr/edge/camera/frame_converter.hpp"
#include "anpr/edge/camera/video_input.hpp"

namespace anpr::edge {
namespace {

using Clock = std::chrono::steady_clock;

std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

// FFmpeg's own messages go to the log, not to stderr: its warnings and errors only (a damaged
// stream gives one per packet, so at most one a second, with a count of those held back).
void log_from_ffmpeg(void* context, int level, const char* format, std::va_list args) {
  if ((level & 0xff) > AV_LOG_WARNING) return;  // the higher bits carry colour hints
  static LogThrottle throttle(std::chrono::seconds(1));
  const auto held_back = throttle.occurred(Clock::now());
  if (!held_back) return;
  char line[512];
  int print_prefix = 1;
  av_log_format_line2(context, level, format, args, line, sizeof line, &print_prefix);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  spdlog::log((level & 0xff) <= AV_LOG_ERROR ? spdlog::level::err : spdlog::level::warn, "FFmpeg: {}{}", text,
              *held_back > 0 ? fmt::format(" ({} more held back)", *held_back) : "");
}

void route_ffmpeg_log() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(&log_from_ffmpeg); });
}

// A damaged stream can keep giving packets the decoder refuses; after this many in a row the
// source counts as lost (and is opened again), rather than spinning on garbage for ever.
constexpr int kMaxBadPacketsInARow = 250;

class FfmpegInput final : public VideoInput {
 public:
  FfmpegInput(bool stream, VideoInputOptions options) : stream_(stream), options_(std::move(options)) {}

  ~FfmpegInput() override {
    av_frame_free(&frame_);
    av_packet_free(&packet_);
    avcodec_free_context(&decoder_);
    avformat_close_input(&format_);
  }

  FfmpegInput(const FfmpegInput&) = delete;
  FfmpegInput& operator=(const FfmpegInput&) = delete;

  bool open(const std::string& url, std::string& why) {
    format_ = avformat_alloc_context();
    packet_ = av_packet_alloc();
    frame_ = av_frame_alloc();
    if (format_ == nullptr || packet_ == nullptr || frame_ == nullptr) return fail(why, "out of memory");
    // Every blocking call of libavformat asks this whether to give up: on the timeout (a stream
    // that went silent) or at once on stop.
    format_->interrupt_callback = {&FfmpegInput::interrupted, this};
    arm_deadline();
    // RTSP over TCP where the camera offers it (as OpenCV's backend did): UDP loses packets, and
    // smears 1080p frames, on a busy link, and does not pass most NAT or firewalls at all.
    AVDictionary* options = nullptr;
    av_dict_set(&options, "rtsp_flags", "prefer_tcp", 0);
    int rc = avformat_open_input(&format_, url.c_str(), nullptr, &options);
    av_dict_free(&options);
    if (rc < 0) return fail(why, av_error_text(rc));  // avformat_open_input freed the context
    rc = avformat_find_stream_info(format_, nullptr);
    if (rc < 0) return fail(why, "no stream information: " + av_error_text(rc));
    const AVCodec* codec = nullptr;
    stream_index_ = av_find_best_stream(format_, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (stream_index_ < 0 || codec == nullptr) return fail(why, "no video stream FFmpeg can decode");
    const AVStream* video = format_->streams[stream_index_];
    for (unsigned i = 0; i < format_->nb_streams; ++i) {  // audio and the rest: not even demuxed
      if (static_cast<int>(i) != stream_index_) format_->streams[i]->discard = AVDISCARD_ALL;
    }
    decoder_ = avcodec_alloc_context3(codec);
    if (decoder_ == nullptr) return fail(why, "out of memory");
    rc = avcodec_parameters_to_context(decoder_, video->codecpar);
    // A stream may change its size later: the decoder itself refuses what no camera sends.
    decoder_->max_pixels = kMaxFramePixels;
    if (rc >= 0) rc = avcodec_open2(decoder_, codec, nullptr);
    if (rc < 0) return fail(why, std::string(codec->name) + " decoder: " + av_error_text(rc));
    size_ = {video->codecpar->width, video->codecpar->height};
    if (static_cast<long long>(size_.width) * size_.height > kMaxFramePixels) {
      return fail(why, "pictures of " + std::to_string(size_.width) + "x" + std::to_string(size_.height) +
                           " are larger than any camera's");
    }
    const AVRational rate = av_guess_frame_rate(format_, format_->streams[stream_index_], nullptr);
    const double fps = av_q2d(rate);
    if (fps > 0 && fps < 1000) fps_ = fps;
    return true;
  }

  bool read(cv::Mat& i420) override {
    arm_deadline();
    int bad_in_a_row = 0;
    while (true) {
      int rc = avcodec_receive_frame(decoder_, frame_);
      if (rc == 0) return deliver(i420);
      if (rc == AVERROR_EOF) return false;  // drained at the end
      if (rc != AVERROR(EAGAIN)) {          // one frame failed: the stream goes on
        if (!bad_data(rc, bad_in_a_row)) return false;
        continue;
      }
      rc = av_read_frame(format_, packet_);
      if (rc < 0) {
        // The end of the file or a lost stream: what the decoder still holds comes out first.
        if (draining_) return false;
        draining_ = true;
        avcodec_send_packet(decoder_, nullptr);
        continue;
      }
      if (packet_->stream_index == stream_index_) {
        rc = avcodec_send_packet(decoder_, packet_);
        if (rc < 0 && rc != AVERROR(EAGAIN)) {
          if (!bad_data(rc, bad_in_a_row)) {
            av_packet_unref(packet_);
            return false;
          }
        } else {
          bad_in_a_row = 0;
        }
      }
      av_packet_unref(packet_);
    }
  }

  [[nodiscard]] double fps() const override { return fps_; }
  [[nodiscard]] cv::Size size() const override { return size_; }

 private:
  static int interrupted(void* self) {
    const auto* input = static_cast<const FfmpegInput*>(self);
    return input->options_.stop.stop_requested() || Clock::now() > input->deadline_ ? 1 : 0;
  }

  // Files are read as fast as the disk gives them: only streams and devices have a timeout.
  void arm_deadline() { deadline_ = stream_ ? Clock::now() + options_.timeout : Clock::time_point::max(); }

  bool deliver(cv::Mat& i420) {
    DecodedPicture picture;
    for (int i = 0; i < 4; ++i) {
      picture.planes.at(i) = frame_->data[i];
      picture.strides.at(i) = frame_->linesize[i];
    }
    picture.format = frame_->format;
    picture.width = frame_->width;
    picture.height = frame_->height;
    // Grey with no range said is full range (JPEG's, a monochrome camera's), not video range.
    picture.full_range =
        frame_->color_range == AVCOL_RANGE_JPEG ||
        (frame_->format == AV_PIX_FMT_GRAY8 && frame_->color_range == AVCOL_RANGE_UNSPECIFIED);
    const bool converted = converter_.convert(picture, i420);
    av_frame_unref(frame_);
    if (!converted) {
      spdlog::warn("video frame of {}x{} (pixel format {}) cannot be converted; the source counts as lost",
                   picture.width, picture.height, picture.format);
    }
    return converted;
  }

  // A packet or frame the decoder refused: skipped, said once a second (a burst of damaged
  // packets is one problem); false once too many came in a row (the source counts as lost).
  bool bad_data(int rc, int& bad_in_a_row) {
    const auto now = Clock::now();
    if (now - last_bad_packet_log_ >= std::chrono::seconds(1)) {
      last_bad_packet_log_ = now;
      spdlog::warn("video data refused by the decoder ({}); skipped", av_error_text(rc));
    }
    return ++bad_in_a_row < kMaxBadPacketsInARow;
  }

  static bool fail(std::string& why, std::string text) {
    why = std::move(text);
    return false;
  }

  bool stream_;
  VideoInputOptions options_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point last_bad_packet_log_{};
  AVFormatContext* format_ = nullptr;
  AVCodecContext* decoder_ = nullptr;
  AVPacket* packet_ = nullptr;
  AVFrame* frame_ = nullptr;
  int stream_index_ = -1;
  bool draining_ = false;
  double fps_ = 25.0;
  cv::Size size_;
  FrameConverter converter_;
};

}  // namespace

std::unique_ptr<VideoInput> open_ffmpeg_input(const std::string& url, bool stream,
                                              const VideoInputOptions& options, std::string& why) {
  route_ffmpeg_log();
  auto input = std::make_unique<FfmpegInput>(stream, options);
  if (!input->open(url, why)) return nullptr;
  return input;
}

}  // namespace anpr::edge
