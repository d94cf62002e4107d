#pragma once
/// @file
/// One opened video source, decoding straight into the pipeline's I420 frames: FFmpeg
/// (libavformat and libavcodec) for files and network streams, GStreamer's appsink for
/// pipelines and V4L2 devices. Frames are decoded once and converted once, from whatever layout
/// the decoder gives (4:2:0, 4:2:2, packed RGB, grey) into I420 with full-range luma
/// (i420_image.hpp); no BGR picture is made on the way. FrameSource opens one, reads it until it
/// ends or is lost, and opens it again.

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>

#include <opencv2/core.hpp>

namespace anpr::edge {

enum class SourceKind;

/// Larger pictures than any camera gives (8K is 33 megapixels) are refused rather than decoded:
/// a damaged or hostile stream must not make capture allocate without bound.
inline constexpr long long kMaxFramePixels = 36'000'000;

class VideoInput {
 public:
  VideoInput() = default;
  VideoInput(const VideoInput&) = delete;
  VideoInput& operator=(const VideoInput&) = delete;
  virtual ~VideoInput() = default;

  /// Decodes the next picture into `i420`, reusing its buffer when the size fits (it must not be
  /// shared). False at the end of a file, when a stream is lost or stays silent past the read
  /// timeout, or once `stop` (given at open) is requested.
  [[nodiscard]] virtual bool read(cv::Mat& i420) = 0;
  /// The source's nominal frame rate (25 when it does not say).
  [[nodiscard]] virtual double fps() const = 0;
  /// The picture size it announced when opened.
  [[nodiscard]] virtual cv::Size size() const = 0;
};

struct VideoInputOptions {
  std::chrono::milliseconds timeout{
      10000};            ///< streams and pipelines: give up an open or a read after this long
  std::stop_token stop;  ///< ends a wait inside open or read at once
};

/// Opens `uri` as `kind` says (frame_source.hpp: a file path, an rtsp:// or http:// stream,
/// /dev/videoN or v4l2:N, a gst: pipeline). Returns null and sets `why` (what failed, in words)
/// when it cannot be opened.
[[nodiscard]] std::unique_ptr<VideoInput> open_video_input(const std::string& uri, SourceKind kind,
                                                           const VideoInputOptions& options,
                                                           std::string& why);

/// The two kinds of input open_video_input chooses between: FFmpeg for a file or a stream URL ...
[[nodiscard]] std::unique_ptr<VideoInput> open_ffmpeg_input(const std::string& url, bool stream,
                                                            const VideoInputOptions& options,
                                                            std::string& why);
/// ... and GStreamer for a pipeline description, which must hold an appsink.
[[nodiscard]] std::unique_ptr<VideoInput> open_gstreamer_input(const std::string& pipeline,
                                                               const VideoInputOptions& options,
                                                               std::string& why);

/// The GStreamer pipeline a source URI stands for: a gst: pipeline as given (without the prefix),
/// a V4L2 device as a v4l2src pipeline ending in an appsink.
[[nodiscard]] std::string gstreamer_pipeline(const std::string& uri, SourceKind kind);

}  // namespace anpr::edge
