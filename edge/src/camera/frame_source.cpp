#include "anpr/edge/camera/frame_source.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "anpr/common/error.hpp"
#include "anpr/common/log_escaping.hpp"
#include "anpr/common/stop_wait.hpp"
#include "anpr/edge/camera/video_input.hpp"

namespace anpr::edge {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Frames leave capture in buffers that come back once every stage has let go of the frame: a
// buffer is free again when this pool holds its only reference. Capture so decodes into the
// same few 3 MB buffers (one per frame in flight) instead of allocating one per frame, which
// glibc serves from its arenas once the first such buffer was freed, and keeps there.
class FrameBuffers {
 public:
  /// A buffer no frame holds (empty the first time); it must be written before it is shared.
  cv::Mat& next() {
    for (cv::Mat& m : buffers_) {
      if (unused(m)) return m;
    }
    if (buffers_.size() < kMaxBuffers) return buffers_.emplace_back();
    spare_.release();  // more frames in flight than the pool keeps: this one is not reused
    return spare_;
  }

 private:
  // Frames in flight: the one captured, those waiting, one per recogniser.
  static constexpr std::size_t kMaxBuffers = 8;

  static bool unused(const cv::Mat& m) {
    // Other threads change the count atomically (OpenCV's CV_XADD); it is read atomically too.
    return m.u == nullptr || std::atomic_ref<int>(m.u->refcount).load(std::memory_order_acquire) == 1;
  }

  std::vector<cv::Mat> buffers_;
  cv::Mat spare_;
};

}  // namespace

const char* to_string(SourceState s) noexcept {
  switch (s) {
    case SourceState::kOk:
      return "ok";
    case SourceState::kReconnecting:
      return "reconnecting";
    case SourceState::kEnded:
      return "ended";
  }
  return "unknown";
}

SourceKind source_kind(const std::string& uri) {
  if (starts_with(uri, "/dev/video") || starts_with(uri, "v4l2:")) return SourceKind::kDevice;
  if (starts_with(uri, "gst:") || uri.find(" ! ") != std::string::npos) return SourceKind::kGStreamer;
  for (const char* scheme : {"rtsp://", "rtsps://", "http://", "https://", "udp://", "rtmp://"}) {
    if (starts_with(uri, scheme)) return SourceKind::kStream;
  }
  return SourceKind::kFile;
}

namespace {

// A file source that is not there is a configuration error, said before any decoder runs.
void require_file(const std::string& uri) {
  const std::string path = starts_with(uri, "file://") ? uri.substr(7) : uri;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorCode::kInput, "video source '" + path +
                                       "': no such file (for a stream give its rtsp:// or "
                                       "http:// URL, for a camera /dev/videoN)");
  }
}

}  // namespace

FrameSource::FrameSource(SourceSettings settings) : settings_(std::move(settings)) {}

void FrameSource::run(const std::stop_token& stop, const std::function<void(Frame)>& sink,
                      const std::function<void()>& on_gap) {
  const SourceKind kind = source_kind(settings_.uri);
  const std::string shown = without_password(settings_.uri);  // logs must not carry a stream's password
  if (kind == SourceKind::kFile) require_file(settings_.uri);
  std::int64_t next_id = 1;
  double backoff_s = settings_.reconnect_min_s;
  bool first_open = true;
  while (!stop.stop_requested()) {
    std::string why;
    const std::unique_ptr<VideoInput> input = open_video_input(
        settings_.uri, kind, {std::chrono::milliseconds(settings_.open_timeout_ms), stop}, why);
    if (stop.stop_requested()) break;
    if (input == nullptr) {
      if (kind == SourceKind::kFile) {
        throw Error(ErrorCode::kInput, "video source '" + shown + "': cannot be decoded (" + why + ")");
      }
      state_ = SourceState::kReconnecting;
      spdlog::warn("video source {} cannot be opened ({}); retrying in {:.0f} s", shown, why, backoff_s);
      wait_or_stop(stop, std::chrono::milliseconds(static_cast<int>(backoff_s * 1000)));
      backoff_s = std::min(settings_.reconnect_max_s, backoff_s * 2);
      continue;
    }
    if (!first_open && kind != SourceKind::kFile) ++reconnects_;  // a file played again was not lost
    first_open = false;
    state_ = SourceState::kOk;
    const double fps = input->fps();
    nominal_fps_ = fps;
    spdlog::info("video source {} open ({}x{} at {:.1f} fps)", shown, input->size().width,
                 input->size().height, fps);
    const std::int64_t index = read_frames(*input, kind, fps, stop, sink, next_id);
    if (index > 0)
      backoff_s = settings_.reconnect_min_s;  // frames arrived: the next loss starts again at the minimum
    if (stop.stop_requested()) break;
    if (on_gap) on_gap();
    if (kind == SourceKind::kFile) {
      if (!settings_.loop) {
        spdlog::info("video source {} ended after {} frames", shown, index);
        state_ = SourceState::kEnded;
        return;
      }
      if (index == 0) throw Error(ErrorCode::kInput, "video source '" + shown + "' has no frames");
      continue;  // loop the file
    }
    state_ = SourceState::kReconnecting;
    spdlog::warn("video source {} lost after {} frames; reconnecting in {:.0f} s", shown, index, backoff_s);
    wait_or_stop(stop, std::chrono::milliseconds(static_cast<int>(backoff_s * 1000)));
    backoff_s = std::min(settings_.reconnect_max_s, backoff_s * 2);
  }
  state_ = SourceState::kEnded;
}

std::int64_t FrameSource::read_frames(VideoInput& input, SourceKind kind, double fps,
                                      const std::stop_token& stop, const std::function<void(Frame)>& sink,
                                      std::int64_t& next_id) {
  const auto start_wall = std::chrono::steady_clock::now();
  const TimestampMs start_ms = now_ms();
  std::int64_t index = 0;
  FrameBuffers buffers;
  while (!stop.stop_requested()) {
    Frame frame;
    cv::Mat& i420 = buffers.next();
    if (!input.read(i420)) break;
    frame.i420 = i420;  // shares the buffer, which is free again once the frame is gone
    const auto offset = std::chrono::microseconds(static_cast<std::int64_t>(index * 1e6 / fps));
    if (kind == SourceKind::kFile && settings_.realtime) std::this_thread::sleep_until(start_wall + offset);
    frame.id = next_id++;
    // A file read faster than real time gets the capture times a camera would have given it.
    frame.captured_at = (kind == SourceKind::kFile && !settings_.realtime)
                            ? start_ms + std::chrono::duration_cast<std::chrono::milliseconds>(offset).count()
                            : now_ms();
    ++index;
    ++captured_;
    sink(std::move(frame));
  }
  return index;
}

}  // namespace anpr::edge
