#pragma once
/// @file
/// Where a camera reads: polygons in its picture of two kinds. `ignore` zones are never read
/// (a CCTV caption, a shop sign, a car park); when `read` zones are set, plates are read only
/// inside them (the lane). A plate counts as inside a zone when its box's centre is.
/// Polygons are in fractions of the frame (0..1, x from the left, y from the top) or in pixels.

#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

namespace anpr::edge {

using Polygon = std::vector<std::pair<double, double>>;

enum class ZoneUnits { kFraction, kPixels };

struct ZoneSettings {
  ZoneUnits units = ZoneUnits::kFraction;
  std::vector<Polygon> ignore;  ///< never read inside these
  std::vector<Polygon> read;    ///< if any: read only inside these
  [[nodiscard]] bool empty() const { return ignore.empty() && read.empty(); }
};

/// Why a polygon cannot be a zone ("needs at least 3 points", "crosses itself between points 2
/// and 4", "has no area", "point 3 is outside the frame"), or "" when it can. In pixels, points
/// are checked against `frame` when it is known (non-empty), else only for being negative.
[[nodiscard]] std::string polygon_problem(const Polygon& polygon, ZoneUnits units, cv::Size frame = {});

/// Checks every zone against the frame size; throws anpr::Error (kConfig) naming the zone.
void check_zones_fit(const ZoneSettings& zones, cv::Size frame);

class Zones {
 public:
  explicit Zones(ZoneSettings settings = {}) : settings_(std::move(settings)) {}
  /// True when a plate centred at `point` (frame pixels) may be read.
  [[nodiscard]] bool readable(cv::Point2f point, cv::Size frame) const;
  /// Draws the zones onto a BGR picture of the frame: read zones green, ignore zones red, each
  /// filled half-transparent and outlined, with its kind and number written beside it.
  void draw(cv::Mat& bgr) const;
  [[nodiscard]] const ZoneSettings& settings() const { return settings_; }

 private:
  [[nodiscard]] std::vector<cv::Point2f> in_pixels(const Polygon& polygon, cv::Size frame) const;
  ZoneSettings settings_;
};

}  // namespace anpr::edge
