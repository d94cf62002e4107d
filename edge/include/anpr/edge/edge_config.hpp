#pragma once
/// @file
/// The configuration of `anpr-edge run`: one immutable struct, loaded from a TOML file (see
/// edge/config/anpr-edge.toml) with command-line flags on top. Errors name the file, the line,
/// the key and the reason.

#include <string>
#include <vector>

#include "anpr/edge/camera/frame_source.hpp"
#include "anpr/edge/camera/motion_gate.hpp"
#include "anpr/edge/camera/plate_tracker.hpp"
#include "anpr/edge/camera/static_text_memory.hpp"
#include "anpr/edge/camera/zones.hpp"
#include "anpr/edge/uplink/spool.hpp"

namespace anpr::edge {

struct MqttSettings {
  std::string broker = "tcp://127.0.0.1:1883";  ///< tcp://, ssl:// (TLS), ws://, wss://
  int version = 4;                              ///< 4 = MQTT 3.1.1, 5 = MQTT 5
  std::string username, password;
  std::string ca_file, cert_file, key_file;  ///< TLS: trust store, client certificate and key
  int keep_alive_s = 20;
  int health_interval_s = 30;
  int max_in_flight = 16;    ///< reads published and not yet acknowledged
  int reconnect_max_s = 30;  ///< longest wait between connection attempts
};

struct RecognitionSettings {
  int threads = 2;  ///< recogniser threads, one Tesseract each
  /// Not in the config file: `anpr-edge bench --slower N` plays a unit N times slower (FrameQueue).
  double emulated_slowdown = 0;
  std::vector<std::string> countries = {"gb", "eu"};
  std::string tessdata;        ///< empty: the installed models
  std::string char_model;      ///< character classifier; empty: the installed one, "none": off
  std::string verifier_model;  ///< plate / not-a-plate check; empty: the installed one, "none": off
  int min_plate_height = 12;   ///< plate boxes outside this height (px) are ignored
  int max_plate_height = 400;
};

struct ImageSettings {
  int crop_quality = 90;  ///< JPEG quality of the plate crop
  bool overview = true;   ///< send a downscaled frame with each read
  int overview_width = 640;
  int overview_quality = 70;
};

struct EdgeConfig {
  std::string camera_id;
  std::string site_id;
  SourceSettings source;
  RecognitionSettings recognition;
  MotionSettings motion;
  ZoneSettings zones;
  TrackerSettings tracking;
  StaticTextSettings static_text;  ///< its file: <spool folder>.static-texts.json beside it
  MqttSettings mqtt;
  SpoolSettings spool{"/var/lib/anpr-edge/spool"};
  ImageSettings images;
  std::string log_level = "info";
  int drain_timeout_s = 10;  ///< at the end of a file: wait this long for acks
};

/// Parses a config file over the defaults; throws anpr::Error ("FILE:LINE: KEY: reason").
[[nodiscard]] EdgeConfig load_edge_config(const std::string& path);

/// Checks rules that span keys and the values flags may set (ids, URIs); throws anpr::Error
/// naming the key. `origin` prefixes messages (the file name, or "command line").
void validate_edge_config(const EdgeConfig& config, const std::string& origin);

}  // namespace anpr::edge
