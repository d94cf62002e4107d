#include "anpr/receiver/config.hpp"

#include "anpr/common/config_section.hpp"
#include "anpr/common/error.hpp"
#include "anpr/receiver/web/map_tiles.hpp"

namespace anpr::receiver {

namespace {

void read_mqtt(ConfigSection& mqtt, MqttSettings& m) {
  mqtt.text("broker", m.broker);
  mqtt.text("client_id", m.client_id);
  mqtt.text("share_group", m.share_group);
  mqtt.text("username", m.username);
  mqtt.text("password", m.password);
  mqtt.integer("keep_alive_s", m.keep_alive_s, 5, 3600);
  mqtt.text("ca_file", m.ca_file);
  mqtt.text("cert_file", m.cert_file);
  mqtt.text("key_file", m.key_file);
  int max_batch = static_cast<int>(m.max_batch);
  mqtt.integer("max_batch", max_batch, 1, 30'000);
  m.max_batch = static_cast<std::size_t>(max_batch);
  int batch_wait_ms = static_cast<int>(m.batch_wait.count());
  mqtt.integer("batch_wait_ms", batch_wait_ms, 0, 1000);
  m.batch_wait = std::chrono::milliseconds(batch_wait_ms);
}

void read_clones(ConfigSection& clones, analysis::CloneSettings& c) {
  clones.boolean("live", c.live);
  clones.number("speed_ceiling_mph", c.speed_ceiling_mph, 20, 1000);
  clones.number("margin_s", c.margin_s, 0, 3600);
  clones.number("min_distance_km", c.min_distance_km, 0, 1000);
  clones.number("min_confidence", c.min_confidence, 0, 1);
  clones.integer("priority", c.priority, 0, 99);
}

void read_retention(ConfigSection& retention, RetentionSettings& r) {
  retention.integer("read_days", r.read_days, 1, 36500);
  retention.integer("hit_read_days", r.hit_read_days, 1, 36500);
  retention.integer("interval_s", r.interval_s, 10, 86400);
  retention.integer("dead_letter_days", r.dead_letter_days, 1, 3650);
  retention.integer("dead_letter_max", r.dead_letter_max, 100, 10'000'000);
}

void read_faults(ConfigSection& faults, FaultSettings& f) {
  faults.boolean("enabled", f.enabled);
  faults.integer("offline_after_s", f.offline_after_s, 0, 86400);
  faults.integer("spool_reports", f.spool_reports, 2, 100);
  int spool_min = static_cast<int>(f.spool_min_reads);
  faults.integer("spool_min_reads", spool_min, 1, 10'000'000);
  f.spool_min_reads = spool_min;
  faults.number("quiet_expected_reads", f.quiet_expected_reads, 1, 1e6);
  faults.integer("quiet_min_s", f.quiet_min_s, 60, 86400);
  faults.integer("priority", f.priority, 0, 99);
}

void check_map_tile_url(const ConfigSection& web, const std::string& u) {
  if (u.empty()) return;
  const bool placeholders = u.find("{z}") != std::string::npos && u.find("{x}") != std::string::npos &&
                            u.find("{y}") != std::string::npos;
  if (web::map_tile_origin(u).empty() || !placeholders || u.find_first_of(" \t\"';,") != std::string::npos) {
    web.fail("map_tile_url",
             "a tile server URL with one host: http(s)://host[:port]/.../{z}/{x}/{y}.png (no {s} "
             "subdomains, user names, spaces, quotes, ';' or ',')");
  }
}

// Takes the whole config because "listen" may also turn the web side off.
void read_web(ConfigSection& web, ReceiverConfig& c) {
  std::string listen = c.web.address + ":" + std::to_string(c.web.port);
  web.text("listen", listen);
  try {
    set_web_listen(c, listen);
  } catch (const Error& e) {
    web.fail("listen", e.what());
  }
  web.text("cert_file", c.web.cert_file);
  web.text("key_file", c.web.key_file);
  web.integer("lookback_days", c.web.lookback_days, 0, 3650);
  web.text("map_tile_url", c.web.map_tile_url);
  check_map_tile_url(web, c.web.map_tile_url);
  int max_connections = static_cast<int>(c.web.max_connections);
  int per_address = static_cast<int>(c.web.max_connections_per_address);
  web.integer("max_connections", max_connections, 1, 65535);
  web.integer("max_connections_per_address", per_address, 1, 65535);
  c.web.max_connections = static_cast<std::size_t>(max_connections);
  c.web.max_connections_per_address = static_cast<std::size_t>(per_address);
  web.integer("header_timeout_s", c.web.header_timeout_s, 1, 300);
  web.integer("request_timeout_s", c.web.request_timeout_s, 1, 3600);
}

// Cross-field checks, after every key has been read and no unknown key is left.
void check_cross_fields(const ReceiverConfig& c, const ConfigSection& mqtt, const ConfigSection& web,
                        const std::string& path) {
  if (c.web.cert_file.empty() != c.web.key_file.empty())
    web.fail("cert_file", "cert_file and key_file go together");
  if (c.web.tls() && c.web.map_tile_url.rfind("http://", 0) == 0) {
    web.fail("map_tile_url",
             "the pages are served over TLS: a browser refuses http:// tiles there (use https://)");
  }
  if (c.mqtt.cert_file.empty() != c.mqtt.key_file.empty())
    mqtt.fail("cert_file", "cert_file and key_file go together");
  if (c.retention.hit_read_days < c.retention.read_days) {
    throw Error(ErrorCode::kConfig, path + ": retention.hit_read_days (" +
                                        std::to_string(c.retention.hit_read_days) +
                                        ") must not be shorter than retention.read_days (" +
                                        std::to_string(c.retention.read_days) + ")");
  }
}

}  // namespace

ReceiverConfig load_receiver_config(const std::string& path) {
  const toml::table root = parse_config_file(path);
  ReceiverConfig c;
  // The sections are read in file order and their unknown keys checked only after all of them,
  // so a file with several mistakes reports the same one first as it always has.
  ConfigSection mqtt(root, "mqtt", path);
  read_mqtt(mqtt, c.mqtt);
  ConfigSection storage(root, "storage", path);
  storage.text("database", c.database);
  storage.text("data_dir", c.data_dir);
  ConfigSection lists(root, "watchlists", path);
  lists.integer("max_substitutions", c.matcher.max_substitutions, 0, 3);
  ConfigSection clones(root, "clones", path);
  read_clones(clones, c.clones);
  ConfigSection retention(root, "retention", path);
  read_retention(retention, c.retention);
  ConfigSection faults(root, "faults", path);
  read_faults(faults, c.faults);
  ConfigSection web(root, "web", path);
  read_web(web, c);
  for (const ConfigSection* s : {&mqtt, &storage, &lists, &clones, &retention, &faults, &web}) {
    s->check_unknown_keys();
  }
  check_config_sections(root, path,
                        {"mqtt", "storage", "watchlists", "clones", "retention", "faults", "web"});
  check_cross_fields(c, mqtt, web, path);
  return c;
}

void set_web_listen(ReceiverConfig& config, const std::string& value) {
  if (value == "off") {
    config.web_enabled = false;
    return;
  }
  const auto colon = value.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon + 1 < value.size() && value.size() - colon <= 6 &&
      value.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    port = std::stoi(value.substr(colon + 1));
  }
  if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
    throw Error(ErrorCode::kConfig,
                "web address '" + value + "' is not ADDRESS:PORT (for example 127.0.0.1:8080) or off");
  }
  config.web_enabled = true;
  config.web.address = value.substr(0, colon);
  config.web.port = static_cast<unsigned short>(port);
}

}  // namespace anpr::receiver
