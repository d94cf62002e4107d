#pragma once
/// @file
/// Camera registry import: `camera_id,site_id,name,latitude,longitude,bearing` per line (optional
/// header; position and bearing may be empty). Every bad row is reported with its line number.

#include <string_view>
#include <vector>

#include "anpr/receiver/csv_error.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

struct ParsedCameras {
  std::vector<CameraInfo> cameras;
  CsvErrors errors;
};

[[nodiscard]] ParsedCameras parse_cameras_csv(std::string_view text);

}  // namespace anpr::receiver
