#include "anpr/synth/scene_generator.hpp"

#include "anpr/synth/distractors.hpp"

#include <cmath>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

#include "anpr/common/error.hpp"

namespace anpr::synth {
namespace {

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}
bool chance(std::mt19937_64& rng, double p) { return uniform(rng, 0, 1) < p; }

void motion_blur(cv::Mat& img, int length, double angle) {
  if (length < 2) return;
  cv::Mat kernel = cv::Mat::zeros(length, length, CV_32F);
  cv::line(kernel, {0, length / 2}, {length - 1, length / 2}, cv::Scalar(1.0));
  const cv::Mat rot = cv::getRotationMatrix2D({length / 2.0F, length / 2.0F}, angle, 1.0);
  cv::warpAffine(kernel, kernel, rot, kernel.size());
  kernel /= std::max(1e-6, cv::sum(kernel)[0]);
  cv::filter2D(img, img, -1, kernel);
}

// The corners of a plate of half-size `w` x `h` centred at `centre`, rotated in plane by `angle`
// (radians) and each pushed by up to `jitter` pixels for perspective.
std::vector<cv::Point2f> plate_quad(std::mt19937_64& rng, cv::Point2d centre, double w, double h,
                                    double angle, double jitter) {
  const cv::Point2d corners[4] = {{-w / 2, -h / 2}, {w / 2, -h / 2}, {w / 2, h / 2}, {-w / 2, h / 2}};
  std::vector<cv::Point2f> dst;
  for (const auto& c : corners) {
    const double x = c.x * std::cos(angle) - c.y * std::sin(angle) + uniform(rng, -jitter, jitter);
    const double y = c.x * std::sin(angle) + c.y * std::cos(angle) + uniform(rng, -jitter, jitter);
    dst.emplace_back(static_cast<float>(centre.x + x), static_cast<float>(centre.y + y));
  }
  return dst;
}

// Where the plate lands in the frame: its corners scaled, rotated in plane and pushed for perspective.
std::vector<cv::Point2f> place_plate(std::mt19937_64& rng, const SceneSettings& settings, cv::Size plate) {
  const double w = plate.width / 2.0, h = plate.height / 2.0;
  const double angle = uniform(rng, -settings.max_tilt_degrees, settings.max_tilt_degrees) * CV_PI / 180.0;
  const cv::Size frame = settings.frame;
  const double reach = std::hypot(w, h) / 2.0 + 4;
  const cv::Point2d centre(uniform(rng, reach, frame.width - reach),
                           uniform(rng, reach, frame.height - reach));
  return plate_quad(rng, centre, w, h, angle, settings.max_perspective * h);
}

// Lighting on the warped plate: brightness, a glare spot, dirt specks. `h` is half the rendered
// plate's height.
void light_plate(std::mt19937_64& rng, cv::Mat& warped, const std::vector<cv::Point2f>& dst, double h) {
  warped.convertTo(warped, -1, uniform(rng, 0.6, 1.05), uniform(rng, -25, 15));
  if (chance(rng, 0.2)) {
    cv::Mat glare = cv::Mat::zeros(warped.size(), CV_8UC3);
    cv::circle(glare, cv::Point(dst[0] + (dst[2] - dst[0]) * uniform(rng, 0.2, 0.8)),
               static_cast<int>(h * 0.4), cv::Scalar::all(uniform(rng, 40, 110)), cv::FILLED);
    cv::GaussianBlur(glare, glare, {0, 0}, h * 0.2 + 1);
    warped += glare;
  }
  if (chance(rng, 0.3)) {
    for (int i = 0; i < 12; ++i) {
      const cv::Point2f p = dst[0] + (dst[2] - dst[0]) * static_cast<float>(uniform(rng, 0, 1)) +
                            (dst[3] - dst[0]) * static_cast<float>(uniform(rng, -0.4, 0.4));
      cv::circle(warped, p, std::max(1, static_cast<int>(h * 0.02)), cv::Scalar::all(uniform(rng, 60, 120)),
                 cv::FILLED);
    }
  }
}

// What the camera does to the frame: blur, noise, compression.
cv::Mat through_camera(std::mt19937_64& rng, cv::Mat frame_img) {
  if (chance(rng, 0.5)) cv::GaussianBlur(frame_img, frame_img, {0, 0}, uniform(rng, 0.3, 1.1));
  if (chance(rng, 0.3))
    motion_blur(frame_img, std::uniform_int_distribution<int>(2, 5)(rng), uniform(rng, 0, 180));
  cv::Mat noise(frame_img.size(), CV_16SC3);
  cv::RNG(rng()).fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(uniform(rng, 1, 7)));
  cv::Mat noisy;
  frame_img.convertTo(noisy, CV_16SC3);
  noisy += noise;
  noisy.convertTo(frame_img, CV_8UC3);
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", frame_img, jpeg, {cv::IMWRITE_JPEG_QUALITY, static_cast<int>(uniform(rng, 40, 95))});
  return cv::imdecode(jpeg, cv::IMREAD_COLOR);
}

}  // namespace

SceneGenerator::SceneGenerator(SceneSettings settings, std::uint64_t seed)
    : settings_(std::move(settings)),
      rng_(seed),
      distractor_rng_(seed ^ 0x6a09e667f3bcc909ULL),
      renderer_(settings_.training_variety ? FontSet::kTraining : FontSet::kUk, settings_.uk_font_files) {
  for (const PlatePhoto& photo : settings_.plate_photos) {
    if (photo.plates.empty()) {
      throw Error(ErrorCode::kInput,
                  "plate photo " + photo.file + " has no plate box: its plate cannot be replaced");
    }
  }
}

cv::Mat SceneGenerator::background() {
  const cv::Size size = settings_.frame;
  if (!settings_.background_files.empty()) {
    std::uniform_int_distribution<std::size_t> pick(0, settings_.background_files.size() - 1);
    cv::Mat photo = cv::imread(settings_.background_files[pick(rng_)], cv::IMREAD_COLOR);
    if (!photo.empty()) {
      cv::resize(photo, photo, size, 0, 0, cv::INTER_LINEAR);
      return photo;
    }
  }
  // Procedural street: a tarmac gradient, car-body blocks, lines and some unrelated text.
  cv::Mat img(size, CV_8UC3);
  const double base = uniform(rng_, 60, 170);
  for (int y = 0; y < size.height; ++y) {
    const double v = base + 40.0 * y / size.height;
    img.row(y).setTo(cv::Scalar(v, v * uniform(rng_, 0.97, 1.03), v));
  }
  const int blocks = std::uniform_int_distribution<int>(3, 9)(rng_);
  for (int i = 0; i < blocks; ++i) {
    const cv::Point p(static_cast<int>(uniform(rng_, 0, size.width)),
                      static_cast<int>(uniform(rng_, 0, size.height)));
    const cv::Size s(static_cast<int>(uniform(rng_, 40, size.width / 2.0)),
                     static_cast<int>(uniform(rng_, 20, size.height / 3.0)));
    cv::rectangle(img, cv::Rect(p, s),
                  cv::Scalar(uniform(rng_, 0, 255), uniform(rng_, 0, 255), uniform(rng_, 0, 255)),
                  cv::FILLED);
  }
  for (int i = 0; i < 6; ++i) {
    cv::line(
        img,
        {static_cast<int>(uniform(rng_, 0, size.width)), static_cast<int>(uniform(rng_, 0, size.height))},
        {static_cast<int>(uniform(rng_, 0, size.width)), static_cast<int>(uniform(rng_, 0, size.height))},
        cv::Scalar::all(uniform(rng_, 0, 255)), static_cast<int>(uniform(rng_, 1, 6)));
  }
  if (chance(rng_, 0.5)) {  // a sign with text: a distractor the reader must not report as a plate
    const cv::Point p(static_cast<int>(uniform(rng_, 0, size.width * 0.7)),
                      static_cast<int>(uniform(rng_, 0, size.height * 0.7)));
    cv::rectangle(img, cv::Rect(p, cv::Size(180, 50)), cv::Scalar(200, 120, 20), cv::FILLED);
    cv::putText(img, chance(rng_, 0.5) ? "PARKING" : "Station Rd", p + cv::Point(8, 36),
                cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(255, 255, 255), 2, cv::LINE_AA);
  }
  cv::Mat noise(size, CV_8UC3);
  cv::RNG(rng_()).fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(6));
  img += noise;
  return img;
}

cv::Mat SceneGenerator::plate_photo(cv::Size plate, std::vector<cv::Point2f>& where) {
  std::uniform_int_distribution<std::size_t> pick(0, settings_.plate_photos.size() - 1);
  const PlatePhoto& photo = settings_.plate_photos[pick(rng_)];
  cv::Mat img = cv::imread(photo.file, cv::IMREAD_COLOR);
  if (img.empty()) throw Error(ErrorCode::kInput, "cannot read the plate photo " + photo.file);
  for (const cv::Rect& p : photo.plates) {
    // A plate off its photo would be drawn off the frame, and its scene's box be empty.
    if ((p & cv::Rect({0, 0}, img.size())) != p) {
      throw Error(ErrorCode::kInput, "plate photo " + photo.file + ": plate box " + std::to_string(p.x) +
                                         "," + std::to_string(p.y) + " " + std::to_string(p.width) + "x" +
                                         std::to_string(p.height) + " is not inside the photo (" +
                                         std::to_string(img.cols) + "x" + std::to_string(img.rows) + ")");
    }
  }
  // At most the frame's size, in the photo's own proportions: a plate squashed with its photo is
  // a plate of no real shape.
  const double fit = std::min(static_cast<double>(settings_.frame.width) / img.cols,
                              static_cast<double>(settings_.frame.height) / img.rows);
  const cv::Size frame(std::max(1, static_cast<int>(std::lround(img.cols * fit))),
                       std::max(1, static_cast<int>(std::lround(img.rows * fit))));
  cv::resize(img, img, frame, 0, 0, fit < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  // Paint every labelled plate out, with a margin for its frame and screws: a real plate left in
  // the photo would be cut as a not-a-plate example.
  cv::Mat mask = cv::Mat::zeros(frame, CV_8UC1);
  std::vector<cv::Rect2d> boxes;
  for (const cv::Rect& p : photo.plates) {
    const cv::Rect2d b(p.x * fit, p.y * fit, p.width * fit, p.height * fit);
    boxes.push_back(b);
    const cv::Rect grown(
        cv::Point(static_cast<int>(b.x - b.width * 0.1), static_cast<int>(b.y - b.height * 0.25)),
        cv::Point(static_cast<int>(b.br().x + b.width * 0.1) + 1,
                  static_cast<int>(b.br().y + b.height * 0.25) + 1));
    mask(grown & cv::Rect({0, 0}, frame)).setTo(255);
  }
  cv::inpaint(img, mask, img, 5, cv::INPAINT_TELEA);
  // The scene's plate where one of them was, covering about its area (a two-row plate has a
  // one-row plate's area, not its width), a little off its centre and a little tilted (the box says nothing
  // of the photo's own tilt).
  const cv::Rect2d& at = boxes[std::uniform_int_distribution<std::size_t>(0, boxes.size() - 1)(rng_)];
  const double w = plate.width / 2.0, h = plate.height / 2.0;
  const double scale = std::sqrt(at.area() / (w * h)) * uniform(rng_, 0.95, 1.15);
  const cv::Point2d centre(at.x + at.width * (0.5 + uniform(rng_, -0.05, 0.05)),
                           at.y + at.height * (0.5 + uniform(rng_, -0.05, 0.05)));
  const double angle = uniform(rng_, -3, 3) * CV_PI / 180.0;
  where = plate_quad(rng_, centre, w * scale, h * scale, angle, settings_.max_perspective * h * scale);
  return img;
}

SceneSample SceneGenerator::next() {
  const bool european = settings_.training_variety && chance(rng_, 0.5);
  const Registration reg = european ? random_european_registration(rng_) : random_registration(rng_);
  PlateStyle style;
  style.side = chance(rng_, settings_.rear_share) ? PlateSide::kRear : PlateSide::kFront;
  style.layout =
      !european && chance(rng_, settings_.two_row_share) ? PlateLayout::kTwoRows : PlateLayout::kOneRow;
  if (european) {
    std::discrete_distribution<int> pick_separator({40, 35, 25});
    style.separator = static_cast<GroupSeparator>(pick_separator(rng_));
  }
  const auto base_fonts = static_cast<int>(renderer_.font_count() - renderer_.extra_font_count());
  style.font = std::uniform_int_distribution<int>(0, base_fonts - 1)(rng_);
  if (renderer_.extra_font_count() > 0 && !european && chance(rng_, settings_.uk_font_share)) {
    style.font = base_fonts + std::uniform_int_distribution<int>(
                                  0, static_cast<int>(renderer_.extra_font_count()) - 1)(rng_);
  }
  style.uk_band = chance(rng_, 0.3);
  style.border = chance(rng_, 0.2);
  if (european && chance(rng_, settings_.world_share)) {
    style.world = random_world_look(rng_);
    // Many such plates print the registration without a group gap.
    if (chance(rng_, 0.5)) {
      Registration solid = reg;
      solid.split = 0;
      return make(solid, style, chance(rng_, settings_.night_share));
    }
  }
  return make(reg, style, chance(rng_, settings_.night_share));
}

SceneSample SceneGenerator::make(const Registration& reg, PlateStyle style, bool night) {
  SceneSample sample;
  sample.text = reg.text;
  sample.format = reg.format;
  sample.night = night;
  sample.rear = style.side == PlateSide::kRear;
  sample.world = style.world.has_value();
  const double char_px = uniform(rng_, settings_.min_char_px, settings_.max_char_px);
  style.px_per_mm = 2.0 * char_px / 79.0;  // render at twice the size, then warp down
  const RenderedPlate plate = renderer_.render(reg.text, reg.split, style);
  sample.two_rows = style.layout == PlateLayout::kTwoRows && reg.split > 0;

  std::vector<cv::Point2f> dst;
  cv::Mat frame_img;
  if (settings_.plate_photos.empty()) {
    dst = place_plate(rng_, settings_, plate.image.size());
    frame_img = background();
  } else {
    frame_img = plate_photo(plate.image.size(), dst);
  }
  const cv::Size frame = frame_img.size();
  std::vector<cv::Point2f> src = {
      {0, 0},
      {static_cast<float>(plate.image.cols), 0},
      {static_cast<float>(plate.image.cols), static_cast<float>(plate.image.rows)},
      {0, static_cast<float>(plate.image.rows)}};
  const cv::Mat homography = cv::getPerspectiveTransform(src, dst);

  if (settings_.distractors) {
    draw_distractors(frame_img, cv::boundingRect(dst) & cv::Rect({0, 0}, frame), renderer_, distractor_rng_,
                     settings_.training_variety);
  }
  if (night) {  // IR: a dark scene, the retro-reflective plate bright
    cv::Mat gray;
    cv::cvtColor(frame_img, gray, cv::COLOR_BGR2GRAY);
    gray *= uniform(rng_, 0.15, 0.4);
    cv::cvtColor(gray, frame_img, cv::COLOR_GRAY2BGR);
  }
  cv::Mat warped, mask;
  cv::warpPerspective(plate.image, warped, homography, frame, cv::INTER_AREA);
  cv::warpPerspective(cv::Mat(plate.image.size(), CV_8UC1, cv::Scalar(255)), mask, homography, frame,
                      cv::INTER_AREA);
  if (night) {
    cv::Mat g;
    cv::cvtColor(warped, g, cv::COLOR_BGR2GRAY);
    cv::cvtColor(g, warped, cv::COLOR_GRAY2BGR);
  }
  light_plate(rng_, warped, dst, plate.image.rows / 2.0);
  warped.copyTo(frame_img, mask > 128);

  sample.image = through_camera(rng_, frame_img);
  sample.box = cv::boundingRect(dst) & cv::Rect(0, 0, frame.width, frame.height);
  return sample;
}

}  // namespace anpr::synth
