#include "anpr/edge/camera/static_text_memory.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "anpr/common/error.hpp"

namespace anpr::edge {
namespace {

constexpr double kSamePlace = 0.5;             // IoU of two boxes of one text standing still
constexpr std::uintmax_t kMaxFileBytes = 1 << 20;  // a memory of 64 texts is a few kilobytes
constexpr double kMsPerMinute = 60'000.0;

double iou(const cv::Rect2d& a, const cv::Rect2d& b) {
  const double inter = (a & b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

}  // namespace

std::string text_layout(const std::string& text) {
  std::string layout;
  for (const char c : text) {
    layout.push_back(std::isdigit(static_cast<unsigned char>(c)) != 0 ? 'D'
                     : std::isalpha(static_cast<unsigned char>(c)) != 0 ? 'L'
                                                                          : c);
  }
  return layout;
}

StaticTextMemory::StaticTextMemory(StaticTextSettings settings) : settings_(std::move(settings)) {}

bool layouts_alike(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || a.empty()) return false;
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i] ? 1 : 0;
  return same * 4 >= a.size() * 3;
}

StaticText* StaticTextMemory::find(const cv::Rect2d& place, const std::string& layout) {
  StaticText* best = nullptr;
  double best_iou = kSamePlace;
  for (auto& t : texts_) {
    const double overlap = iou(t.place, place);
    if (layouts_alike(t.layout, layout) && overlap >= best_iou) {
      best = &t;
      best_iou = overlap;
    }
  }
  return best;
}

bool StaticTextMemory::note(const std::string& text, const cv::Rect& box, cv::Size frame, bool standing_still,
                            TimestampMs at) {
  if (!settings_.enabled || frame.area() <= 0 || text.empty()) return false;
  const cv::Rect2d place(static_cast<double>(box.x) / frame.width, static_cast<double>(box.y) / frame.height,
                         static_cast<double>(box.width) / frame.width, static_cast<double>(box.height) / frame.height);
  const std::string layout = text_layout(text);
  StaticText* t = find(place, layout);
  if (t != nullptr && t->learned) {
    t->last_seen = std::max(t->last_seen, at);
    t->text = text;
    ++suppressed_;
    return true;
  }
  if (!standing_still) return false;
  if (t == nullptr) {
    if (static_cast<int>(texts_.size()) >= settings_.max_texts) {
      // Full: the least recently read text that is not learned gives way; if all are learned,
      // the least recently read of all.
      auto victim = std::min_element(texts_.begin(), texts_.end(), [](const StaticText& a, const StaticText& b) {
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
    spdlog::info("static text learned: '{}' at x {:.2f} y {:.2f} (read {} times over {:.0f} minutes standing still); "
                 "no longer read there",
                 t->text, t->place.x, t->place.y, t->sightings,
                 static_cast<double>(t->last_seen - t->first_seen) / kMsPerMinute);
  }
  return false;
}

void StaticTextMemory::forget_stale(TimestampMs now) {
  std::erase_if(texts_, [&](const StaticText& t) {
    const bool stale = static_cast<double>(now - t.last_seen) >= settings_.forget_minutes * kMsPerMinute;
    if (stale && t.learned) spdlog::info("static text forgotten: '{}' at x {:.2f} y {:.2f} (not seen since)", t.text, t.place.x, t.place.y);
    return stale;
  });
}

std::vector<StaticText> StaticTextMemory::learned() const {
  std::vector<StaticText> out;
  std::copy_if(texts_.begin(), texts_.end(), std::back_inserter(out), [](const StaticText& t) { return t.learned; });
  return out;
}

void StaticTextMemory::save() const {
  if (settings_.file.empty()) return;
  nlohmann::json j = {{"version", 1}, {"texts", nlohmann::json::array()}};
  for (const auto& t : texts_) {
    j["texts"].push_back({{"x", t.place.x}, {"y", t.place.y}, {"w", t.place.width}, {"h", t.place.height},
                          {"layout", t.layout}, {"text", t.text}, {"first_seen", t.first_seen},
                          {"last_seen", t.last_seen}, {"sightings", t.sightings}, {"learned", t.learned}});
  }
  const auto temporary = settings_.file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << j.dump() << '\n';
    if (!out.flush()) throw Error(ErrorCode::kIo, "cannot write the static-text memory " + temporary);
  }
  std::error_code ec;
  std::filesystem::rename(temporary, settings_.file, ec);
  if (ec) throw Error(ErrorCode::kIo, "cannot replace " + settings_.file.string() + ": " + ec.message());
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
      t.place = {e.at("x").get<double>(), e.at("y").get<double>(), e.at("w").get<double>(), e.at("h").get<double>()};
      if ((t.place & cv::Rect2d(0, 0, 1, 1)) != t.place || t.place.area() <= 0) throw std::runtime_error("a place outside the frame");
      t.layout = e.at("layout").get<std::string>();
      t.text = e.at("text").get<std::string>();
      if (t.layout.size() > 32 || t.text.size() > 32 || t.layout.size() != t.text.size()) throw std::runtime_error("a text too long");
      t.first_seen = e.at("first_seen").get<TimestampMs>();
      t.last_seen = e.at("last_seen").get<TimestampMs>();
      t.sightings = e.at("sightings").get<std::int64_t>();
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
  spdlog::info("static-text memory: {} texts ({} learned) from {}", texts_.size(), learned().size(), settings_.file.string());
}

}  // namespace anpr::edge
