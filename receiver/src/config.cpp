#include "anpr/receiver/config.hpp"

#include "anpr/common/config_section.hpp"
#include "anpr/common/error.hpp"

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
  ConfigSection storage(root, "storage", path);
  storage.text("database", c.database);
  storage.text("data_dir", c.data_dir);
  ConfigSection lists(root, "watchlists", path);
  lists.integer("max_substitutions", c.matcher.max_substitutions, 0, 3);
  ConfigSection retention(root, "retention", path);
  retention.integer("read_days", c.retention.read_days, 1, 36500);
  retention.integer("hit_read_days", c.retention.hit_read_days, 1, 36500);
  retention.integer("interval_s", c.retention.interval_s, 10, 86400);
  for (const ConfigSection* s : {&mqtt, &storage, &lists, &retention}) s->check_unknown_keys();
  check_config_sections(root, path, {"mqtt", "storage", "watchlists", "retention"});
  // Cross-field checks after parsing.
  if (c.mqtt.cert_file.empty() != c.mqtt.key_file.empty()) mqtt.fail("cert_file", "cert_file and key_file go together");
  if (c.retention.hit_read_days < c.retention.read_days) {
    throw Error(ErrorCode::kConfig, path + ": retention.hit_read_days (" + std::to_string(c.retention.hit_read_days) +
                                        ") must not be shorter than retention.read_days (" +
                                        std::to_string(c.retention.read_days) + ")");
  }
  return c;
}

}  // namespace anpr::receiver
