#include "anpr/edge/edge_config.hpp"

#include <unistd.h>

#include <spdlog/common.h>

#include "anpr/common/config_section.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/ids.hpp"

namespace anpr::edge {

EdgeConfig load_edge_config(const std::string& path) {
  const toml::table root = parse_config_file(path);
  EdgeConfig c;
  ConfigSection camera(root, "camera", path);
  camera.text("id", c.camera_id);
  camera.text("site_id", c.site_id);
  ConfigSection source(root, "source", path);
  source.text("uri", c.source.uri);
  source.boolean("loop", c.source.loop);
  source.boolean("realtime", c.source.realtime);
  source.number("reconnect_min_s", c.source.reconnect_min_s, 0.1, 600);
  source.number("reconnect_max_s", c.source.reconnect_max_s, 0.1, 3600);
  source.integer("open_timeout_ms", c.source.open_timeout_ms, 100, 120000);
  ConfigSection recognition(root, "recognition", path);
  recognition.integer("threads", c.recognition.threads, 1, 16);
  recognition.text_list("countries", c.recognition.countries);
  recognition.text("tessdata", c.recognition.tessdata);
  recognition.text("char_model", c.recognition.char_model);
  recognition.text("verifier_model", c.recognition.verifier_model);
  recognition.integer("min_plate_height", c.recognition.min_plate_height, 8, 2000);
  recognition.integer("max_plate_height", c.recognition.max_plate_height, 8, 4000);
  ConfigSection motion(root, "motion", path);
  motion.boolean("enabled", c.motion.enabled);
  motion.integer("threshold", c.motion.threshold, 1, 255);
  motion.number("min_area", c.motion.min_area, 0, 1);
  motion.number("padding", c.motion.padding, 0, 1);
  motion.points("roi", c.motion.roi);
  ConfigSection zones(root, "zones", path);
  std::string units = "fraction";
  zones.text("units", units);
  if (units != "fraction" && units != "pixels") zones.fail("units", "must be \"fraction\" or \"pixels\"");
  c.zones.units = units == "pixels" ? ZoneUnits::kPixels : ZoneUnits::kFraction;
  const auto zone_problem = [&](const Polygon& p) { return polygon_problem(p, c.zones.units); };
  zones.polygons("ignore", c.zones.ignore, zone_problem);
  zones.polygons("read", c.zones.read, zone_problem);
  ConfigSection tracking(root, "tracking", path);
  tracking.integer("track_timeout_ms", c.tracking.track_timeout_ms, 100, 60000);
  tracking.integer("min_missed_frames", c.tracking.min_missed_frames, 1, 1000);
  tracking.integer("max_publish_delay_ms", c.tracking.max_publish_delay_ms, 100, 60000);
  tracking.integer("min_frames", c.tracking.min_frames, 1, 100);
  tracking.number("single_frame_confidence", c.tracking.single_frame_confidence, 0, 1);
  tracking.number("min_confidence", c.tracking.min_confidence, 0, 1);
  tracking.number("min_travel", c.tracking.min_travel, 0, 100);
  tracking.integer("settled_frames", c.tracking.settled_frames, 1, 1000);
  ConfigSection static_text(root, "static_text", path);
  static_text.boolean("enabled", c.static_text.enabled);
  static_text.integer("min_sightings", c.static_text.min_sightings, 1, 100000);
  static_text.number("min_minutes", c.static_text.min_minutes, 0, 1440);
  static_text.number("forget_minutes", c.static_text.forget_minutes, 1, 525600);
  static_text.integer("max_texts", c.static_text.max_texts, 1, 1024);
  ConfigSection mqtt(root, "mqtt", path);
  mqtt.text("broker", c.mqtt.broker);
  mqtt.integer("version", c.mqtt.version, 4, 5);
  mqtt.text("username", c.mqtt.username);
  mqtt.text("password", c.mqtt.password);
  mqtt.text("ca_file", c.mqtt.ca_file);
  mqtt.text("cert_file", c.mqtt.cert_file);
  mqtt.text("key_file", c.mqtt.key_file);
  mqtt.integer("keep_alive_s", c.mqtt.keep_alive_s, 5, 3600);
  mqtt.integer("health_interval_s", c.mqtt.health_interval_s, 1, 3600);
  mqtt.integer("max_in_flight", c.mqtt.max_in_flight, 1, 1000);
  mqtt.integer("reconnect_max_s", c.mqtt.reconnect_max_s, 1, 3600);
  ConfigSection spool(root, "spool", path);
  std::string spool_dir = c.spool.dir.string();
  spool.text("dir", spool_dir);
  c.spool.dir = spool_dir;
  int max_mb = static_cast<int>(c.spool.max_bytes / (1024 * 1024));
  spool.integer("max_mb", max_mb, 1, 1024 * 1024);
  c.spool.max_bytes = static_cast<std::int64_t>(max_mb) * 1024 * 1024;
  ConfigSection images(root, "images", path);
  images.integer("crop_quality", c.images.crop_quality, 10, 100);
  images.boolean("overview", c.images.overview);
  images.integer("overview_width", c.images.overview_width, 160, 3840);
  images.integer("overview_quality", c.images.overview_quality, 10, 100);
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
