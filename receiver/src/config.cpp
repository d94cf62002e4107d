#include "anpr/receiver/config.hpp"

#include "anpr/common/config_section.hpp"
#include "anpr/common/error.hpp"
#include "anpr/receiver/web/map_tiles.hpp"

namespace anpr::receiver {

ReceiverConfig load_receiver_config(const std::string& path) {
  const toml::table root = parse_config_file(path);
  ReceiverConfig c;
  ConfigSection mqtt(root, "mqtt", path);
  mqtt.text("broker", c.mqtt.broker);
  mqtt.text("client_id", c.mqtt.client_id);
  mqtt.text("share_group", c.mqtt.share_group);
  mqtt.text("username", c.mqtt.username);
  mqtt.text("password", c.mqtt.password);
  mqtt.integer("keep_alive_s", c.mqtt.keep_alive_s, 5, 3600);
  mqtt.text("ca_file", c.mqtt.ca_file);
  mqtt.text("cert_file", c.mqtt.cert_file);
  mqtt.text("key_file", c.mqtt.key_file);
  int max_batch = static_cast<int>(c.mqtt.max_batch);
  mqtt.integer("max_batch", max_batch, 1, 30'000);
  c.mqtt.max_batch = static_cast<std::size_t>(max_batch);
  int batch_wait_ms = static_cast<int>(c.mqtt.batch_wait.count());
  mqtt.integer("batch_wait_ms", batch_wait_ms, 0, 1000);
  c.mqtt.batch_wait = std::chrono::milliseconds(batch_wait_ms);
  ConfigSection storage(root, "storage", path);
  storage.text("database", c.database);
  storage.text("data_dir", c.data_dir);
  ConfigSection lists(root, "watchlists", path);
  lists.integer("max_substitutions", c.matcher.max_substitutions, 0, 3);
  ConfigSection clones(root, "clones", path);
  clones.boolean("live", c.clones.live);
  clones.number("speed_ceiling_mph", c.clones.speed_ceiling_mph, 20, 1000);
  clones.number("margin_s", c.clones.margin_s, 0, 3600);
  clones.number("min_distance_km", c.clones.min_distance_km, 0, 1000);
  clones.number("min_confidence", c.clones.min_confidence, 0, 1);
  clones.integer("priority", c.clones.priority, 0, 99);
  ConfigSection retention(root, "retention", path);
  retention.integer("read_days", c.retention.read_days, 1, 36500);
  retention.integer("hit_read_days", c.retention.hit_read_days, 1, 36500);
  retention.integer("interval_s", c.retention.interval_s, 10, 86400);
  retention.integer("dead_letter_days", c.retention.dead_letter_days, 1, 3650);
  retention.integer("dead_letter_max", c.retention.dead_letter_max, 100, 10'000'000);
  ConfigSection faults(root, "faults", path);
  faults.boolean("enabled", c.faults.enabled);
  faults.integer("offline_after_s", c.faults.offline_after_s, 0, 86400);
  faults.integer("spool_reports", c.faults.spool_reports, 2, 100);
  int spool_min = static_cast<int>(c.faults.spool_min_reads);
  faults.integer("spool_min_reads", spool_min, 1, 10'000'000);
  c.faults.spool_min_reads = spool_min;
  faults.number("quiet_expected_reads", c.faults.quiet_expected_reads, 1, 1e6);
  faults.integer("quiet_min_s", c.faults.quiet_min_s, 60, 86400);
  faults.integer("priority", c.faults.priority, 0, 99);
  ConfigSection web(root, "web", path);
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
  if (!c.web.map_tile_url.empty()) {
    const auto& u = c.web.map_tile_url;
    const bool placeholders = u.find("{z}") != std::string::npos && u.find("{x}") != std::string::npos &&
                              u.find("{y}") != std::string::npos;
    if (web::map_tile_origin(u).empty() || !placeholders ||
        u.find_first_of(" \t\"';,") != std::string::npos) {
      web.fail("map_tile_url",
               "a tile server URL with one host: http(s)://host[:port]/.../{z}/{x}/{y}.png (no {s} "
               "subdomains, user names, spaces, quotes, ';' or ',')");
    }
  }
  int max_connections = static_cast<int>(c.web.max_connections);
  int per_address = static_cast<int>(c.web.max_connections_per_address);
  web.integer("max_connections", max_connections, 1, 65535);
  web.integer("max_connections_per_address", per_address, 1, 65535);
  c.web.max_connections = static_cast<std::size_t>(max_connections);
  c.web.max_connections_per_address = static_cast<std::size_t>(per_address);
  web.integer("header_timeout_s", c.web.header_timeout_s, 1, 300);
  web.integer("request_timeout_s", c.web.request_timeout_s, 1, 3600);
  for (const ConfigSection* s : {&mqtt, &storage, &lists, &clones, &retention, &faults, &web}) {
    s->check_unknown_keys();
  }
  check_config_sections(root, path,
                        {"mqtt", "storage", "watchlists", "clones", "retention", "faults", "web"});
  if (c.web.cert_file.empty() != c.web.key_file.empty())
    web.fail("cert_file", "cert_file and key_file go together");
  if (c.web.tls() && c.web.map_tile_url.rfind("http://", 0) == 0) {
    web.fail("map_tile_url",
             "the pages are served over TLS: a browser refuses http:// tiles there (use https://)");
  }
  // Cross-field checks after parsing.
  if (c.mqtt.cert_file.empty() != c.mqtt.key_file.empty())
    mqtt.fail("cert_file", "cert_file and key_file go together");
  if (c.retention.hit_read_days < c.retention.read_days) {
    throw Error(ErrorCode::kConfig, path + ": retention.hit_read_days (" +
                                        std::to_string(c.retention.hit_read_days) +
                                        ") must not be shorter than retention.read_days (" +
                                        std::to_string(c.retention.read_days) + ")");
  }
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
