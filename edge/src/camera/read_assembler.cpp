#include "anpr/edge/camera/read_assembler.hpp"

#include <algorithm>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "anpr/common/error.hpp"
#include "anpr/edge/camera/i420_image.hpp"
#include "anpr/edge/reader/image_codec.hpp"

namespace anpr::edge {

Bytes encode_jpeg_within(const cv::Mat& image, int quality, std::size_t max_bytes) {
  if (image.empty()) return {};
  cv::Mat current = image;
  while (true) {
    for (int q = quality; q >= 30; q -= 15) {
      EncodedImage out = encode_jpeg(current, q);
      // Crops and overviews are 8-bit BGR: anything else is a bug, not a picture to leave out.
      if (!out.error.empty()) throw Error(ErrorCode::kInternal, "encode_jpeg_within: " + out.error);
      if (out.bytes.size() <= max_bytes) return std::move(out.bytes);
    }
    if (current.cols < 32 || current.rows < 16) return {};
    cv::resize(current, current, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
  }
}

ReadMessage assemble_read(const VehicleRead& read, const std::string& camera_id, const std::string& site_id,
                          const ImageSettings& images) {
  ReadMessage m;
  m.read_id = read.read_id;
  m.camera_id = camera_id;
  m.site_id = site_id;
  m.captured_at = read.captured_at;
  m.plate = read.text.text;
  m.confidence = std::clamp(read.text.confidence, 0.0, 1.0);
  m.char_confidences = read.text.char_confidences;
  m.char_confidences.resize(m.plate.size(), m.confidence);
  for (double& c : m.char_confidences) c = std::clamp(c, 0.0, 1.0);
  m.format = read.text.format.empty() ? "unknown" : read.text.format;
  m.country = read.text.country;
  for (const auto& alt : read.text.candidates) {
    if (m.candidates.size() >= MessageLimits::kMaxCandidates) break;
    if (alt.text.empty() || alt.text == m.plate) continue;
    m.candidates.push_back({alt.text, std::clamp(alt.confidence, 0.0, 1.0)});
  }
  m.direction = read.direction;
  m.box = {read.box.x, read.box.y, read.box.width, read.box.height};
  m.crop_jpeg = encode_jpeg_within(read.crop, images.crop_quality, MessageLimits::kMaxCropBytes);
  if (images.overview && !read.overview.empty()) {
    m.overview_jpeg = encode_jpeg_within(i420_to_bgr(read.overview), images.overview_quality,
                                         MessageLimits::kMaxOverviewBytes);
  }
  m.frames_seen = std::clamp<std::int64_t>(read.frames_seen, 1, MessageLimits::kMaxFramesSeen);
  // The schema requires first_seen <= captured_at <= last_seen; the receiver rejects anything else.
  m.first_seen = std::min(read.first_seen, read.captured_at);
  m.last_seen = std::max({read.last_seen, read.first_seen, read.captured_at});
  return m;
}

}  // namespace anpr::edge
