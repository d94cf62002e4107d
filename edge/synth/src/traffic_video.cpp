#include "anpr/synth/traffic_video.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <random>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/time.hpp"
#include "anpr/synth/plate_renderer.hpp"

namespace anpr::synth {
namespace {

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

/// A vehicle in flight: where it is at each frame and what it looks like.
struct Vehicle {
  VehiclePass pass;
  cv::Mat plate;  ///< rendered at the largest size it is shown
  cv::Scalar body;
  cv::Point2d from, to;               ///< plate centre at the first and last frame, frame fractions
  double char_from = 0, char_to = 0;  ///< character height in pixels at the first and last frame
  double shear = 0;                   ///< perspective: fraction of plate height the right edge drops
};

cv::Mat street(cv::Size size, std::mt19937_64& rng) {
  cv::Mat img(size, CV_8UC3);
  const int horizon = size.height / 4;
  img(cv::Rect(0, 0, size.width, horizon)).setTo(cv::Scalar(200, 170, 140));  // sky
  // Buildings along the horizon.
  for (int x = 0; x < size.width;) {
    const int w = static_cast<int>(uniform(rng, 0.05, 0.15) * size.width);
    const int h = static_cast<int>(uniform(rng, 0.3, 0.9) * horizon);
    cv::rectangle(img, cv::Rect(x, horizon - h, w, h),
                  cv::Scalar(uniform(rng, 60, 160), uniform(rng, 60, 160), uniform(rng, 60, 160)),
                  cv::FILLED);
    x += w;
  }
  // Tarmac getting lighter towards the camera, kerbs, lane markings.
  for (int y = horizon; y < size.height; ++y) {
    const double v = 70 + 40.0 * (y - horizon) / (size.height - horizon);
    img.row(y).setTo(cv::Scalar(v, v, v + 4));
  }
  const int cx = size.width / 2;
  for (int y = horizon + 10; y < size.height; y += size.height / 12) {
    const double t = static_cast<double>(y - horizon) / (size.height - horizon);
    cv::line(img, {cx, y}, {cx, y + static_cast<int>(std::floor(size.height / 24.0) * (0.4 + t))},
             cv::Scalar::all(235), std::max(2, static_cast<int>(8 * t)));
  }
  cv::line(img, {cx - size.width / 12, horizon}, {0, size.height * 9 / 10}, cv::Scalar::all(190), 6);
  cv::line(img, {cx + size.width / 12, horizon}, {size.width, size.height * 9 / 10}, cv::Scalar::all(190), 6);
  return img;
}

/// Draws a vehicle seen from the front or back, its plate at the bottom centre.
void draw_vehicle(cv::Mat& frame, const Vehicle& v, double t) {
  const cv::Point2d c((v.from.x + (v.to.x - v.from.x) * t) * frame.cols,
                      (v.from.y + (v.to.y - v.from.y) * t) * frame.rows);
  const double char_px = v.char_from + (v.char_to - v.char_from) * t;
  const double k =
      char_px / static_cast<double>(v.plate.rows) * (v.pass.two_rows ? 203.0 / 79.0 : 111.0 / 79.0);
  const cv::Size plate_size(std::max(8, cvRound(v.plate.cols * k)), std::max(4, cvRound(v.plate.rows * k)));
  const double car_w = plate_size.width * (v.pass.two_rows ? 5.5 : 3.0);
  const double car_h = car_w * 0.75;
  const cv::Rect body(cvRound(c.x - car_w / 2), cvRound(c.y - car_h * 0.8), cvRound(car_w), cvRound(car_h));
  cv::rectangle(frame, body, v.body, cv::FILLED, cv::LINE_AA);
  cv::rectangle(frame,
                cv::Rect(body.x + body.width / 10, body.y + body.height / 12, body.width * 8 / 10,
                         body.height * 4 / 10),
                cv::Scalar(50, 45, 40), cv::FILLED, cv::LINE_AA);  // windscreen
  for (int side : {-1, 1}) {                                       // lamps
    cv::circle(frame, {cvRound(c.x + side * car_w * 0.38), cvRound(c.y - car_h * 0.18)},
               std::max(2, cvRound(car_w * 0.05)),
               v.pass.rear ? cv::Scalar(30, 30, 200) : cv::Scalar(220, 230, 240), cv::FILLED, cv::LINE_AA);
  }
  // The plate, with a little perspective.
  cv::Mat plate;
  cv::resize(v.plate, plate, plate_size, 0, 0, cv::INTER_AREA);
  const float w = static_cast<float>(plate_size.width), h = static_cast<float>(plate_size.height);
  const float drop = static_cast<float>(v.shear * h);
  const cv::Point2f origin(static_cast<float>(c.x) - w / 2, static_cast<float>(c.y) - h / 2);
  const std::vector<cv::Point2f> src = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  const std::vector<cv::Point2f> dst = {origin, origin + cv::Point2f(w, drop),
                                        origin + cv::Point2f(w, h + drop * 0.5F), origin + cv::Point2f(0, h)};
  cv::Mat warped, mask;
  const cv::Mat hm = cv::getPerspectiveTransform(src, dst);
  cv::warpPerspective(plate, warped, hm, frame.size(), cv::INTER_LINEAR);
  cv::warpPerspective(cv::Mat(plate.size(), CV_8UC1, cv::Scalar(255)), mask, hm, frame.size(),
                      cv::INTER_LINEAR);
  warped.copyTo(frame, mask > 128);
}

/// The caption as a recorder draws it: white with a dark outline, one line, in a corner.
void draw_caption(cv::Mat& frame, const CaptionSettings& c, TimestampMs now) {
  static constexpr int kFonts[] = {cv::FONT_HERSHEY_SIMPLEX, cv::FONT_HERSHEY_DUPLEX, cv::FONT_HERSHEY_PLAIN,
                                   cv::FONT_HERSHEY_COMPLEX};
  const int font = kFonts[std::clamp(c.font, 0, 3)];
  std::string when = to_iso8601(now);  // 2026-06-04T14:29:38.000Z -> 2026-06-04 14:29:38
  when = when.substr(0, 10) + " " + when.substr(11, 8);
  const std::string text = when + "  " + c.camera_name;
  const double scale = frame.rows / 720.0 * (font == cv::FONT_HERSHEY_PLAIN ? 2.0 : 0.9);
  const int thickness = std::max(1, cvRound(frame.rows / 360.0));
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, font, scale, thickness, &baseline);
  const int margin = frame.rows / 40;
  const bool left = c.corner == CaptionCorner::kTopLeft || c.corner == CaptionCorner::kBottomLeft;
  const bool top = c.corner == CaptionCorner::kTopLeft || c.corner == CaptionCorner::kTopRight;
  const cv::Point at(left ? margin : frame.cols - margin - size.width,
                     top ? margin + size.height : frame.rows - margin);
  cv::putText(frame, text, at, font, scale, cv::Scalar::all(20), thickness + 3, cv::LINE_AA);
  cv::putText(frame, text, at, font, scale, cv::Scalar::all(245), thickness, cv::LINE_AA);
}

/// Which pass carries each of `s.plates` (nullopt: a random registration), placed by a stream of
/// its own so that a seed's other passes are the same with or without them.
std::vector<std::optional<Registration>> given_registrations(const TrafficSettings& s, std::uint64_t seed) {
  std::vector<std::optional<Registration>> out(static_cast<std::size_t>(s.vehicles));
  if (s.plates.size() > out.size()) {
    throw Error(ErrorCode::kInput, std::to_string(s.plates.size()) + " given plates do not fit in " +
                                       std::to_string(s.vehicles) + " vehicle passes");
  }
  std::vector<std::size_t> order(out.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 placement(seed ^ 0x9e3779b97f4a7c15ULL);
  std::shuffle(order.begin(), order.end(), placement);
  for (std::size_t k = 0; k < s.plates.size(); ++k) {
    auto reg = registration_of(s.plates[k]);
    if (!reg) throw Error(ErrorCode::kInput, "plate '" + s.plates[k] + "' is not a UK registration");
    out[order[k]] = std::move(reg);
  }
  return out;
}

/// The sign and the parked car, drawn into the background once, from a random stream of their own
/// so that a seed gives the same vehicles with or without them.
StaticTexts draw_still_things(cv::Mat& background, const TrafficSettings& s, PlateRenderer& renderer,
                              std::uint64_t seed) {
  std::mt19937_64 still_rng(seed ^ 0x5747a7e5ULL);
  StaticTexts still;
  if (s.sign) {
    const Registration reg = random_registration(still_rng);
    PlateStyle style;
    style.side = PlateSide::kFront;
    style.px_per_mm = 0.45 * s.max_char_px / 79.0 * 2.0;
    cv::Mat sign = renderer.render(reg.text, reg.split, style).image;
    const cv::Rect where(cvRound(s.frame.width * 0.78), cvRound(s.frame.height * 0.08), sign.cols, sign.rows);
    if ((where & cv::Rect({0, 0}, s.frame)) == where) sign.copyTo(background(where));
    still.sign = reg.text;
  }
  if (s.parked_car) {
    Vehicle parked;
    const Registration reg = random_registration(still_rng);
    PlateStyle style;
    style.side = PlateSide::kRear;
    style.px_per_mm = 2.0 * s.max_char_px / 79.0;
    parked.plate = renderer.render(reg.text, reg.split, style).image;
    parked.body = cv::Scalar(40, 40, 150);
    parked.from = parked.to = {0.13, 0.80};
    parked.char_from = parked.char_to = 0.8 * s.max_char_px;
    parked.pass.rear = true;
    draw_vehicle(background, parked, 0.0);
    still.parked_car = reg.text;
  }
  return still;
}

/// Where the vehicle goes: across the picture, or along the road approaching or receding.
void choose_path(Vehicle& v, std::mt19937_64& rng, const TrafficSettings& s) {
  const double lane = uniform(rng, -0.04, 0.04);
  if (uniform(rng, 0, 1) < s.lateral_share) {
    const bool right = uniform(rng, 0, 1) < 0.5;
    const double y = uniform(rng, 0.55, 0.75);
    v.from = {right ? 0.1 : 0.9, y};
    v.to = {right ? 0.9 : 0.1, y};
    v.char_from = v.char_to = uniform(rng, (s.min_char_px + s.max_char_px) / 2.0, s.max_char_px);
    v.pass.direction = {Motion::kUnknown,
                        right ? Lateral::kRight : Lateral::kLeft};  // neither nearer nor further
  } else if (uniform(rng, 0, 1) < 0.5) {  // approaching, in the left lane: down and bigger
    v.from = {0.40 + lane, 0.40};
    v.to = {0.40 + lane, 0.85};  // straight down the lane: no sideways drift
    v.char_from = s.min_char_px;
    v.char_to = s.max_char_px;
    v.pass.direction = {Motion::kApproaching, Lateral::kNone};
  } else {  // receding, in the right lane: up and smaller
    v.from = {0.70 + lane, 0.85};
    v.to = {0.70 + lane, 0.40};
    v.char_from = s.max_char_px;
    v.char_to = s.min_char_px;
    v.pass.direction = {Motion::kReceding, Lateral::kNone};
  }
}

/// A vehicle carrying `reg`: its plate's look, its colour and its path, all drawn from `rng`.
Vehicle make_vehicle(const Registration& reg, std::mt19937_64& rng, PlateRenderer& renderer,
                     const TrafficSettings& s) {
  Vehicle v;
  PlateStyle style;
  v.pass.rear = uniform(rng, 0, 1) < 0.5;
  style.side = v.pass.rear ? PlateSide::kRear : PlateSide::kFront;
  v.pass.two_rows = reg.split > 0 && uniform(rng, 0, 1) < 0.1;
  style.layout = v.pass.two_rows ? PlateLayout::kTwoRows : PlateLayout::kOneRow;
  style.font = std::uniform_int_distribution<int>(0, static_cast<int>(renderer.font_count()) - 1)(rng);
  style.uk_band = uniform(rng, 0, 1) < 0.3;
  style.px_per_mm = 2.0 * s.max_char_px / 79.0;
  v.plate = renderer.render(reg.text, reg.split, style).image;
  v.pass.text = reg.text;
  v.pass.format = reg.format;
  v.body = cv::Scalar(uniform(rng, 20, 230), uniform(rng, 20, 230), uniform(rng, 20, 230));
  v.shear = uniform(rng, -0.12, 0.12);
  return v;
}

/// The vehicles in view at frame `f`, each with how far through its pass it is, nearer ones
/// (lower in the picture) last so that they are drawn over the others.
std::vector<std::pair<double, const Vehicle*>> visible_at(std::int64_t f,
                                                          const std::vector<Vehicle>& vehicles,
                                                          std::int64_t pass_frames) {
  std::vector<std::pair<double, const Vehicle*>> visible;
  for (const auto& v : vehicles) {
    if (f < v.pass.first_frame || f > v.pass.last_frame) continue;
    const double t = static_cast<double>(f - v.pass.first_frame) / static_cast<double>(pass_frames - 1);
    visible.emplace_back(t, &v);
  }
  std::sort(visible.begin(), visible.end(), [](auto& a, auto& b) {
    return a.second->from.y + (a.second->to.y - a.second->from.y) * a.first <
           b.second->from.y + (b.second->to.y - b.second->from.y) * b.first;
  });
  return visible;
}

}  // namespace

std::vector<VehiclePass> write_traffic_video(const std::string& path, const TrafficSettings& s,
                                             std::uint64_t seed, StaticTexts* statics) {
  std::mt19937_64 rng(seed);
  PlateRenderer renderer;
  const bool mp4 = path.size() > 4 && path.substr(path.size() - 4) == ".mp4";
  cv::VideoWriter writer(
      path, cv::VideoWriter::fourcc('M', mp4 ? 'P' : 'J', mp4 ? '4' : 'P', mp4 ? 'V' : 'G'), s.fps, s.frame);
  if (!writer.isOpened()) throw Error(ErrorCode::kIo, "cannot write video " + path);
  cv::Mat background = street(s.frame, rng);
  const StaticTexts still = draw_still_things(background, s, renderer, seed);
  if (statics != nullptr) *statics = still;
  // A few noise frames, cycled: sensor noise without the cost of drawing it every frame.
  std::vector<cv::Mat> noise(4);
  for (auto& n : noise) {
    n.create(s.frame, CV_16SC3);
    cv::RNG(rng()).fill(n, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(3));
  }

  const auto pass_frames = static_cast<std::int64_t>(s.pass_seconds * s.fps);
  const auto gap_frames = static_cast<std::int64_t>(s.gap_seconds * s.fps);
  const std::vector<std::optional<Registration>> given = given_registrations(s, seed);
  std::vector<Vehicle> vehicles;
  for (int i = 0; i < s.vehicles; ++i) {
    Registration reg = random_registration(rng);  // drawn in any case: a seed's other passes stay the same
    if (given[static_cast<std::size_t>(i)]) reg = *given[static_cast<std::size_t>(i)];
    Vehicle v = make_vehicle(reg, rng, renderer, s);
    v.pass.first_frame = 1 + i * gap_frames;
    v.pass.last_frame = v.pass.first_frame + pass_frames - 1;
    choose_path(v, rng, s);
    vehicles.push_back(std::move(v));
  }

  const std::int64_t total =
      vehicles.back().pass.last_frame + static_cast<std::int64_t>(s.fps);  // a second of empty road
  cv::Mat frame, noisy;
  for (std::int64_t f = 1; f <= total; ++f) {
    background.copyTo(frame);
    for (const auto& [t, v] : visible_at(f, vehicles, pass_frames)) draw_vehicle(frame, *v, t);
    if (s.caption.corner != CaptionCorner::kNone) {
      draw_caption(frame, s.caption,
                   s.caption.start + static_cast<TimestampMs>(static_cast<double>(f - 1) * 1000.0 / s.fps));
    }
    frame.convertTo(noisy, CV_16SC3);
    noisy += noise[static_cast<std::size_t>(f) % noise.size()];
    noisy.convertTo(frame, CV_8UC3);
    writer.write(frame);
  }
  std::vector<VehiclePass> passes;
  for (const auto& v : vehicles) passes.push_back(v.pass);
  return passes;
}

void write_passes_csv(const std::string& path, const std::vector<VehiclePass>& passes) {
  std::ofstream out(path);
  if (!out) throw Error(ErrorCode::kIo, "cannot write " + path);
  out << "text,format,first_frame,last_frame,motion,lateral,rear,two_rows\n";
  for (const auto& p : passes) {
    out << p.text << ',' << p.format << ',' << p.first_frame << ',' << p.last_frame << ','
        << to_string(p.direction.motion) << ',' << to_string(p.direction.lateral) << ',' << (p.rear ? 1 : 0)
        << ',' << (p.two_rows ? 1 : 0) << '\n';
  }
}

}  // namespace anpr::synth
