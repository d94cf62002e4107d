#pragma once
/// @file
/// Cameras by id, with distances between them: what the analyses need of the camera registry.

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "anpr/common/time.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver::analysis {

/// Great-circle distance in kilometres (haversine; the Earth as a sphere of radius 6,371 km:
/// within 0.5% of the true distance, far less than the difference between road and straight line).
[[nodiscard]] double distance_km(double lat1, double lon1, double lat2, double lon2);

inline constexpr double kKmPerMile = 1.609344;

class CameraDirectory {
 public:
  CameraDirectory() = default;
  explicit CameraDirectory(const std::vector<CameraInfo>& cameras);
  [[nodiscard]] const CameraInfo* find(const std::string& camera_id) const;
  /// Straight-line distance between two cameras; nullopt when either has no coordinates.
  [[nodiscard]] std::optional<double> distance_km(const std::string& a, const std::string& b) const;
  /// The camera's name, or its id when it has none.
  [[nodiscard]] std::string name(const std::string& camera_id) const;

 private:
  std::unordered_map<std::string, CameraInfo> cameras_;
};

}  // namespace anpr::receiver::analysis
