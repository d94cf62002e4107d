#include "anpr/receiver/config.hpp"

#include <set>

#include <toml++/toml.h>

#include "anpr/common/error.hpp"

namespace anpr::receiver {
namespace {

// Reads typed values from one table, naming file, line and key in every error, and refusing
// keys it does not know (a typo must not silently fall back to a default).
class Section {
 public:
  Section(const toml::table& root, std::string name, std::string file)
      : name_(std::move(name)), file_(std::move(file)) {
    const toml::node* node = root.get(name_);
    if (node == nullptr) return;
    table_ = node->as_table();
    if (table_ == nullptr) fail(*node, name_, "must be a table ([" + name_ + "])");
  }

  void text(const char* key, std::string& out) {
    if (const auto* n = find(key)) {
      const auto v = n->value<std::string>();
      if (!v) fail(*n, key, "must be a string");
      out = *v;
    }
  }

  void integer(const char* key, int& out, int lo, int hi) {
    if (const auto* n = find(key)) {
      const auto v = n->value<std::int64_t>();
      if (!v || !n->is_integer()) fail(*n, key, "must be an integer");
      if (*v < lo || *v > hi) fail(*n, key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      out = static_cast<int>(*v);
    }
  }

  void check_unknown_keys() const {
    if (table_ == nullptr) return;
    for (const auto& [key, node] : *table_) {
      if (!known_.count(std::string(key.str()))) fail(node, std::string(key.str()), "is not a known setting");
    }
  }

 private:
  const toml::node* find(const char* key) {
    known_.insert(key);
    return table_ ? table_->get(key) : nullptr;
  }

  [[noreturn]] void fail(const toml::node& node, const std::string& key, const std::string& reason) const {
    throw Error(ErrorCode::kConfig, file_ + ":" + std::to_string(node.source().begin.line) + ": " + name_ + "." +
                                        key + ": " + reason);
  }

  std::string name_, file_;
  const toml::table* table_ = nullptr;
  std::set<std::string> known_;
};

}  // namespace

ReceiverConfig load_receiver_config(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw Error(ErrorCode::kConfig, path + ":" + std::to_string(e.source().begin.line) + ": " +
                                        std::string(e.description()));
  }
  ReceiverConfig c;
  Section mqtt(root, "mqtt", path);
  mqtt.text("broker", c.mqtt.broker);
  mqtt.text("client_id", c.mqtt.client_id);
  mqtt.text("share_group", c.mqtt.share_group);
  mqtt.text("username", c.mqtt.username);
  mqtt.text("password", c.mqtt.password);
  mqtt.integer("keep_alive_s", c.mqtt.keep_alive_s, 5, 3600);
  Section storage(root, "storage", path);
  storage.text("database", c.database);
  storage.text("data_dir", c.data_dir);
  Section lists(root, "watchlists", path);
  lists.integer("max_substitutions", c.matcher.max_substitutions, 0, 3);
  Section retention(root, "retention", path);
  retention.integer("read_days", c.retention.read_days, 1, 36500);
  retention.integer("hit_read_days", c.retention.hit_read_days, 1, 36500);
  retention.integer("interval_s", c.retention.interval_s, 10, 86400);
  for (const Section* s : {&mqtt, &storage, &lists, &retention}) s->check_unknown_keys();
  for (const auto& [key, node] : root) {
    const std::string k(key.str());
    if (k != "mqtt" && k != "storage" && k != "watchlists" && k != "retention") {
      throw Error(ErrorCode::kConfig, path + ":" + std::to_string(node.source().begin.line) + ": " + k +
                                          ": is not a known section (mqtt, storage, watchlists, retention)");
    }
  }
  // Cross-field checks after parsing.
  if (c.retention.hit_read_days < c.retention.read_days) {
    throw Error(ErrorCode::kConfig, path + ": retention.hit_read_days (" + std::to_string(c.retention.hit_read_days) +
                                        ") must not be shorter than retention.read_days (" +
                                        std::to_string(c.retention.read_days) + ")");
  }
  return c;
}

}  // namespace anpr::receiver
