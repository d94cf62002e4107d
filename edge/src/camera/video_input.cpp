#include "anpr/edge/camera/video_input.hpp"

#include <algorithm>
#include <cctype>

#include "anpr/edge/camera/frame_source.hpp"

namespace anpr::edge {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// "/dev/video<digits>" or "v4l2:<digits>": anything else would be pasted into a pipeline.
bool device_number_given(const std::string& uri) {
  const std::string number =
      starts_with(uri, "v4l2:") ? uri.substr(5) : uri.substr(std::string("/dev/video").size());
  return !number.empty() && number.size() <= 4 &&
         std::all_of(number.begin(), number.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

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
      if (!device_number_given(uri)) {
        why = "not a V4L2 device (give /dev/videoN or v4l2:N)";
        return nullptr;
      }
      return open_gstreamer_input(gstreamer_pipeline(uri, kind), options, why);
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
