#include "anpr/common/message_codec.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "anpr/common/ids.hpp"
#include "anpr/common/plate_text.hpp"

namespace anpr {
namespace {

using nlohmann::json;

// Thrown inside this file only, and always turned into a DecodeError by decode_payload().
struct Reject {
  std::string field;
  std::string reason;
};

constexpr TimestampMs kEarliestTime = 946684800000;  // 2000-01-01
constexpr TimestampMs kLatestTime = 4102444800000;   // 2100-01-01

/// Reads typed, range-checked fields of one JSON object, naming the path in every rejection.
class Fields {
 public:
  Fields(const json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) throw Reject{path_.empty() ? "(payload)" : path_, "must be an object"};
  }

  [[nodiscard]] std::string name(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  [[nodiscard]] bool has(std::string_view key) const { return find(key) != nullptr; }
  [[nodiscard]] const json& get(std::string_view key) const {
    const json* v = find(key);
    if (v == nullptr) throw Reject{name(key), "is required"};
    return *v;
  }

  [[nodiscard]] std::string string(std::string_view key, std::size_t max_length) const {
    const json& v = get(key);
    if (!v.is_string()) throw Reject{name(key), "must be a string"};
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > max_length) {
      throw Reject{name(key), "is longer than " + std::to_string(max_length) + " bytes"};
    }
    // A NUL would cut the text short in C code and logs; a newline would forge a log line.
    for (const char c : s) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
        throw Reject{name(key), "must not hold control characters"};
    }
    return s;
  }

  [[nodiscard]] std::string id(std::string_view key) const {
    std::string s = string(key, kMaxIdLength);
    if (!is_valid_id(s)) throw Reject{name(key), "must be 1-64 characters of A-Z, a-z, 0-9, '-', '_'"};
    return s;
  }

  [[nodiscard]] std::string uuid(std::string_view key) const {
    std::string s = string(key, 36);
    if (!is_uuid(s)) throw Reject{name(key), "must be a UUID (8-4-4-4-12 hex digits)"};
    return s;
  }

  [[nodiscard]] std::string plate(std::string_view key) const {
    std::string s = string(key, kMaxPlateLength);
    if (!is_normalised_plate(s)) {
      throw Reject{name(key), "must be 1-12 characters of A-Z and 0-9 (normalised plate text)"};
    }
    return s;
  }

  [[nodiscard]] std::int64_t integer(std::string_view key, std::int64_t lo, std::int64_t hi) const {
    const json& v = get(key);
    if (!v.is_number_integer()) throw Reject{name(key), "must be an integer"};
    const auto n = v.get<std::int64_t>();
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) {
      throw Reject{name(key), "is out of range"};
    }
    if (n < lo || n > hi) {
      throw Reject{name(key), "must be between " + std::to_string(lo) + " and " + std::to_string(hi)};
    }
    return n;
  }

  [[nodiscard]] double number(std::string_view key, double lo, double hi) const {
    const json& v = get(key);
    if (!v.is_number()) throw Reject{name(key), "must be a number"};
    return check_number(v.get<double>(), name(key), lo, hi);
  }

  [[nodiscard]] TimestampMs time(std::string_view key) const {
    const std::string s = string(key, 40);
    const auto t = parse_iso8601(s);
    if (!t) throw Reject{name(key), "must be an ISO 8601 UTC time like 2026-01-31T12:00:00.000Z"};
    if (*t < kEarliestTime || *t >= kLatestTime) throw Reject{name(key), "is before 2000 or after 2099"};
    return *t;
  }

  [[nodiscard]] Bytes jpeg(std::string_view key, std::size_t max_bytes) const {
    const std::string s = string(key, (max_bytes + 2) / 3 * 4);
    auto bytes = base64_decode(s);
    if (!bytes) throw Reject{name(key), "is not valid base64"};
    if (!looks_like_jpeg(*bytes)) throw Reject{name(key), "is not a JPEG image"};
    return std::move(*bytes);
  }

  [[nodiscard]] const json& array(std::string_view key, std::size_t max_items) const {
    const json& v = get(key);
    if (!v.is_array()) throw Reject{name(key), "must be an array"};
    if (v.size() > max_items) {
      throw Reject{name(key), "has more than " + std::to_string(max_items) + " items"};
    }
    return v;
  }

  static double check_number(double d, const std::string& field, double lo, double hi) {
    if (!std::isfinite(d) || d < lo || d > hi) {
      throw Reject{field, "must be a number between " + std::to_string(lo) + " and " + std::to_string(hi)};
    }
    return d;
  }

 private:
  // The member's value, or nullptr when it is missing or null: one look-up.
  [[nodiscard]] const json* find(std::string_view key) const {
    const auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }

  const json& object_;
  std::string path_;
};

std::string iso(TimestampMs t) { return to_iso8601(t); }

template <class Enum, std::size_t N>
Enum parse_enum(const Fields& f, std::string_view key,
                const std::array<std::pair<std::string_view, Enum>, N>& names) {
  const std::string s = f.string(key, 32);
  for (const auto& [text, value] : names) {
    if (s == text) return value;
  }
  std::string allowed;
  for (const auto& [text, value] : names) allowed += (allowed.empty() ? "" : ", ") + std::string(text);
  throw Reject{f.name(key), "must be one of: " + allowed};
}

constexpr std::array<std::pair<std::string_view, Motion>, 4> kMotionNames{
    {{"unknown", Motion::kUnknown},
     {"approaching", Motion::kApproaching},
     {"receding", Motion::kReceding},
     {"stationary", Motion::kStationary}}};
constexpr std::array<std::pair<std::string_view, Lateral>, 4> kLateralNames{{{"unknown", Lateral::kUnknown},
                                                                             {"left", Lateral::kLeft},
                                                                             {"right", Lateral::kRight},
                                                                             {"none", Lateral::kNone}}};
constexpr std::array<std::pair<std::string_view, CameraState>, 2> kStateNames{
    {{"online", CameraState::kOnline}, {"offline", CameraState::kOffline}}};

// The deepest nesting of objects and arrays in `text`, brackets inside strings not counted (the
// text may be invalid JSON: the parser finds that). No parser callback reports a depth above it.
int deepest_nesting(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

json header(std::string_view type) { return json{{"schema_version", kSchemaVersion}, {"type", type}}; }

// Parses with size, UTF-8, depth, version and type checks; then hands the object to `read`.
template <class T, class ReadFn>
DecodeResult<T> decode_payload(std::string_view payload, std::string_view type, ReadFn read) {
  if (payload.empty()) return DecodeError{"(payload)", "is empty"};
  if (payload.size() > MessageLimits::kMaxPayloadBytes) {
    return DecodeError{"(payload)", "is " + std::to_string(payload.size()) + " bytes; the limit is " +
                                        std::to_string(MessageLimits::kMaxPayloadBytes)};
  }
  if (!is_valid_utf8(payload)) return DecodeError{"(payload)", "is not valid UTF-8"};
  json doc;
  std::string last_key;  // names the field of a number too large for any type (1e400)
  try {
    // Nesting no deeper than the limit (every message the cameras send) is parsed without a
    // callback: the callback's parser copies every key and value it reports, which made parsing
    // most of the receiver's work per read. Only where the nesting goes deeper, or a number
    // overflows, is the payload parsed again with it, to refuse it or name the field.
    bool parsed = false;
    if (deepest_nesting(payload) <= MessageLimits::kMaxJsonDepth) {
      try {
        doc = json::parse(payload.begin(), payload.end());
        parsed = true;
      } catch (const json::out_of_range&) {
        // Parsed again below, for the key of the number.
      }
    }
    // Deeply nested input would exhaust the stack of a recursive parser: refuse it early.
    if (!parsed) {
      doc = json::parse(payload.begin(), payload.end(),
                        [&last_key](int depth, json::parse_event_t event, json& value) {
                          if (depth > MessageLimits::kMaxJsonDepth)
                            throw Reject{"(payload)", "is nested too deeply"};
                          if (event == json::parse_event_t::key && value.is_string())
                            last_key = value.get<std::string>().substr(0, 64);
                          return true;
                        });
    }
  } catch (const json::parse_error& e) {
    return DecodeError{"(payload)", std::string("is not valid JSON: ") + e.what()};
  } catch (const json::out_of_range&) {
    return DecodeError{last_key.empty() ? "(payload)" : last_key, "is a number out of range"};
  } catch (const Reject& r) {
    return DecodeError{r.field, r.reason};
  }
  try {
    const Fields f(doc, "");
    const auto version = f.integer("schema_version", 0, 1'000'000);
    if (version != kSchemaVersion) {
      return DecodeError{"schema_version", "is " + std::to_string(version) + "; this build reads " +
                                               std::to_string(kSchemaVersion)};
    }
    if (f.string("type", 16) != type) {
      return DecodeError{"type", "must be \"" + std::string(type) + "\""};
    }
    return read(f);
  } catch (const Reject& r) {
    return DecodeError{r.field, r.reason};
  } catch (const json::exception& e) {
    return DecodeError{"(payload)", std::string("unexpected JSON value: ") + e.what()};
  }
}

ReadMessage read_read(const Fields& f) {
  ReadMessage m;
  m.read_id = f.uuid("read_id");
  m.camera_id = f.id("camera_id");
  m.site_id = f.id("site_id");
  m.captured_at = f.time("captured_at");
  m.plate = f.plate("plate");
  m.confidence = f.number("confidence", 0.0, 1.0);
  const json& chars = f.array("char_confidences", kMaxPlateLength);
  if (chars.size() != m.plate.size()) {
    throw Reject{"char_confidences",
                 "must have one value per plate character (" + std::to_string(m.plate.size()) + ")"};
  }
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const std::string field = "char_confidences[" + std::to_string(i) + "]";
    if (!chars[i].is_number()) throw Reject{field, "must be a number"};
    m.char_confidences.push_back(Fields::check_number(chars[i].get<double>(), field, 0.0, 1.0));
  }
  m.format = f.string("format", 32);
  m.country = f.string("country", 2);
  if (!m.country.empty() &&
      (m.country.size() != 2 || !std::isupper(static_cast<unsigned char>(m.country[0])) ||
       !std::isupper(static_cast<unsigned char>(m.country[1])))) {
    throw Reject{"country", "must be empty or two upper-case letters (ISO 3166 alpha-2)"};
  }
  const json& candidates = f.array("candidates", MessageLimits::kMaxCandidates);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Fields c(candidates[i], "candidates[" + std::to_string(i) + "]");
    m.candidates.push_back(Candidate{c.plate("text"), c.number("confidence", 0.0, 1.0)});
  }
  const Fields dir(f.get("direction"), "direction");
  m.direction.motion = parse_enum(dir, "motion", kMotionNames);
  m.direction.lateral = parse_enum(dir, "lateral", kLateralNames);
  const json& box = f.array("box", 4);
  if (box.size() != 4) throw Reject{"box", "must be [x, y, width, height]"};
  int v[4];
  for (std::size_t i = 0; i < 4; ++i) {
    if (!box[i].is_number_integer() || box[i].get<std::int64_t>() < 0 ||
        box[i].get<std::int64_t>() > MessageLimits::kMaxBoxCoordinate) {
      throw Reject{"box[" + std::to_string(i) + "]", "must be an integer from 0 to 20000"};
    }
    v[i] = box[i].get<int>();
  }
  if (v[2] == 0 || v[3] == 0) throw Reject{"box", "must have a non-zero width and height"};
  m.box = Box{v[0], v[1], v[2], v[3]};
  m.crop_jpeg = f.jpeg("crop_jpeg", MessageLimits::kMaxCropBytes);
  if (f.has("overview_jpeg")) m.overview_jpeg = f.jpeg("overview_jpeg", MessageLimits::kMaxOverviewBytes);
  m.frames_seen = f.integer("frames_seen", 1, MessageLimits::kMaxFramesSeen);
  m.first_seen = f.time("first_seen");
  m.last_seen = f.time("last_seen");
  if (m.first_seen > m.last_seen) throw Reject{"first_seen", "is after last_seen"};
  if (m.captured_at < m.first_seen || m.captured_at > m.last_seen) {
    throw Reject{"captured_at", "must lie between first_seen and last_seen"};
  }
  return m;
}

}  // namespace

const char* to_string(Motion m) noexcept {
  for (const auto& [text, value] : kMotionNames)
    if (value == m) return text.data();
  return "unknown";
}
const char* to_string(Lateral l) noexcept {
  for (const auto& [text, value] : kLateralNames)
    if (value == l) return text.data();
  return "unknown";
}
const char* to_string(CameraState s) noexcept { return s == CameraState::kOnline ? "online" : "offline"; }

std::string encode(const ReadMessage& m) {
  json j = header("read");
  j["read_id"] = m.read_id;
  j["camera_id"] = m.camera_id;
  j["site_id"] = m.site_id;
  j["captured_at"] = iso(m.captured_at);
  j["plate"] = m.plate;
  j["confidence"] = m.confidence;
  j["char_confidences"] = m.char_confidences;
  j["format"] = m.format;
  j["country"] = m.country;
  j["candidates"] = json::array();
  for (const auto& c : m.candidates)
    j["candidates"].push_back({{"text", c.text}, {"confidence", c.confidence}});
  j["direction"] = {{"motion", to_string(m.direction.motion)}, {"lateral", to_string(m.direction.lateral)}};
  j["box"] = {m.box.x, m.box.y, m.box.width, m.box.height};
  j["crop_jpeg"] = base64_encode(m.crop_jpeg);
  if (m.overview_jpeg) j["overview_jpeg"] = base64_encode(*m.overview_jpeg);
  j["frames_seen"] = m.frames_seen;
  j["first_seen"] = iso(m.first_seen);
  j["last_seen"] = iso(m.last_seen);
  return j.dump();
}

std::string encode(const StatusMessage& m) {
  json j = header("status");
  j["camera_id"] = m.camera_id;
  j["site_id"] = m.site_id;
  j["state"] = to_string(m.state);
  j["at"] = iso(m.at);
  j["version"] = m.version;
  return j.dump();
}

std::string encode(const HealthMessage& m) {
  json j = header("health");
  j["camera_id"] = m.camera_id;
  j["site_id"] = m.site_id;
  j["at"] = iso(m.at);
  j["fps"] = m.fps;
  j["frames_captured"] = m.frames_captured;
  j["frames_dropped"] = m.frames_dropped;
  j["queue_depth"] = m.queue_depth;
  j["spool_depth"] = m.spool_depth;
  j["spool_bytes"] = m.spool_bytes;
  j["spool_evictions"] = m.spool_evictions;
  j["spool_damaged"] = m.spool_damaged;
  j["uplink_errors"] = m.uplink_errors;
  j["stationary_suppressed"] = m.stationary_suppressed;
  j["thin_passes"] = m.thin_passes;
  j["static_texts"] = m.static_texts;
  if (!m.static_text_places.empty()) {
    json places = json::array();
    for (const auto& p : m.static_text_places) {
      places.push_back({{"x", p.x}, {"y", p.y}, {"width", p.width}, {"height", p.height}, {"text", p.text}});
    }
    j["static_text_places"] = std::move(places);
  }
  j["reconnects"] = m.reconnects;
  j["uptime_s"] = m.uptime_s;
  j["source_state"] = m.source_state;
  if (m.temperature_c) j["temperature_c"] = *m.temperature_c;
  return j.dump();
}

std::string encode(const HitMessage& m) {
  json j = header("hit");
  j["hit_id"] = m.hit_id;
  j["read_id"] = m.read_id;
  j["camera_id"] = m.camera_id;
  j["site_id"] = m.site_id;
  j["at"] = iso(m.at);
  j["plate"] = m.plate;
  j["entry_plate"] = m.entry_plate;
  j["list"] = m.list;
  j["category"] = m.category;
  j["priority"] = m.priority;
  j["match_kind"] = m.match_kind;
  j["score"] = m.score;
  j["reason"] = m.reason;
  j["action"] = m.action;
  if (!m.related_read_id.empty()) j["related_read_id"] = m.related_read_id;
  return j.dump();
}

DecodeResult<ReadMessage> decode_read(std::string_view payload) {
  return decode_payload<ReadMessage>(payload, "read", read_read);
}

DecodeResult<StatusMessage> decode_status(std::string_view payload) {
  return decode_payload<StatusMessage>(payload, "status", [](const Fields& f) {
    StatusMessage m;
    m.camera_id = f.id("camera_id");
    m.site_id = f.id("site_id");
    m.state = parse_enum(f, "state", kStateNames);
    m.at = f.time("at");
    m.version = f.string("version", 64);
    return m;
  });
}

DecodeResult<HealthMessage> decode_health(std::string_view payload) {
  return decode_payload<HealthMessage>(payload, "health", [](const Fields& f) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    HealthMessage m;
    m.camera_id = f.id("camera_id");
    m.site_id = f.id("site_id");
    m.at = f.time("at");
    m.fps = f.number("fps", 0.0, 1000.0);
    m.frames_captured = f.integer("frames_captured", 0, kMax);
    m.frames_dropped = f.integer("frames_dropped", 0, kMax);
    m.queue_depth = f.integer("queue_depth", 0, kMax);
    m.spool_depth = f.integer("spool_depth", 0, kMax);
    m.spool_bytes = f.integer("spool_bytes", 0, kMax);
    m.spool_evictions = f.integer("spool_evictions", 0, kMax);
    // Added after schema 1 was first deployed: older cameras leave them out.
    if (f.has("spool_damaged")) m.spool_damaged = f.integer("spool_damaged", 0, kMax);
    if (f.has("uplink_errors")) m.uplink_errors = f.integer("uplink_errors", 0, kMax);
    if (f.has("stationary_suppressed")) m.stationary_suppressed = f.integer("stationary_suppressed", 0, kMax);
    if (f.has("thin_passes")) m.thin_passes = f.integer("thin_passes", 0, kMax);
    if (f.has("static_texts")) m.static_texts = f.integer("static_texts", 0, kMax);
    if (f.has("static_text_places")) {
      const json& places = f.array("static_text_places", MessageLimits::kMaxStaticTextPlaces);
      for (std::size_t i = 0; i < places.size(); ++i) {
        const Fields p(places[i], "static_text_places[" + std::to_string(i) + "]");
        StaticTextPlace place{p.number("x", 0.0, 1.0), p.number("y", 0.0, 1.0), p.number("width", 0.0, 1.0),
                              p.number("height", 0.0, 1.0), p.string("text", 32)};
        m.static_text_places.push_back(std::move(place));
      }
    }
    m.reconnects = f.integer("reconnects", 0, kMax);
    m.uptime_s = f.integer("uptime_s", 0, kMax);
    m.source_state = f.string("source_state", 32);
    if (f.has("temperature_c")) m.temperature_c = f.number("temperature_c", -100.0, 200.0);
    return m;
  });
}

DecodeResult<HitMessage> decode_hit(std::string_view payload) {
  return decode_payload<HitMessage>(payload, "hit", [](const Fields& f) {
    HitMessage m;
    m.hit_id = f.uuid("hit_id");
    m.read_id = f.uuid("read_id");
    m.camera_id = f.id("camera_id");
    m.site_id = f.id("site_id");
    m.at = f.time("at");
    m.plate = f.plate("plate");
    m.entry_plate = f.string("entry_plate", 32);
    m.list = f.string("list", 128);
    m.category = f.string("category", 64);
    m.priority = static_cast<int>(f.integer("priority", 0, 99));
    m.match_kind = f.string("match_kind", 32);
    m.score = f.number("score", 0.0, 1.0);
    m.reason = f.string("reason", 1024);
    m.action = f.string("action", 1024);
    if (f.has("related_read_id")) m.related_read_id = f.uuid("related_read_id");
    return m;
  });
}

}  // namespace anpr
