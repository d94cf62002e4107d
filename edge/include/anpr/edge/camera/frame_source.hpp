#pragma once
/// @file
/// Video in: a file, an RTSP or HTTP/MJPEG stream, a V4L2 device or a GStreamer pipeline, through
/// FFmpeg or GStreamer (video_input.hpp). Streams and devices reconnect with exponential backoff; a file
/// plays at its own frame rate (as a camera would deliver it) or as fast as it decodes, and loops or ends.
/// Every frame carries an id and its capture time (UTC ms).

#include <atomic>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "anpr/common/time.hpp"
#include "anpr/edge/reader/expected_plate.hpp"

namespace anpr::edge {

class VideoInput;

struct Frame {
  std::int64_t id = 0;  ///< 1, 2, ... in capture order, across reconnects
  TimestampMs captured_at = 0;
  /// The picture as I420 (i420_image.hpp): half the memory of BGR. Capture converts into a few
  /// buffers it uses again once no stage holds their frame: keep a part of the picture past the
  /// frame's recognition only as a copy of its own.
  cv::Mat i420;
  std::vector<cv::Rect> regions;  ///< where something moved (empty with motion gating off: look everywhere)
  bool gated = false;             ///< motion gating ran and found nothing: nothing to look at
  cv::Mat changes;    ///< pixels changed since the previous frame, small (MotionGate::last_changes)
  bool fresh = true;  ///< something moves where no settled pass is (fresh_motion): kept first when busy
  /// The plates of the passes that were settled when the frame was admitted, where they were
  /// predicted to be in it (frame pixels): a plate read surely as expected there needs no
  /// Tesseract (PlateReader::read).
  std::vector<ExpectedPlate> expected_plates;
};

struct SourceSettings {
  std::string uri;
  bool loop = false;     ///< files: start again at the end instead of ending the run
  bool realtime = true;  ///< files: deliver at the file's frame rate, as a camera would
  double reconnect_min_s = 1.0;
  double reconnect_max_s = 30.0;
  int open_timeout_ms = 10000;  ///< streams: give up an open or a read after this long
};

enum class SourceKind { kFile, kStream, kDevice, kGStreamer };
enum class SourceState { kOk, kReconnecting, kEnded };

[[nodiscard]] const char* to_string(SourceState s) noexcept;

/// Which kind of source a URI names: "/dev/videoN" or "v4l2:N" devices, "gst:" or "... ! ..."
/// pipelines, "rtsp://", "http(s)://", "udp://" streams; anything else is a file path.
[[nodiscard]] SourceKind source_kind(const std::string& uri);

class FrameSource {
 public:
  explicit FrameSource(SourceSettings settings);
  /// Captures until `stop` or the end of a non-looping file, handing each frame to `sink`
  /// (which must not block for long: capture never waits for processing). `on_gap` is called
  /// when the source is lost, so open work can be finished. Throws anpr::Error only when a file
  /// cannot be opened at all; streams and devices retry for ever, and `stop` ends the wait
  /// between two tries at once.
  void run(const std::stop_token& stop, const std::function<void(Frame)>& sink,
           const std::function<void()>& on_gap = {});

  [[nodiscard]] SourceState state() const { return state_.load(); }
  [[nodiscard]] std::int64_t frames_captured() const { return captured_.load(); }
  [[nodiscard]] std::int64_t reconnects() const { return reconnects_.load(); }
  [[nodiscard]] double nominal_fps() const { return nominal_fps_.load(); }

 private:
  /// Passes the open capture's frames to `sink` until it ends or `stop`; returns how many.
  std::int64_t read_frames(VideoInput& input, SourceKind kind, double fps, const std::stop_token& stop,
                           const std::function<void(Frame)>& sink, std::int64_t& next_id);

  SourceSettings settings_;
  std::atomic<SourceState> state_{SourceState::kOk};
  std::atomic<std::int64_t> captured_{0};
  std::atomic<std::int64_t> reconnects_{0};
  std::atomic<double> nominal_fps_{0.0};
};

}  // namespace anpr::edge
