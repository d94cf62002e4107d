#pragma once
/// @file
/// Turns a finished vehicle pass into the read message of docs/messages.md: plate crop and
/// optional overview as JPEG, kept under the message's size limits by lowering quality and size.

#include <string>

#include "anpr/common/messages.hpp"
#include "anpr/edge/camera/plate_tracker.hpp"
#include "anpr/edge/edge_config.hpp"

namespace anpr::edge {

[[nodiscard]] ReadMessage assemble_read(const VehicleRead& read, const std::string& camera_id,
                                        const std::string& site_id, const ImageSettings& images);

/// JPEG of at most `max_bytes`: lowers quality, then halves the size, until it fits.
[[nodiscard]] Bytes encode_jpeg_within(const cv::Mat& image, int quality, std::size_t max_bytes);

}  // namespace anpr::edge
