#include "anpr/edge/edge_config.hpp"

#include <unistd.h>

#include <spdlog/common.h>

#include "anpr/common/config_section.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/ids.hpp"

namespace anpr::edge {

namespace {

void read_source(ConfigSection& s, SourceSettings& c) {
  s.text("uri", c.uri);
  s.boolean("loop", c.loop);
  s.boolean("realtime", c.realtime);
  s.number("reconnect_min_s", c.reconnect_min_s, 0.1, 600);
  s.number("reconnect_max_s", c.reconnect_max_s, 0.1, 3600);
  s.integer("open_timeout_ms", c.open_timeout_ms, 100, 120000);
}

void read_recognition(ConfigSection& s, RecognitionSettings& c) {
  s.integer("threads", c.threads, 1, 16);
  s.text_list("countries", c.countries);
  s.text("tessdata", c.tessdata);
  s.text("char_model", c.char_model);
  s.text("verifier_model", c.verifier_model);
  s.integer("min_plate_height", c.min_plate_height, 8, 2000);
  s.integer("max_plate_height", c.max_plate_height, 8, 4000);
}

void read_motion(ConfigSection& s, MotionSettings& c) {
  s.boolean("enabled", c.enabled);
  s.integer("threshold", c.threshold, 1, 255);
  s.number("min_area", c.min_area, 0, 1);
  s.number("padding", c.padding, 0, 1);
  s.points("roi", c.roi);
}

void read_zones(ConfigSection& s, ZoneSettings& c) {
  std::string units = "fraction";
  s.text("units", units);
  if (units != "fraction" && units != "pixels") s.fail("units", "must be \"fraction\" or \"pixels\"");
  c.units = units == "pixels" ? ZoneUnits::kPixels : ZoneUnits::kFraction;
  const auto zone_problem = [&](const Polygon& p) { return polygon_problem(p, c.units); };
  s.polygons("ignore", c.ignore, zone_problem);
  s.polygons("read", c.read, zone_problem);
}

void read_tracking(ConfigSection& s, TrackerSettings& c) {
  s.integer("track_timeout_ms", c.track_timeout_ms, 100, 60000);
  s.integer("min_missed_frames", c.min_missed_frames, 1, 1000);
  s.integer("max_publish_delay_ms", c.max_publish_delay_ms, 100, 60000);
  s.integer("min_frames", c.min_frames, 1, 100);
  s.number("single_frame_confidence", c.single_frame_confidence, 0, 1);
  s.number("min_confidence", c.min_confidence, 0, 1);
  s.number("min_travel", c.min_travel, 0, 100);
  s.integer("settled_frames", c.settled_frames, 1, 1000);
}

void read_static_text(ConfigSection& s, StaticTextSettings& c) {
  s.boolean("enabled", c.enabled);
  s.integer("min_sightings", c.min_sightings, 1, 100000);
  s.number("min_minutes", c.min_minutes, 0, 1440);
  s.number("forget_minutes", c.forget_minutes, 1, 525600);
  s.integer("max_texts", c.max_texts, 1, 1024);
}

void read_mqtt(ConfigSection& s, MqttSettings& c) {
  s.text("broker", c.broker);
  s.integer("version", c.version, 4, 5);
  s.text("username", c.username);
  s.text("password", c.password);
  s.text("ca_file", c.ca_file);
  s.text("cert_file", c.cert_file);
  s.text("key_file", c.key_file);
  s.integer("keep_alive_s", c.keep_alive_s, 5, 3600);
  s.integer("health_interval_s", c.health_interval_s, 1, 3600);
  s.integer("max_in_flight", c.max_in_flight, 1, 1000);
  s.integer("reconnect_max_s", c.reconnect_max_s, 1, 3600);
}

void read_spool(ConfigSection& s, SpoolSettings& c) {
  std::string dir = c.dir.string();
  s.text("dir", dir);
  c.dir = dir;
  int max_mb = static_cast<int>(c.max_bytes / (1024 * 1024));
  s.integer("max_mb", max_mb, 1, 1024 * 1024);
  c.max_bytes = static_cast<std::int64_t>(max_mb) * 1024 * 1024;
}

void read_images(ConfigSection& s, ImageSettings& c) {
  s.integer("crop_quality", c.crop_quality, 10, 100);
  s.boolean("overview", c.overview);
  s.integer("overview_width", c.overview_width, 160, 3840);
  s.integer("overview_quality", c.overview_quality, 10, 100);
}

}  // namespace

EdgeConfig load_edge_config(const std::string& path) {
  const toml::table root = parse_config_file(path);
  EdgeConfig c;
  ConfigSection camera(root, "camera", path);
  camera.text("id", c.camera_id);
  camera.text("site_id", c.site_id);
  ConfigSection source(root, "source", path);
  read_source(source, c.source);
  ConfigSection recognition(root, "recognition", path);
  read_recognition(recognition, c.recognition);
  ConfigSection motion(root, "motion", path);
  read_motion(motion, c.motion);
  ConfigSection zones(root, "zones", path);
  read_zones(zones, c.zones);
  ConfigSection tracking(root, "tracking", path);
  read_tracking(tracking, c.tracking);
  ConfigSection static_text(root, "static_text", path);
  read_static_text(static_text, c.static_text);
  ConfigSection mqtt(root, "mqtt", path);
  read_mqtt(mqtt, c.mqtt);
  ConfigSection spool(root, "spool", path);
  read_spool(spool, c.spool);
  ConfigSection images(root, "images", path);
  read_images(images, c.images);
  ConfigSection log(root, "log", path);
  log.text("level", c.log_level);
  const std::vector<const ConfigSection*> sections = {
      &camera, &source, &recognition, &motion, &zones, &tracking, &static_text, &mqtt, &spool, &images, &log};
  for (const ConfigSection* s : sections) s->check_unknown_keys();
  check_config_sections(root, path,
                        {"camera", "source", "recognition", "motion", "zones", "tracking", "static_text",
                         "mqtt", "spool", "images", "log"});
  // Rules between keys, reported at the key's line.
  if (c.motion.roi.size() == 1 || c.motion.roi.size() == 2) motion.fail("roi", "needs at least 3 points");
  for (const auto& [x, y] : c.motion.roi) {
    if (x < 0 || x > 1 || y < 0 || y > 1) motion.fail("roi", "points are fractions of the frame, 0 to 1");
  }
  if (c.recognition.max_plate_height < c.recognition.min_plate_height) {
    recognition.fail("max_plate_height", "must not be below min_plate_height");
  }
  if (c.source.reconnect_max_s < c.source.reconnect_min_s)
    source.fail("reconnect_max_s", "must not be below reconnect_min_s");
  if (!c.camera_id.empty() && !is_valid_id(c.camera_id)) camera.fail("id", "must be 1-64 of a-z A-Z 0-9 - _");
  if (!c.site_id.empty() && !is_valid_id(c.site_id))
    camera.fail("site_id", "must be 1-64 of a-z A-Z 0-9 - _");
  if (spdlog::level::from_str(c.log_level) == spdlog::level::off && c.log_level != "off") {
    log.fail("level", "must be one of trace, debug, info, warn, error, critical, off");
  }
  if (c.mqtt.cert_file.empty() != c.mqtt.key_file.empty())
    mqtt.fail("cert_file", "cert_file and key_file go together");
  return c;
}

void validate_edge_config(const EdgeConfig& c, const std::string& origin) {
  auto fail = [&](const std::string& key, const std::string& reason) {
    throw Error(ErrorCode::kConfig, origin + ": " + key + ": " + reason);
  };
  if (c.camera_id.empty()) fail("camera.id (--camera-id)", "is required");
  if (!is_valid_id(c.camera_id))
    fail("camera.id (--camera-id)", "'" + c.camera_id + "' must be 1-64 of a-z A-Z 0-9 - _");
  if (c.site_id.empty()) fail("camera.site_id (--site-id)", "is required");
  if (!is_valid_id(c.site_id))
    fail("camera.site_id (--site-id)", "'" + c.site_id + "' must be 1-64 of a-z A-Z 0-9 - _");
  if (c.source.uri.empty()) fail("source.uri (--source)", "is required");
  if (c.spool.dir.empty()) fail("spool.dir (--spool-dir)", "is required");
  const std::string& b = c.mqtt.broker;
  bool scheme_ok = false;
  for (const char* scheme : {"tcp://", "mqtt://", "ssl://", "mqtts://", "ws://", "wss://"})
    scheme_ok |= b.rfind(scheme, 0) == 0;
  if (!scheme_ok)
    fail("mqtt.broker (--broker)", "'" + b + "' must start with tcp://, ssl://, ws:// or wss://");
  for (const auto* file : {&c.mqtt.ca_file, &c.mqtt.cert_file, &c.mqtt.key_file}) {
    if (!file->empty() && ::access(file->c_str(), R_OK) != 0)
      fail("mqtt TLS file", "'" + *file + "' cannot be read");
  }
}

}  // namespace anpr::edge
