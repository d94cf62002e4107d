#include "anpr/receiver/analysis/camera_directory.hpp"

#include <cmath>
#include <numbers>

namespace anpr::receiver::analysis {

double distance_km(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kEarthRadiusKm = 6371.0;
  constexpr double kRad = std::numbers::pi / 180.0;
  const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

CameraDirectory::CameraDirectory(const std::vector<CameraInfo>& cameras) {
  for (const auto& c : cameras) cameras_.emplace(c.camera_id, c);
}

const CameraInfo* CameraDirectory::find(const std::string& camera_id) const {
  const auto it = cameras_.find(camera_id);
  return it == cameras_.end() ? nullptr : &it->second;
}

std::optional<double> CameraDirectory::distance_km(const std::string& a, const std::string& b) const {
  const CameraInfo* ca = find(a);
  const CameraInfo* cb = find(b);
  if (!ca || !cb || !ca->latitude || !ca->longitude || !cb->latitude || !cb->longitude) return std::nullopt;
  return analysis::distance_km(*ca->latitude, *ca->longitude, *cb->latitude, *cb->longitude);
}

std::string CameraDirectory::name(const std::string& camera_id) const {
  const CameraInfo* c = find(camera_id);
  return c && !c->name.empty() ? c->name : camera_id;
}

}  // namespace anpr::receiver::analysis
