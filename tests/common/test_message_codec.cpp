#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"

using namespace anpr;
using nlohmann::json;

namespace {

const Bytes kJpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0xFF, 0xD9};

ReadMessage sample_read() {
  ReadMessage m;
  m.read_id = "0b6f3a4e-8d2c-4c1e-9a7b-3f5e6d7c8b9a";
  m.camera_id = "cam1";
  m.site_id = "coalville";
  m.first_seen = 1795590299000;
  m.captured_at = 1795590299400;
  m.last_seen = 1795590300100;
  m.plate = "AB12CDE";
  m.confidence = 0.97;
  m.char_confidences = {0.99, 0.98, 0.97, 0.99, 0.96, 0.95, 0.99};
  m.format = "gb-current";
  m.country = "GB";
  m.candidates = {{"A812CDE", 0.4}, {"AB12CDF", 0.2}};
  m.direction = {Motion::kApproaching, Lateral::kLeft};
  m.box = {100, 200, 180, 40};
  m.crop_jpeg = kJpeg;
  m.frames_seen = 12;
  return m;
}

// The sample read as JSON, changed by `edit`, then decoded.
DecodeResult<ReadMessage> decode_edited(const std::function<void(json&)>& edit) {
  json j = json::parse(encode(sample_read()));
  edit(j);
  return decode_read(j.dump());
}

void require_rejected(const DecodeResult<ReadMessage>& r, const std::string& field,
                      const std::string& words) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().field == field);
  CHECK_THAT(r.error().reason, Catch::Contains(words));
}

}  // namespace

TEST_CASE("a read survives encode and decode unchanged", "[messages]") {
  ReadMessage m = sample_read();
  auto r = decode_read(encode(m));
  REQUIRE(r.ok());
  CHECK(r.value() == m);
  m.overview_jpeg = kJpeg;
  r = decode_read(encode(m));
  REQUIRE(r.ok());
  CHECK(r.value() == m);
}

TEST_CASE("status, health and hit survive encode and decode", "[messages]") {
  const StatusMessage s{"cam1", "ashby", CameraState::kOffline, 1795590299000, "0.1.0"};
  const auto sr = decode_status(encode(s));
  REQUIRE(sr.ok());
  CHECK(sr.value() == s);

  HealthMessage h;
  h.camera_id = "cam1";
  h.site_id = "ashby";
  h.at = 1795590299000;
  h.fps = 24.5;
  h.frames_captured = 1000;
  h.frames_dropped = 3;
  h.spool_depth = 2;
  h.temperature_c = 51.5;
  h.stationary_suppressed = 7;
  h.thin_passes = 2;
  h.static_texts = 3;
  h.static_text_places = {{0.02, 0.03, 0.3, 0.04, "2O26O6O4142938"}, {0.7, 0.5, 0.1, 0.05, "WM16ASX"}};
  const auto hr = decode_health(encode(h));
  REQUIRE(hr.ok());
  CHECK(hr.value() == h);
  // Cameras from before the camera counters left them out: still a valid health message.
  json older = json::parse(encode(h));
  older.erase("stationary_suppressed");
  older.erase("thin_passes");
  older.erase("static_texts");
  older.erase("static_text_places");
  const auto old = decode_health(older.dump());
  REQUIRE(old.ok());
  CHECK(old.value().thin_passes == 0);
  CHECK(old.value().static_text_places.empty());
  // Places are fractions of the frame and bounded in number.
  json outside = json::parse(encode(h));
  outside["static_text_places"][1]["x"] = 1.5;
  const auto rejected = decode_health(outside.dump());
  REQUIRE_FALSE(rejected.ok());
  CHECK(rejected.error().message().find("static_text_places[1].x") != std::string::npos);
  json many = json::parse(encode(h));
  for (int i = 0; i < 70; ++i) many["static_text_places"].push_back(many["static_text_places"][0]);
  CHECK_FALSE(decode_health(many.dump()).ok());

  HitMessage hit;
  hit.hit_id = make_uuid();
  hit.read_id = make_uuid();
  hit.camera_id = "cam1";
  hit.site_id = "ashby";
  hit.at = 1795590299000;
  hit.plate = "AB12CDE";
  hit.entry_plate = "AB12C*";
  hit.list = "Stolen vehicles";
  hit.category = "stolen-vehicle";
  hit.match_kind = "wildcard";
  hit.score = 0.9;
  const auto hitr = decode_hit(encode(hit));
  REQUIRE(hitr.ok());
  CHECK(hitr.value() == hit);
}

TEST_CASE("payload-level rejections", "[messages][rejects]") {
  CHECK(decode_read("").error().reason == "is empty");
  CHECK_THAT(decode_read(std::string(MessageLimits::kMaxPayloadBytes + 1, ' ')).error().reason,
             Catch::Contains("the limit is"));
  CHECK_THAT(decode_read("{\"plate\": \"\xC3\x28\"}").error().reason, Catch::Contains("UTF-8"));
  const std::string full = encode(sample_read());
  CHECK_THAT(decode_read(full.substr(0, full.size() / 2)).error().reason, Catch::Contains("not valid JSON"));
  CHECK_THAT(decode_read(std::string(100000, '[') + std::string(100000, ']')).error().reason,
             Catch::Contains("nested too deeply"));
  CHECK(decode_read("[1,2,3]").error().reason == "must be an object");
  CHECK(decode_read("42").error().field == "(payload)");
}

TEST_CASE("a number beyond any type is rejected naming its field, never thrown", "[messages][rejects]") {
  // Regression: 1e400 made the JSON parser throw std::out_of_range past the validator, so the
  // message was not dead-lettered and `anpr-receiver validate` aborted.
  std::string payload = encode(sample_read());
  const std::string key = "\"frames_seen\":";
  const auto at = payload.find(key);
  REQUIRE(at != std::string::npos);
  const auto end = payload.find_first_of(",}", at);
  payload.replace(at, end - at, key + "1e400");
  DecodeResult<ReadMessage> r = DecodeError{"", ""};
  REQUIRE_NOTHROW(r = decode_read(payload));
  require_rejected(r, "frames_seen", "out of range");
  REQUIRE_NOTHROW(r = decode_read("{\"x\": -1e99999}"));
  CHECK(r.error().field == "x");
}

TEST_CASE("schema version and type are checked first", "[messages][rejects]") {
  require_rejected(decode_edited([](json& j) { j["schema_version"] = 2; }), "schema_version",
                   "this build reads 1");
  require_rejected(decode_edited([](json& j) { j.erase("schema_version"); }), "schema_version", "required");
  require_rejected(decode_edited([](json& j) { j["type"] = "health"; }), "type", "must be \"read\"");
  CHECK_FALSE(decode_status(encode(sample_read())).ok());
}

TEST_CASE("every field of a read is validated", "[messages][rejects]") {
  require_rejected(decode_edited([](json& j) { j.erase("plate"); }), "plate", "required");
  require_rejected(decode_edited([](json& j) { j["plate"] = 12; }), "plate", "must be a string");
  require_rejected(decode_edited([](json& j) { j["plate"] = "AB12 CDE"; }), "plate", "A-Z and 0-9");
  require_rejected(decode_edited([](json& j) { j["plate"] = "ab12cde"; }), "plate", "A-Z and 0-9");
  require_rejected(decode_edited([](json& j) { j["plate"] = "ABCDEFGHJKLMN"; }), "plate", "longer than 12");
  require_rejected(decode_edited([](json& j) { j["read_id"] = "42"; }), "read_id", "UUID");
  require_rejected(decode_edited([](json& j) { j["camera_id"] = "cam/1"; }), "camera_id", "1-64 characters");
  require_rejected(decode_edited([](json& j) { j["site_id"] = ""; }), "site_id", "1-64 characters");
  require_rejected(decode_edited([](json& j) { j["confidence"] = 1.5; }), "confidence", "between 0");
  require_rejected(decode_edited([](json& j) { j["confidence"] = "high"; }), "confidence",
                   "must be a number");
  require_rejected(decode_edited([](json& j) { j["char_confidences"] = {0.9}; }), "char_confidences",
                   "one value per plate character");
  require_rejected(decode_edited([](json& j) { j["char_confidences"][3] = -0.1; }), "char_confidences[3]",
                   "between 0");
  require_rejected(decode_edited([](json& j) { j["country"] = "gb"; }), "country", "two upper-case letters");
  require_rejected(decode_edited([](json& j) {
                     j["candidates"] = json::array();
                     for (int i = 0; i < 11; ++i)
                       j["candidates"].push_back({{"text", "A"}, {"confidence", 0.1}});
                   }),
                   "candidates", "more than 10");
  require_rejected(decode_edited([](json& j) { j["candidates"][1]["text"] = "a-b"; }), "candidates[1].text",
                   "A-Z and 0-9");
  require_rejected(decode_edited([](json& j) { j["direction"]["motion"] = "sideways"; }), "direction.motion",
                   "one of");
  require_rejected(decode_edited([](json& j) { j["direction"] = "left"; }), "direction", "must be an object");
  require_rejected(decode_edited([](json& j) { j["box"] = {1, 2, 3}; }), "box", "[x, y, width, height]");
  require_rejected(decode_edited([](json& j) { j["box"][2] = 0; }), "box", "non-zero");
  require_rejected(decode_edited([](json& j) { j["box"][0] = -5; }), "box[0]", "integer from 0");
  require_rejected(decode_edited([](json& j) { j["crop_jpeg"] = "not base64!"; }), "crop_jpeg", "base64");
  require_rejected(decode_edited([](json& j) {
                     j["crop_jpeg"] = base64_encode({0x89, 'P', 'N', 'G', 1, 2, 3, 4});
                   }),
                   "crop_jpeg", "not a JPEG");
  require_rejected(decode_edited([](json& j) { j["crop_jpeg"] = std::string(400000, 'A'); }), "crop_jpeg",
                   "longer than");
  require_rejected(decode_edited([](json& j) {
                     j["overview_jpeg"] = base64_encode({1, 2, 3});
                   }),
                   "overview_jpeg", "not a JPEG");
  require_rejected(decode_edited([](json& j) { j["frames_seen"] = 0; }), "frames_seen", "between 1");
  require_rejected(decode_edited([](json& j) { j["frames_seen"] = 2.5; }), "frames_seen", "integer");
  require_rejected(decode_edited([](json& j) { j["captured_at"] = "2026-11-24 07:04:59"; }), "captured_at",
                   "ISO 8601");
  require_rejected(decode_edited([](json& j) { j["captured_at"] = "1999-01-01T00:00:00.000Z"; }),
                   "captured_at", "before 2000");
  require_rejected(decode_edited([](json& j) { j["first_seen"] = "2026-11-25T08:00:00.000Z"; }), "first_seen",
                   "after last_seen");
  require_rejected(decode_edited([](json& j) { j["captured_at"] = "2026-11-25T07:04:00.000Z"; }),
                   "captured_at", "between first_seen and last_seen");
}

TEST_CASE("unknown fields are ignored so a newer edge can add fields within a version", "[messages]") {
  const auto r = decode_edited([](json& j) { j["lane"] = 2; });
  CHECK(r.ok());
}

TEST_CASE("status and health rejections name the field", "[messages][rejects]") {
  json s = json::parse(encode(StatusMessage{"cam1", "ashby", CameraState::kOnline, 1795590299000, "0.1.0"}));
  s["state"] = "asleep";
  CHECK(decode_status(s.dump()).error().field == "state");
  HealthMessage h;
  h.camera_id = "cam1";
  h.site_id = "ashby";
  h.at = 1795590299000;
  json hj = json::parse(encode(h));
  hj["frames_dropped"] = -1;
  CHECK(decode_health(hj.dump()).error().field == "frames_dropped");
  hj["frames_dropped"] = 18446744073709551615ULL;
  CHECK(decode_health(hj.dump()).error().field == "frames_dropped");
  // Text after a NUL, or a newline that would forge a log line, is refused in every text field.
  s["state"] = "online";
  s["version"] = std::string("0.1.0\0hidden", 12);
  CHECK(decode_status(s.dump()).error().field == "version");
  s["version"] = "0.1.0\nforged log line";
  CHECK_THAT(decode_status(s.dump()).error().reason, Catch::Contains("control characters"));
}

TEST_CASE("value() on a rejected result throws instead of returning garbage", "[messages]") {
  const auto r = decode_read("{}");
  CHECK_THROWS_AS(r.value(), std::logic_error);
}
