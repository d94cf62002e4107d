#include "anpr/synth/distractors.hpp"

#include <array>
#include <string>

#include <opencv2/imgproc.hpp>

namespace anpr::synth {
namespace {

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}
int uniform_int(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
bool chance(std::mt19937_64& rng, double p) { return uniform(rng, 0, 1) < p; }

template <std::size_t N>
const char* pick(std::mt19937_64& rng, const std::array<const char*, N>& list) {
  return list[static_cast<std::size_t>(uniform_int(rng, 0, static_cast<int>(N) - 1))];
}

// Words of British street furniture and dealer legends; mixed case as printed.
constexpr std::array<const char*, 24> kSignWords = {
    "PARKING",       "Station Rd",  "CAR WASH", "EXIT",        "NO ENTRY", "Tesco",
    "HAND CAR WASH", "KEEP CLEAR",  "BUS STOP", "Pay at pump", "TAXI",     "Market St",
    "OPEN",          "SALE",        "Costa",    "POLICE",      "Diesel",   "A6 Leicester",
    "M1 North",      "High Street", "SLOW",     "Town Centre", "Unleaded", "Welcome"};
constexpr std::array<const char*, 12> kDealers = {
    "Arnold Clark", "EVANS HALSHAW", "Sytner Leicester", "JARDINE", "Bristol Street Motors",
    "Listers",      "VERTU MOTORS",  "Marshall",         "Lookers", "STEPHEN JAMES",
    "Pendragon",    "Hendy"};
constexpr std::array<const char*, 8> kRoadMarkings = {"SLOW",       "BUS",  "KEEP CLEAR", "STOP",
                                                      "LOOK RIGHT", "TAXI", "BUS STOP",   "SCHOOL"};

// Plate-like codes are the hardest negatives: road numbers, phone numbers, fleet numbers.
std::string code(std::mt19937_64& rng) {
  std::string s;
  switch (uniform_int(rng, 0, 3)) {
    case 0:
      s = std::string(1, static_cast<char>('A' + uniform_int(rng, 0, 25))) +
          std::to_string(uniform_int(rng, 1, 9999));
      break;
    case 1:
      s = "0" + std::to_string(uniform_int(rng, 1000, 9999)) + " " +
          std::to_string(uniform_int(rng, 100000, 999999));
      break;
    case 2:
      s = std::to_string(uniform_int(rng, 10, 999)) + "." + std::to_string(uniform_int(rng, 10, 99));
      break;
    default:
      for (int i = uniform_int(rng, 3, 8); i > 0; --i) {
        s.push_back(chance(rng, 0.5) ? static_cast<char>('A' + uniform_int(rng, 0, 25))
                                     : static_cast<char>('0' + uniform_int(rng, 0, 9)));
      }
  }
  return s;
}

cv::Scalar colour(std::mt19937_64& rng) {
  return {uniform(rng, 0, 255), uniform(rng, 0, 255), uniform(rng, 0, 255)};
}

// A place for a w x h thing in the frame that keeps clear of the plate; empty if none was found.
cv::Rect clear_place(std::mt19937_64& rng, cv::Size frame, cv::Size size, const cv::Rect& plate) {
  if (size.width >= frame.width || size.height >= frame.height) return {};
  const cv::Rect keep_out(plate.x - plate.width / 4, plate.y - plate.height / 2, plate.width * 3 / 2,
                          plate.height * 2);
  for (int tries = 0; tries < 8; ++tries) {
    const cv::Rect r(uniform_int(rng, 0, frame.width - size.width),
                     uniform_int(rng, 0, frame.height - size.height), size.width, size.height);
    if ((r & keep_out).empty()) return r;
  }
  return {};
}

// A panel in a flat colour with one or two lines of text in a contrasting colour.
void sign(cv::Mat& frame, const cv::Rect& plate, PlateRenderer& renderer, std::mt19937_64& rng) {
  const int text_h = uniform_int(rng, 10, 56);
  const std::string line = chance(rng, 0.5) ? std::string(pick(rng, kSignWords)) : code(rng);
  const int font = uniform_int(rng, 0, static_cast<int>(renderer.font_count()) - 1);
  const cv::Size text = renderer.text_size(line, text_h, font);
  const bool two_lines = chance(rng, 0.3);
  const cv::Size panel(text.width + text_h, (two_lines ? 2 : 1) * text_h * 3 / 2 + text_h / 2);
  const cv::Rect at = clear_place(rng, frame.size(), panel, plate);
  if (at.empty()) return;
  const cv::Scalar back = colour(rng);
  const double lum = 0.11 * back[0] + 0.59 * back[1] + 0.3 * back[2];
  const cv::Scalar ink =
      lum > 128 ? cv::Scalar::all(uniform(rng, 0, 60)) : cv::Scalar::all(uniform(rng, 200, 255));
  if (chance(rng, 0.8)) cv::rectangle(frame, at, back, cv::FILLED);
  renderer.draw_text(frame, line, at.tl() + cv::Point(text_h / 2, text_h * 5 / 4), text_h, ink, font);
  if (two_lines) {
    renderer.draw_text(frame, pick(rng, kSignWords), at.tl() + cv::Point(text_h / 2, text_h * 11 / 4), text_h,
                       ink, font);
  }
}

// The dealer's name printed on the bumper or plate edge under the characters.
void dealer_legend(cv::Mat& frame, const cv::Rect& plate, PlateRenderer& renderer, std::mt19937_64& rng) {
  const int text_h = std::max(6, static_cast<int>(plate.height * uniform(rng, 0.12, 0.3)));
  const cv::Point at(plate.x + static_cast<int>(plate.width * uniform(rng, 0.05, 0.4)),
                     plate.br().y + text_h + static_cast<int>(plate.height * uniform(rng, 0.05, 0.3)));
  renderer.draw_text(frame, pick(rng, kDealers), at, text_h, cv::Scalar::all(uniform(rng, 0, 80)),
                     uniform_int(rng, 0, static_cast<int>(renderer.font_count()) - 1));
}

// Slats of a radiator grille above the plate: a row of regular dark and light bars.
void grille(cv::Mat& frame, const cv::Rect& plate, std::mt19937_64& rng) {
  const int w = static_cast<int>(plate.width * uniform(rng, 1.2, 3.0));
  const int h = static_cast<int>(plate.height * uniform(rng, 0.8, 2.5));
  cv::Rect r(plate.x + plate.width / 2 - w / 2, plate.y - h - plate.height / 4, w, h);
  r &= cv::Rect({0, 0}, frame.size());
  if (r.empty()) return;
  const bool vertical = chance(rng, 0.4);
  const int pitch = std::max(3, static_cast<int>(plate.height * uniform(rng, 0.12, 0.45)));
  const cv::Scalar dark = cv::Scalar::all(uniform(rng, 0, 50)), light = colour(rng);
  cv::rectangle(frame, r, dark, cv::FILLED);
  for (int p = 0; p < (vertical ? r.width : r.height); p += pitch) {
    const cv::Rect bar = vertical ? cv::Rect(r.x + p, r.y, std::max(1, pitch / 2), r.height)
                                  : cv::Rect(r.x, r.y + p, r.width, std::max(1, pitch / 2));
    cv::rectangle(frame, bar & r, light, cv::FILLED);
  }
}

// A small badge or sticker: two to six characters on a coloured patch near the plate.
void sticker(cv::Mat& frame, const cv::Rect& plate, PlateRenderer& renderer, std::mt19937_64& rng) {
  const int text_h = std::max(8, static_cast<int>(plate.height * uniform(rng, 0.3, 0.8)));
  std::string s = code(rng).substr(0, static_cast<std::size_t>(uniform_int(rng, 2, 6)));
  const int font = uniform_int(rng, 0, static_cast<int>(renderer.font_count()) - 1);
  const cv::Size text = renderer.text_size(s, text_h, font);
  const int side = chance(rng, 0.5) ? -1 : 1;
  const cv::Rect r(side < 0 ? plate.x - text.width - text_h * 2 : plate.br().x + text_h, plate.y,
                   text.width + text_h / 2, text_h * 3 / 2);
  if ((r & cv::Rect({0, 0}, frame.size())) != r) return;
  cv::rectangle(frame, r, colour(rng), cv::FILLED);
  renderer.draw_text(frame, s, r.tl() + cv::Point(text_h / 4, text_h * 5 / 4), text_h, colour(rng), font);
}

// Words painted on the road, squashed by the view down the lane.
void road_marking(cv::Mat& frame, const cv::Rect& plate, PlateRenderer& renderer, std::mt19937_64& rng) {
  const std::string word = pick(rng, kRoadMarkings);
  const int text_h = uniform_int(rng, 30, 90);
  const int font = uniform_int(rng, 0, static_cast<int>(renderer.font_count()) - 1);
  const cv::Size text = renderer.text_size(word, text_h, font);
  cv::Mat tall(text_h * 2, text.width + text_h, CV_8UC3, cv::Scalar::all(0));
  renderer.draw_text(tall, word, {text_h / 2, text_h * 3 / 2}, text_h, cv::Scalar::all(255), font);
  cv::Mat flat;
  cv::resize(tall, flat,
             cv::Size(tall.cols, std::max(4, static_cast<int>(tall.rows * uniform(rng, 0.25, 0.6)))));
  const cv::Rect at = clear_place(rng, frame.size(), flat.size(), plate);
  if (at.empty()) return;
  cv::Mat region = frame(at);
  cv::Mat mask;
  cv::cvtColor(flat, mask, cv::COLOR_BGR2GRAY);
  region.setTo(cv::Scalar::all(uniform(rng, 170, 240)), mask > 100);
}

// A company's name lettered on the vehicle's body above the plate, in spaced capitals about the
// plate's character height, with no panel behind it: dark print on a light body, as plate-like as
// any sign once a check has learnt that plates come in every colour.
void livery(cv::Mat& frame, const cv::Rect& plate, PlateRenderer& renderer, std::mt19937_64& rng) {
  const int text_h = std::max(8, static_cast<int>(plate.height * uniform(rng, 0.3, 0.8)));
  std::string word;
  for (int i = uniform_int(rng, 5, 11); i > 0; --i) {
    if (!word.empty()) word.push_back(' ');  // letter-spaced, as liveries are
    word.push_back(static_cast<char>('A' + uniform_int(rng, 0, 25)));
  }
  const int font = uniform_int(rng, 0, static_cast<int>(renderer.font_count()) - 1);
  const cv::Size text = renderer.text_size(word, text_h, font);
  const cv::Point at(plate.x + plate.width / 2 - text.width / 2 + uniform_int(rng, -plate.width, plate.width),
                     plate.y - static_cast<int>(plate.height * uniform(rng, 0.6, 2.5)));
  renderer.draw_text(frame, word, at, text_h, cv::Scalar::all(uniform(rng, 0, 90)), font);
}

}  // namespace

void draw_distractors(cv::Mat& frame, const cv::Rect& plate, PlateRenderer& renderer, std::mt19937_64& rng,
                      bool body_lettering) {
  for (int i = uniform_int(rng, 1, 3); i > 0; --i) sign(frame, plate, renderer, rng);
  if (chance(rng, 0.35)) dealer_legend(frame, plate, renderer, rng);
  if (chance(rng, 0.3)) grille(frame, plate, rng);
  if (chance(rng, 0.3)) sticker(frame, plate, renderer, rng);
  if (chance(rng, 0.2)) road_marking(frame, plate, renderer, rng);
  if (body_lettering && chance(rng, 0.3)) livery(frame, plate, renderer, rng);
}

}  // namespace anpr::synth
