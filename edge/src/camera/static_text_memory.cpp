#include "anpr/edge/camera/static_text_memory.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/time.hpp"

namespace anpr::edge {
namespace {

constexpr double kSamePlace = 0.5;                 // IoU of two boxes of one text standing still
constexpr std::uintmax_t kMaxFileBytes = 1 << 20;  // a memory of 64 texts is a few kilobytes
constexpr double kMsPerMinute = 60'000.0;
constexpr std::size_t kMaxTextLength = 32;
constexpr double kPlaceTolerance = 1e-6;  // fractions written by note() and rounded in the file
constexpr TimestampMs kClockSlackMs = 24LL * 3600 * 1000;  // a memory from "tomorrow" is a wrong clock

double iou(const cv::Rect2d& a, const cv::Rect2d& b) {
  const double inter = (a & b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

}  // namespace

std::string text_layout(const std::string& text) {
  std::string layout;
  for (const char c : text) {
    layout.push_back(std::isdigit(static_cast<unsigned char>(c)) != 0   ? 'D'
                     : std::isalpha(static_cast<unsigned char>(c)) != 0 ? 'L'
                                                                        : c);
  }
  return layout;
}

StaticTextMemory::StaticTextMemory(StaticTextSettings settings) : settings_(std::move(settings)) {}

bool same_static_text(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || a.empty()) return false;
  std::size_t same_class = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool letter_a = std::isalpha(static_cast<unsigned char>(a[i])) != 0;
    const bool letter_b = std::isalpha(static_cast<unsigned char>(b[i])) != 0;
    // Where both read a letter it must be the same letter: the cars that stop one after another
    // at a barrier share a layout, not their letters. Digits may differ (a clock ticks).
    if (letter_a && letter_b && a[i] != b[i]) return false;
    same_class += letter_a == letter_b ? 1 : 0;
  }
  return same_class * 4 >= a.size() * 3;
}

StaticText* StaticTextMemory::find(const cv::Rect2d& place, const std::string& text) {
  StaticText* best = nullptr;
  double best_iou = kSamePlace;
  for (auto& t : texts_) {
    const double overlap = iou(t.place, place);
    if (same_static_text(t.text, text) && overlap >= best_iou) {
      best = &t;
      best_iou = overlap;
    }
  }
  return best;
}

bool StaticTextMemory::note(const std::string& text, const cv::Rect& box, cv::Size frame, bool standing_still,
                            TimestampMs at) {
  if (!settings_.enabled || frame.area() <= 0 || text.empty() || text.size() > kMaxTextLength) return false;
  const cv::Rect2d place =
      cv::Rect2d(static_cast<double>(box.x) / frame.width, static_cast<double>(box.y) / frame.height,
                 static_cast<double>(box.width) / frame.width,
                 static_cast<double>(box.height) / frame.height) &
      cv::Rect2d(0, 0, 1, 1);
  if (place.area() <= 0) return false;
  // Only text standing still is learned, and only text standing still is suppressed: a plate
  // moving through a learned place (a car leaving the space a parked car stood in) is read.
  if (!standing_still) return false;
  const std::string layout = text_layout(text);
  StaticText* t = find(place, text);
  if (t != nullptr && t->learned) {
    t->last_seen = std::max(t->last_seen, at);
    t->text = text;
    ++suppressed_;
    return true;
  }
  if (t == nullptr) {
    if (static_cast<int>(texts_.size()) >= settings_.max_texts) {
      // Full: the least recently read text that is not learned gives way; if all are learned,
      // the least recently read of all.
      auto victim =
          std::min_element(texts_.begin(), texts_.end(), [](const StaticText& a, const StaticText& b) {
            return std::make_pair(a.learned, a.last_seen) < std::make_pair(b.learned, b.last_seen);
          });
      texts_.erase(victim);
    }
    texts_.push_back({place, layout, text, at, at, 0, false});
    t = &texts_.back();
  }
  t->place = place;  // follows slow drift (a camera settling on its mount)
  t->text = text;
  t->first_seen = std::min(t->first_seen, at);
  t->last_seen = std::max(t->last_seen, at);
  ++t->sightings;
  if (t->sightings >= settings_.min_sightings &&
      static_cast<double>(t->last_seen - t->first_seen) >= settings_.min_minutes * kMsPerMinute) {
    t->learned = true;
    spdlog::info(
        "static text learned: '{}' at x {:.2f} y {:.2f} (read {} times over {:.0f} minutes standing still); "
        "no longer read there",
        t->text, t->place.x, t->place.y, t->sightings,
        static_cast<double>(t->last_seen - t->first_seen) / kMsPerMinute);
  }
  return false;
}

void StaticTextMemory::forget_stale(TimestampMs now) {
  std::erase_if(texts_, [&](const StaticText& t) {
    const bool stale = static_cast<double>(now - t.last_seen) >= settings_.forget_minutes * kMsPerMinute;
    if (stale && t.learned)
      spdlog::info("static text forgotten: '{}' at x {:.2f} y {:.2f} (not seen since)", t.text, t.place.x,
                   t.place.y);
    return stale;
  });
}

std::vector<StaticText> StaticTextMemory::learned() const {
  std::vector<StaticText> out;
  std::copy_if(texts_.begin(), texts_.end(), std::back_inserter(out),
               [](const StaticText& t) { return t.learned; });
  return out;
}

std::vector<cv::Rect> StaticTextMemory::boxes(cv::Size frame) const {
  std::vector<cv::Rect> out;
  for (const StaticText& t : texts_) {
    if (!t.learned) continue;
    out.emplace_back(cvRound(t.place.x * frame.width), cvRound(t.place.y * frame.height),
                     cvRound(t.place.width * frame.width), cvRound(t.place.height * frame.height));
  }
  return out;
}

void save_static_texts(const std::vector<StaticText>& texts, const std::filesystem::path& file) {
  if (file.empty()) return;
  nlohmann::json j = {{"version", 1}, {"texts", nlohmann::json::array()}};
  for (const auto& t : texts) {
    j["texts"].push_back({{"x", t.place.x},
                          {"y", t.place.y},
                          {"w", t.place.width},
                          {"h", t.place.height},
                          {"layout", t.layout},
                          {"text", t.text},
                          {"first_seen", t.first_seen},
                          {"last_seen", t.last_seen},
                          {"sightings", t.sightings},
                          {"learned", t.learned}});
  }
  const std::string temporary = file.string() + ".tmp";
  const std::string body = j.dump() + "\n";
  FILE* out = std::fopen(temporary.c_str(), "w");
  if (out == nullptr) throw Error(ErrorCode::kIo, "cannot write the static-text memory " + temporary);
  const bool written = std::fwrite(body.data(), 1, body.size(), out) == body.size() &&
                       std::fflush(out) == 0 && ::fsync(::fileno(out)) == 0;
  if (std::fclose(out) != 0 || !written)
    throw Error(ErrorCode::kIo, "cannot write the static-text memory " + temporary);
  std::error_code ec;
  std::filesystem::rename(temporary, file, ec);
  if (ec) throw Error(ErrorCode::kIo, "cannot replace " + file.string() + ": " + ec.message());
}

void StaticTextMemory::load() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (settings_.file.empty() || !fs::exists(settings_.file, ec)) return;
  std::vector<StaticText> loaded;
  try {
    if (fs::file_size(settings_.file) > kMaxFileBytes) throw std::runtime_error("larger than 1 MiB");
    std::ifstream in(settings_.file);
    const nlohmann::json j = nlohmann::json::parse(in);
    if (j.at("version").get<int>() != 1) throw std::runtime_error("unknown version");
    for (const auto& e : j.at("texts")) {
      StaticText t;
      t.place = {e.at("x").get<double>(), e.at("y").get<double>(), e.at("w").get<double>(),
                 e.at("h").get<double>()};
      const double lo = -kPlaceTolerance, hi = 1 + kPlaceTolerance;
      if (!(t.place.x >= lo && t.place.y >= lo && t.place.width > 0 && t.place.height > 0 &&
            t.place.x + t.place.width <= hi && t.place.y + t.place.height <= hi)) {
        throw std::runtime_error("a place outside the frame");
      }
      t.place &= cv::Rect2d(0, 0, 1, 1);
      t.text = e.at("text").get<std::string>();
      if (t.text.empty() || t.text.size() > kMaxTextLength)
        throw std::runtime_error("a text of a wrong length");
      t.layout = text_layout(t.text);
      for (const char* key : {"first_seen", "last_seen", "sightings"}) {
        if (!e.at(key).is_number_integer())
          throw std::runtime_error(std::string(key) + " is not a whole number");
      }
      t.first_seen = e.at("first_seen").get<TimestampMs>();
      t.last_seen = e.at("last_seen").get<TimestampMs>();
      t.sightings = e.at("sightings").get<std::int64_t>();
      // A time from the future would keep a text for ever: a wrong clock, or not our file.
      if (t.first_seen < 0 || t.last_seen < t.first_seen || t.last_seen > now_ms() + kClockSlackMs ||
          t.sightings < 0) {
        throw std::runtime_error("times or counts out of order");
      }
      t.learned = e.at("learned").get<bool>();
      if (static_cast<int>(loaded.size()) < settings_.max_texts) loaded.push_back(std::move(t));
    }
  } catch (const std::exception& e) {
    const auto aside = settings_.file.string() + ".damaged";
    fs::rename(settings_.file, aside, ec);
    spdlog::warn("static-text memory {} cannot be used ({}); set aside as {}, learning again",
                 settings_.file.string(), e.what(), aside);
    return;
  }
  texts_ = std::move(loaded);
  spdlog::info("static-text memory: {} texts ({} learned) from {}", texts_.size(), learned().size(),
               settings_.file.string());
}

}  // namespace anpr::edge
