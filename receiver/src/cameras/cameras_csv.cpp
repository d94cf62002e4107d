#include "anpr/receiver/cameras/cameras_csv.hpp"

#include <set>

#include "../csv_line.hpp"
#include "anpr/common/ids.hpp"

namespace anpr::receiver {
namespace {

// An optional number within [lo, hi]: empty text gives nullopt; bad text sets `error`.
std::optional<double> number(const std::string& text, double lo, double hi, const char* name,
                             std::string& error) {
  if (text.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v >= lo && v <= hi) return v;
  } catch (const std::exception&) {
  }
  error = std::string(name) + " '" + text + "' must be a number from " + std::to_string(lo) + " to " +
          std::to_string(hi);
  return std::nullopt;
}

}  // namespace

ParsedCameras parse_cameras_csv(std::string_view text) {
  ParsedCameras out;
  std::set<std::string> seen;
  const std::initializer_list<std::string_view> columns = {"camera_id", "site_id",   "name",
                                                           "latitude",  "longitude", "bearing"};
  for_each_csv_record(text, out.errors, columns, [&](int line_no, const std::vector<std::string>& f) {
    CameraInfo c;
    c.camera_id = f[0];
    c.site_id = f[1];
    c.name = f[2];
    c.registered = true;
    if (!is_valid_id(c.camera_id)) {
      out.errors.add({line_no, "camera_id '" + f[0] + "' must be 1-64 of A-Z a-z 0-9 - _"});
      return;
    }
    if (!is_valid_id(c.site_id)) {
      out.errors.add({line_no, "site_id '" + f[1] + "' must be 1-64 of A-Z a-z 0-9 - _"});
      return;
    }
    if (c.name.size() > 128) {
      out.errors.add({line_no, "name is longer than 128 characters"});
      return;
    }
    std::string error;
    c.latitude = number(f[3], -90, 90, "latitude", error);
    c.longitude = number(f[4], -180, 180, "longitude", error);
    c.bearing = number(f[5], 0, 360, "bearing", error);
    if (!error.empty()) {
      out.errors.add({line_no, error});
      return;
    }
    if (c.latitude.has_value() != c.longitude.has_value()) {
      out.errors.add({line_no, "give both latitude and longitude, or neither"});
      return;
    }
    if (!seen.insert(c.camera_id).second) {
      out.errors.add({line_no, "camera " + c.camera_id + " is listed twice"});
      return;
    }
    out.cameras.push_back(std::move(c));
  });
  return out;
}

}  // namespace anpr::receiver
