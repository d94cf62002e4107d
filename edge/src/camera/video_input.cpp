#include "anpr/edge/camera/video_input.hpp"

#include "anpr/edge/camera/frame_source.hpp"

namespace anpr::edge {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::string gstreamer_pipeline(const std::string& uri, SourceKind kind) {
  if (kind == SourceKind::kDevice) {
    const std::string device = starts_with(uri, "v4l2:") ? "/dev/video" + uri.substr(5) : uri;
    // videoconvert only where the camera's layout is one the converter does not read (MJPEG
    // cameras need a jpegdec in a gst: pipeline of their own).
    return "v4l2src device=" + device + " ! videoconvert ! appsink";
  }
  return starts_with(uri, "gst:") ? uri.substr(4) : uri;
}

std::unique_ptr<VideoInput> open_video_input(const std::string& uri, SourceKind kind,
                                             const VideoInputOptions& options, std::string& why) {
  switch (kind) {
    case SourceKind::kDevice:
    case SourceKind::kGStreamer:
      return open_gstreamer_input(gstreamer_pipeline(uri, kind), options, why);
    case SourceKind::kStream:
      return open_ffmpeg_input(uri, true, options, why);
    case SourceKind::kFile:
      return open_ffmpeg_input(starts_with(uri, "file://") ? uri.substr(7) : uri, false, options, why);
  }
  why = "unknown kind of source";
  return nullptr;
}

}  // namespace anpr::edge
