#include "anpr/edge/camera/plate_tracker.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "anpr/common/ids.hpp"
#include "anpr/common/plate_format.hpp"
#include "anpr/edge/reader/evaluation.hpp"

namespace anpr::edge {
namespace {

constexpr std::size_t kMaxReadingsPerTrack = 32;
constexpr std::size_t kMaxExemplarsPerTrack = 6;  // distinct texts whose crops a track keeps

cv::Point2d centre(const cv::Rect& r) { return {r.x + r.width / 2.0, r.y + r.height / 2.0}; }

double text_similarity(const std::string& a, const std::string& b) {
  const std::size_t longest = std::max(a.size(), b.size());
  if (longest == 0) return 0;
  return 1.0 - static_cast<double>(edit_distance(a, b)) / static_cast<double>(longest);
}

double char_confidence(const PlateText& t, std::size_t i) {
  return i < t.char_confidences.size() ? t.char_confidences[i] : t.confidence;
}

// 1. The length most readings (by confidence) agree on.
std::size_t agreed_length(const std::vector<PlateText>& readings) {
  std::map<std::size_t, double> length_weight;
  for (const auto& r : readings) length_weight[r.text.size()] += r.confidence;
  return std::max_element(length_weight.begin(), length_weight.end(),
                          [](auto& a, auto& b) { return a.second < b.second; })
      ->first;
}

// 2. Position by position, the character with the most confidence behind it among the readings
// of that length; its confidence the most confident single reading of it, scaled by its share.
PlateText vote_by_position(const std::vector<PlateText>& readings, std::size_t length) {
  PlateText voted;
  for (std::size_t i = 0; i < length; ++i) {
    std::map<char, double> score;
    double total = 0;
    for (const auto& r : readings) {
      if (r.text.size() != length) continue;
      score[r.text[i]] += char_confidence(r, i);
      total += char_confidence(r, i);
    }
    const auto best =
        std::max_element(score.begin(), score.end(), [](auto& a, auto& b) { return a.second < b.second; });
    voted.text.push_back(best->first);
    double strongest = 0;
    for (const auto& r : readings) {
      if (r.text.size() == length && r.text[i] == best->first)
        strongest = std::max(strongest, char_confidence(r, i));
    }
    voted.char_confidences.push_back(total > 0 ? strongest * (best->second / total) : 0.0);
  }
  return voted;
}

const PlateText* most_confident_reading_of(const std::vector<PlateText>& readings, const std::string& text) {
  const PlateText* found = nullptr;
  for (const auto& r : readings) {
    if (r.text == text && (found == nullptr || r.confidence > found->confidence)) found = &r;
  }
  return found;
}

// 3. The format and country of the voted text, from the most confident reading of it (returned:
// the exemplar), or, for a combination no single frame read, from the format it fits; one that
// fits none where the best supported reading did is replaced by that reading.
const PlateText* settle_format(const std::vector<PlateText>& readings, const std::string& best_supported,
                               PlateText& voted) {
  const PlateText* exemplar = most_confident_reading_of(readings, voted.text);
  if (exemplar == nullptr) {
    const bool uk =
        std::any_of(readings.begin(), readings.end(), [](const PlateText& r) { return r.country == "GB"; });
    const FormatMatch m = uk ? classify_uk_plate(voted.text) : FormatMatch{};
    const PlateText* best = most_confident_reading_of(readings, best_supported);
    if (m.format != "unknown" || best->format == "unknown") {
      voted.format = m.format != "unknown" ? m.format : best->format;
      voted.country = m.format != "unknown" ? m.country : best->country;
      return nullptr;
    }
    exemplar = best;
    voted.text = best->text;
    voted.char_confidences = best->char_confidences;
  }
  voted.format = exemplar->format;
  voted.country = exemplar->country;
  return exemplar;
}

// 4. Confidence: the best agreeing reading, raised (damped: the frames of one pass share their
// errors) by further agreeing readings, lowered by the share of support that disagrees.
double voted_confidence(const std::vector<PlateText>& readings, const PlateText& voted) {
  double total_support = 0, agreeing = 0, residual = 1.0, best_agreeing = 0;
  for (const auto& r : readings) {
    total_support += r.confidence;
    if (r.text != voted.text) continue;
    agreeing += r.confidence;
    best_agreeing = std::max(best_agreeing, r.confidence);
    residual *= std::pow(1.0 - r.confidence, 0.25);
  }
  double confidence = 0;
  if (best_agreeing > 0) {
    residual /= std::pow(1.0 - best_agreeing, 0.25);  // the best counts fully, the others damped,
    residual = std::max(residual, 0.5);               // and at most halve its error: one misreading repeats
    confidence = (1.0 - (1.0 - best_agreeing) * residual) * std::sqrt(agreeing / total_support);
  } else if (!voted.char_confidences.empty()) {
    // A voted combination: as sure as its least sure character.
    confidence = *std::min_element(voted.char_confidences.begin(), voted.char_confidences.end());
  }
  return std::clamp(confidence, 0.0, 0.999);
}

// 5. Alternatives: other texts by support, then the exemplar's own alternatives.
void add_alternatives(const std::map<std::string, double>& support, double total_support,
                      const PlateText* exemplar, PlateText& voted) {
  std::vector<std::pair<std::string, double>> ranked(support.begin(), support.end());
  std::sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.second > b.second; });
  for (const auto& [text, weight] : ranked) {
    if (text != voted.text && voted.candidates.size() < MessageLimits::kMaxCandidates) {
      voted.candidates.push_back({text, std::min(0.999, voted.confidence * weight / total_support)});
    }
  }
  if (exemplar == nullptr) return;
  for (const auto& alt : exemplar->candidates) {
    const bool seen = alt.text == voted.text || std::any_of(voted.candidates.begin(), voted.candidates.end(),
                                                            [&](auto& c) { return c.text == alt.text; });
    if (!seen && voted.candidates.size() < MessageLimits::kMaxCandidates) voted.candidates.push_back(alt);
  }
}

}  // namespace

PlateText vote_plate_text(const std::vector<PlateText>& readings) {
  if (readings.empty()) return {};
  PlateText voted = vote_by_position(readings, agreed_length(readings));
  // Support for each distinct text, to rank the alternatives and to fall back on.
  std::map<std::string, double> support;
  double total_support = 0;
  for (const auto& r : readings) {
    support[r.text] += r.confidence;
    total_support += r.confidence;
  }
  const std::string best_supported = std::max_element(support.begin(), support.end(), [](auto& a, auto& b) {
                                       return a.second < b.second;
                                     })->first;
  const PlateText* exemplar = settle_format(readings, best_supported, voted);
  voted.confidence = voted_confidence(readings, voted);
  add_alternatives(support, total_support, exemplar, voted);
  return voted;
}

Direction direction_of_travel(const cv::Rect& first, const cv::Rect& last) {
  Direction d;
  if (first.empty() || last.empty()) return d;
  const double growth = static_cast<double>(last.height) / first.height;
  const cv::Point2d move = centre(last) - centre(first);
  const double width = (first.width + last.width) / 2.0;
  // Plates grow as they come closer; 10% either way is beyond the jitter of a box.
  if (growth > 1.1)
    d.motion = Motion::kApproaching;
  else if (growth < 0.9)
    d.motion = Motion::kReceding;
  else if (std::hypot(move.x, move.y) < 0.25 * width)
    d.motion = Motion::kStationary;
  if (std::abs(move.x) > 0.5 * width)
    d.lateral = move.x > 0 ? Lateral::kRight : Lateral::kLeft;
  else
    d.lateral = Lateral::kNone;
  return d;
}

PlateTracker::PlateTracker(TrackerSettings settings) : settings_(settings) {}

bool PlateTracker::ended(const Track& t) const {
  // Frames looked at after the one with its latest reading (that frame itself counts once).
  const std::int64_t missed = frames_looked_at_ - t.looked_at_when_read - 1;
  return now_ - t.last_seen > settings_.track_timeout_ms && missed >= settings_.min_missed_frames;
}

PlateTracker::Track* PlateTracker::match(const PlateObservation& o) {
  Track* best = nullptr;
  double best_cost = 1e9;
  const cv::Point2d at = centre(o.box);
  for (auto& t : tracks_) {
    if (t.last_frame_id == o.frame_id) continue;  // one reading per track per frame
    const double gap = static_cast<double>(o.captured_at - t.last_seen);
    // Kept open past its timeout only for want of frames looked at: the plate may be far from
    // any prediction by now, so only its own text (or nearly) joins it.
    const bool stale = gap > settings_.track_timeout_ms;
    // Predict where the plate is now from its last two sightings.
    cv::Point2d predicted = centre(t.last_box);
    if (t.previous_seen > 0 && t.last_seen > t.previous_seen) {
      const cv::Point2d v =
          (centre(t.last_box) - centre(t.previous_box)) / static_cast<double>(t.last_seen - t.previous_seen);
      predicted += v * std::max(0.0, gap);
    }
    const double scale = std::max({t.last_box.width, o.box.width, 1});
    // In plate widths; from the last box too, as a vehicle that stopped is not where its motion says.
    const double distance = std::min(cv::norm(at - predicted), cv::norm(at - centre(t.last_box))) / scale;
    // Against every text the plate was read as: its first readings may be a part of it.
    double similarity = 0;
    bool part = false;  // a plate cut by the frame edge or a passing object reads as a part of itself
    for (const auto& e : t.exemplars) {
      const std::string& a = e.text.text;
      const std::string& b = o.text.text;
      similarity = std::max(similarity, text_similarity(a, b));
      part = part || (std::min(a.size(), b.size()) >= 3 &&
                      (a.find(b) != std::string::npos || b.find(a) != std::string::npos));
    }
    // Same text: the same vehicle even after dropped frames. Similar text close by: a misread
    // character. Any text right where a moving plate is: a misread plate. Not where text stands
    // still: a vehicle passing a sign or a parked car must neither join it (the sign would seem
    // to move and be published) nor be swallowed by it (the pass would be lost).
    const bool same = (similarity == 1.0 && distance < 4.0) ||
                      ((similarity >= 0.6 || part) && distance < 1.5) ||
                      (!stale && distance < 0.5 && moved(t));
    if (!same) continue;
    const double cost = distance + 2.0 * (1.0 - similarity);
    if (cost < best_cost) {
      best_cost = cost;
      best = &t;
    }
  }
  return best;
}

void PlateTracker::keep_exemplar(Track& t, PlateObservation o) {
  auto same_text = std::find_if(t.exemplars.begin(), t.exemplars.end(),
                                [&](auto& e) { return e.text.text == o.text.text; });
  if (same_text != t.exemplars.end()) {
    if (o.text.confidence > same_text->text.confidence) *same_text = std::move(o);
    return;
  }
  if (t.exemplars.size() < kMaxExemplarsPerTrack) {
    t.exemplars.push_back(std::move(o));
    return;
  }
  auto weakest = std::min_element(t.exemplars.begin(), t.exemplars.end(),
                                  [](auto& a, auto& b) { return a.text.confidence < b.text.confidence; });
  if (o.text.confidence > weakest->text.confidence) *weakest = std::move(o);
}

void PlateTracker::make_overviews(const std::function<cv::Mat(const cv::Mat& frame)>& scale) {
  // Two plates of one frame kept by two tracks share one overview.
  const uchar* made_from = nullptr;
  cv::Mat made;
  for (auto& t : tracks_) {
    for (auto& e : t.exemplars) {
      if (e.overview_source.empty()) continue;
      if (e.overview_source.data != made_from) {
        made = scale(e.overview_source);
        made_from = e.overview_source.data;
      }
      e.overview = made;
      e.overview_source.release();
    }
  }
}

const PlateObservation& PlateTracker::most_confident(const Track& t) {
  return *std::max_element(t.exemplars.begin(), t.exemplars.end(),
                           [](auto& a, auto& b) { return a.text.confidence < b.text.confidence; });
}

void PlateTracker::observe(PlateObservation o) {
  if (o.text.text.empty()) return;
  Track* t = match(o);
  if (t == nullptr) {
    if (static_cast<int>(tracks_.size()) >= settings_.max_open_tracks) return;  // advance() ends the stalest
    tracks_.emplace_back();
    t = &tracks_.back();
    t->read_id = make_uuid();
    t->first_seen = t->last_seen = o.captured_at;
    t->first_box = t->last_box = o.box;
  } else if (o.captured_at >= t->last_seen) {
    t->previous_box = t->last_box;
    t->previous_seen = t->last_seen;
    t->last_box = o.box;
  } else if (o.captured_at > t->previous_seen) {
    // Older than the latest reading (another recogniser thread was faster): it is the one before.
    t->previous_box = o.box;
    t->previous_seen = o.captured_at;
  }
  if (o.captured_at < t->first_seen) t->first_box = o.box;
  t->first_seen = std::min(t->first_seen, o.captured_at);
  t->last_seen = std::max(t->last_seen, o.captured_at);
  t->last_frame_id = o.frame_id;
  t->looked_at_when_read = frames_looked_at_;
  ++t->frames_seen;
  note_travel(*t, o);
  t->readings.push_back(o.text);
  if (t->readings.size() > kMaxReadingsPerTrack) {
    // Keep the most confident readings: a long stop must not grow memory.
    auto weakest = std::min_element(t->readings.begin(), t->readings.end(),
                                    [](auto& a, auto& b) { return a.confidence < b.confidence; });
    t->readings.erase(weakest);
  }
  keep_exemplar(*t, std::move(o));
}

void PlateTracker::note_travel(Track& t, const PlateObservation& o) {
  constexpr std::size_t kMaxSpans = 12;
  // A clock's tick changes a caption's pixels in one frame only: it never makes a run of moving
  // readings (kMovingShare), and travel is measured along runs.
  if (o.box.empty()) return;
  const cv::Point2d at = centre(o.box);
  auto span = std::find_if(t.spans.begin(), t.spans.end(), [&](auto& s) { return s.text == o.text.text; });
  if (span == t.spans.end()) {
    if (t.spans.size() >= kMaxSpans) {
      span = std::min_element(t.spans.begin(), t.spans.end(),
                              [](auto& a, auto& b) { return a.count < b.count; });
      *span = {};
    } else {
      span = t.spans.emplace(t.spans.end());
    }
    span->text = o.text.text;
  }
  span->height_sum += o.box.height;
  ++span->count;
  const bool moving = o.motion < 0 || o.motion >= kMovingShare;  // unknown (gating off): as moving
  t.seen_moving = t.seen_moving || moving;
  if (!moving) {
    span->in_run = false;
    return;
  }
  if (!span->in_run) {
    span->in_run = true;
    span->run_start = at;
  }
  span->travel = std::max(span->travel, cv::norm(at - span->run_start) / (span->height_sum / span->count));
}

bool PlateTracker::moved(const Track& t) const {
  return settings_.min_travel <= 0 || moved(t, vote_plate_text(t.readings).text);
}

bool PlateTracker::moved(const Track& t, const std::string& voted) const {
  if (settings_.min_travel <= 0) return true;
  const bool read_as_voted =
      std::any_of(t.spans.begin(), t.spans.end(), [&](auto& s) { return s.text == voted; });
  return std::any_of(t.spans.begin(), t.spans.end(), [&](const Track::TextSpan& s) {
    const bool counts = read_as_voted ? s.text == voted : text_similarity(s.text, voted) >= 0.6;
    return counts && s.travel >= settings_.min_travel;
  });
}

void PlateTracker::count_ending(const Track& t) {
  if (t.seen_moving && t.frames_seen < settings_.min_frames && !fragment_of_another(t)) ++thin_passes_;
  if (t.published) return;
  // Read well enough to publish, yet kept back: standing still is what kept it back.
  const PlateText voted = vote_plate_text(t.readings);
  if (!moved(t, voted.text) && read_well_enough(t, voted)) ++stationary_suppressed_;
}

bool PlateTracker::publishable(const Track& t) const {
  const PlateText voted = vote_plate_text(t.readings);
  return moved(t, voted.text) && read_well_enough(t, voted);
}

bool PlateTracker::read_well_enough(const Track& t, const PlateText& voted) const {
  const bool few_frames = t.frames_seen < settings_.min_frames;
  if (few_frames && most_confident(t).text.confidence < settings_.single_frame_confidence) return false;
  // One confident frame is enough for a plate, not for two characters: a pair of glyphs on a
  // flat background (a badge, a sign, road markings) reads confidently now and then; a cherished
  // plate stays in view for several frames.
  if (few_frames && voted.text.size() <= 2) return false;
  return voted.confidence >= settings_.min_confidence;
}

bool PlateTracker::fragment_of_another(const Track& t) const {
  constexpr TimestampMs kRecentMs = 10'000;
  constexpr double kLike = 0.6;  // as a reading joins a track: most characters alike
  const std::string text = vote_plate_text(t.readings).text;
  for (const auto& other : tracks_) {
    if (&other != &t && !other.readings.empty() &&
        text_similarity(vote_plate_text(other.readings).text, text) >= kLike) {
      return true;
    }
  }
  return std::any_of(recently_published_.begin(), recently_published_.end(), [&](const Published& p) {
    return p.read_id != t.read_id && now_ - p.at <= kRecentMs && text_similarity(p.text, text) >= kLike;
  });
}

VehicleRead PlateTracker::make_read(Track& t) {
  VehicleRead r;
  r.read_id = t.read_id;
  r.text = vote_plate_text(t.readings);
  // The crop of the published text; failing that (a voted combination), the most confident.
  const auto same_text = std::find_if(t.exemplars.begin(), t.exemplars.end(),
                                      [&](auto& e) { return e.text.text == r.text.text; });
  const PlateObservation& shown = same_text != t.exemplars.end() ? *same_text : most_confident(t);
  r.captured_at = shown.captured_at;
  r.first_seen = t.first_seen;
  r.last_seen = t.last_seen;
  r.frames_seen = t.frames_seen;
  r.box = shown.box;
  r.crop = shown.crop;
  r.overview = shown.overview;
  r.direction = direction_of_travel(t.first_box, t.last_box);
  t.published = true;
  recently_published_.push_back({now_, t.read_id, r.text.text});
  if (recently_published_.size() > 16) recently_published_.pop_front();
  return r;
}

std::vector<SettledPass> PlateTracker::settled_passes(TimestampMs at) const {
  std::vector<SettledPass> out;
  for (const auto& t : tracks_) {
    if (t.frames_seen < settings_.settled_frames) continue;
    PlateText voted = vote_plate_text(t.readings);
    if (!moved(t, voted.text)) continue;
    cv::Rect box = t.last_box;
    if (t.previous_seen > 0 && t.last_seen > t.previous_seen && at > t.last_seen) {
      // Where its motion takes it, at most one second on: a vehicle that stopped is not far off.
      const double gap = static_cast<double>(std::min<TimestampMs>(at - t.last_seen, 1000));
      const cv::Point2d v =
          (centre(t.last_box) - centre(t.previous_box)) / static_cast<double>(t.last_seen - t.previous_seen);
      box += cv::Point(cvRound(v.x * gap), cvRound(v.y * gap));
    }
    // A weak vote names no text: the reader then gives the pass's plate every look.
    out.push_back({box, read_well_enough(t, voted) ? std::move(voted.text) : std::string()});
  }
  return out;
}

void PlateTracker::frame_looked_at(TimestampMs captured_at) {
  ++frames_looked_at_;
  now_ = std::max(now_, captured_at);
}

std::vector<VehicleRead> PlateTracker::advance(TimestampMs now) {
  frame_looked_at(now);
  return due();
}

std::vector<VehicleRead> PlateTracker::due() {
  std::vector<VehicleRead> out;
  // Over the bound: end the stalest tracks first.
  while (static_cast<int>(tracks_.size()) > settings_.max_open_tracks - 1 && !tracks_.empty()) {
    auto stalest = std::min_element(tracks_.begin(), tracks_.end(),
                                    [](auto& a, auto& b) { return a.last_seen < b.last_seen; });
    if (!stalest->published && publishable(*stalest)) out.push_back(make_read(*stalest));
    count_ending(*stalest);
    tracks_.erase(stalest);
  }
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    const bool over = ended(*it);
    const bool deadline = now_ - it->first_seen >= settings_.max_publish_delay_ms;
    if (!it->published && (over || deadline) && publishable(*it)) out.push_back(make_read(*it));
    if (over) {
      count_ending(*it);
      it = tracks_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<VehicleRead> PlateTracker::flush() {
  std::vector<VehicleRead> due;
  for (auto& t : tracks_) {
    if (!t.published && publishable(t)) due.push_back(make_read(t));
    count_ending(t);
  }
  tracks_.clear();
  return due;
}

}  // namespace anpr::edge
