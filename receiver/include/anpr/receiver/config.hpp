#pragma once
/// @file
/// The receiver's configuration: one immutable struct, loaded from a TOML file (see
/// receiver/config/anpr-receiver.toml) with command-line flags on top. Errors name the file,
/// the line, the key and the reason.

#include <string>

#include "anpr/receiver/analysis/clones.hpp"
#include "anpr/receiver/cameras/camera_faults.hpp"
#include "anpr/receiver/ingest/mqtt_ingest.hpp"
#include "anpr/receiver/services/retention.hpp"
#include "anpr/receiver/watchlist/watchlist.hpp"
#include "anpr/receiver/web/web_api.hpp"

namespace anpr::receiver {

struct ReceiverConfig {
  MqttSettings mqtt;
  std::string database = "anpr.db";
  std::string data_dir;
  MatcherSettings matcher;
  analysis::CloneSettings clones;
  RetentionSettings retention;
  FaultSettings faults;
  bool web_enabled = true;
  web::WebSettings web;
};

/// Parses "ADDRESS:PORT" (or "off") into `web`; throws anpr::Error (kConfig) naming the value.
void set_web_listen(ReceiverConfig& config, const std::string& value);

/// Parses a config file over the defaults; throws anpr::Error ("FILE:LINE: KEY: reason").
[[nodiscard]] ReceiverConfig load_receiver_config(const std::string& path);

}  // namespace anpr::receiver
