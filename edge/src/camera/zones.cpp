#include "anpr/edge/camera/zones.hpp"

#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "anpr/common/error.hpp"

namespace anpr::edge {
namespace {

using Point = std::pair<double, double>;

double cross(const Point& o, const Point& a, const Point& b) {
  return (a.first - o.first) * (b.second - o.second) - (a.second - o.second) * (b.first - o.first);
}

/// Whether segments ab and cd cross at a point inside both (touching ends of neighbours is not).
bool segments_cross(const Point& a, const Point& b, const Point& c, const Point& d) {
  const double d1 = cross(c, d, a), d2 = cross(c, d, b), d3 = cross(a, b, c), d4 = cross(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

std::string compact(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

double area(const Polygon& p) {
  double twice = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const Point& a = p[i];
    const Point& b = p[(i + 1) % p.size()];
    twice += a.first * b.second - b.first * a.second;
  }
  return std::abs(twice) / 2;
}

}  // namespace

std::string polygon_problem(const Polygon& polygon, ZoneUnits units, cv::Size frame) {
  if (polygon.size() < 3) return "needs at least 3 points, has " + std::to_string(polygon.size());
  for (std::size_t i = 0; i < polygon.size(); ++i) {
    const auto [x, y] = polygon[i];
    const std::string which = "point " + std::to_string(i + 1) + " (" + compact(x) + ", " + compact(y) + ")";
    if (!std::isfinite(x) || !std::isfinite(y)) return which + " is not a number";
    if (units == ZoneUnits::kFraction && (x < 0 || x > 1 || y < 0 || y > 1)) {
      return which + " is outside the frame: fractions run from 0 to 1";
    }
    if (units == ZoneUnits::kPixels &&
        (x < 0 || y < 0 || (!frame.empty() && (x > frame.width || y > frame.height)))) {
      return which + " is outside the frame" +
             (frame.empty()
                  ? ""
                  : " of " + std::to_string(frame.width) + "x" + std::to_string(frame.height) + " pixels");
    }
  }
  const std::size_t n = polygon.size();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (j == i + 1 || (i == 0 && j == n - 1)) continue;  // neighbours share a corner
      if (segments_cross(polygon[i], polygon[(i + 1) % n], polygon[j], polygon[(j + 1) % n])) {
        return "crosses itself: the edge from point " + std::to_string(i + 1) +
               " crosses the edge from point " + std::to_string(j + 1) +
               " (list the points in order around the zone)";
      }
    }
  }
  const double smallest = units == ZoneUnits::kFraction ? 1e-6 : 1.0;
  if (area(polygon) < smallest) return "has no area (its points lie on a line)";
  return {};
}

void check_zones_fit(const ZoneSettings& zones, cv::Size frame) {
  const auto check = [&](const std::vector<Polygon>& polygons, const char* kind) {
    for (std::size_t i = 0; i < polygons.size(); ++i) {
      const std::string problem = polygon_problem(polygons[i], zones.units, frame);
      if (!problem.empty()) {
        throw Error(ErrorCode::kConfig,
                    std::string("zones.") + kind + "[" + std::to_string(i + 1) + "]: " + problem);
      }
    }
  };
  check(zones.ignore, "ignore");
  check(zones.read, "read");
}

std::vector<cv::Point2f> Zones::in_pixels(const Polygon& polygon, cv::Size frame) const {
  const bool fractions = settings_.units == ZoneUnits::kFraction;
  std::vector<cv::Point2f> out;
  out.reserve(polygon.size());
  for (const auto& [x, y] : polygon) {
    out.emplace_back(static_cast<float>(fractions ? x * frame.width : x),
                     static_cast<float>(fractions ? y * frame.height : y));
  }
  return out;
}

bool Zones::readable(cv::Point2f point, cv::Size frame) const {
  for (const Polygon& p : settings_.ignore) {
    if (cv::pointPolygonTest(in_pixels(p, frame), point, false) >= 0) return false;
  }
  if (settings_.read.empty()) return true;
  for (const Polygon& p : settings_.read) {
    if (cv::pointPolygonTest(in_pixels(p, frame), point, false) >= 0) return true;
  }
  return false;
}

void Zones::draw(cv::Mat& bgr) const {
  const cv::Size frame = bgr.size();
  const auto draw_kind = [&](const std::vector<Polygon>& polygons, const cv::Scalar& colour,
                             const char* kind) {
    for (std::size_t i = 0; i < polygons.size(); ++i) {
      std::vector<cv::Point> corners;
      for (const auto& p : in_pixels(polygons[i], frame)) corners.emplace_back(cvRound(p.x), cvRound(p.y));
      cv::Mat filled = bgr.clone();
      cv::fillPoly(filled, std::vector<std::vector<cv::Point>>{corners}, colour);
      cv::addWeighted(filled, 0.4, bgr, 0.6, 0, bgr);
      cv::polylines(bgr, corners, true, colour, std::max(2, frame.width / 400));
      const std::string label = std::string(kind) + " " + std::to_string(i + 1);
      cv::putText(bgr, label, corners.front() + cv::Point(6, 24), cv::FONT_HERSHEY_SIMPLEX, 0.8, colour, 2);
    }
  };
  draw_kind(settings_.read, cv::Scalar(0, 200, 0), "read");
  draw_kind(settings_.ignore, cv::Scalar(0, 0, 230), "ignore");
}

}  // namespace anpr::edge
