#include "run_options.hpp"

#include <spdlog/spdlog.h>

#include "anpr/common/error.hpp"

namespace anpr::edge::cli {

void add_run_options(CLI::App& command, RunOptions& o) {
  command
      .add_option("--config", o.config_file,
                  "Config file (TOML, see /etc/anpr/anpr-edge.toml); flags override it")
      ->check(CLI::ExistingFile);
  command.add_option("--source", o.source,
                     "Video: file, rtsp:// or http:// URL, /dev/videoN, or a GStreamer pipeline");
  command.add_option("--broker", o.broker, "MQTT broker URI, e.g. tcp://127.0.0.1:1883 or ssl://host:8883");
  command.add_option("--camera-id", o.camera_id, "This camera's id (a-z A-Z 0-9 - _)");
  command.add_option("--site-id", o.site_id, "The site's id (a-z A-Z 0-9 - _)");
  command.add_option("--spool-dir", o.spool_dir, "Folder of the durable spool of unsent reads");
  command.add_option("--threads", o.threads, "Recogniser threads (one Tesseract each)")
      ->check(CLI::Range(1, 16));
  command.add_option("--tessdata", o.tessdata, "Folder holding the Tesseract model");
  command.add_option("--log-level", o.log_level, "trace, debug, info, warn, error");
  command.add_flag("--loop", o.loop, "Play a video file again at its end (default: the run ends)");
  command.add_flag("--fast", o.fast,
                   "Read a video file as fast as it decodes, every frame, instead of at its frame rate");
  command.add_flag("--no-motion", o.no_motion, "Look at whole frames, not only where something moved");
}

EdgeConfig resolve_config(const RunOptions& o) {
  EdgeConfig c = o.config_file.empty() ? EdgeConfig{} : load_edge_config(o.config_file);
  if (o.config_file.empty()) c.spool.dir.clear();  // no safe default without a config: ask for it
  if (o.source) c.source.uri = *o.source;
  if (o.broker) c.mqtt.broker = *o.broker;
  if (o.camera_id) c.camera_id = *o.camera_id;
  if (o.site_id) c.site_id = *o.site_id;
  if (o.spool_dir) c.spool.dir = *o.spool_dir;
  if (o.threads) c.recognition.threads = *o.threads;
  if (o.tessdata) c.recognition.tessdata = *o.tessdata;
  if (o.log_level) c.log_level = *o.log_level;
  if (o.loop) c.source.loop = true;
  if (o.fast) c.source.realtime = false;
  if (o.no_motion) c.motion.enabled = false;
  validate_edge_config(c, o.config_file.empty() ? "command line" : o.config_file);
  const auto level = spdlog::level::from_str(c.log_level);
  if (level == spdlog::level::off && c.log_level != "off") {
    throw Error(ErrorCode::kConfig,
                "--log-level '" + c.log_level + "': must be trace, debug, info, warn or error");
  }
  spdlog::set_level(level);
  return c;
}

}  // namespace anpr::edge::cli
