#pragma once
// Options of `anpr-edge run` and `anpr-edge bench`: a config file with flags on top.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "anpr/edge/edge_config.hpp"

namespace anpr::edge::cli {

struct RunOptions {
  std::string config_file;
  std::optional<std::string> source, broker, camera_id, site_id, spool_dir, log_level, tessdata;
  std::optional<int> threads;
  bool loop = false, fast = false, no_motion = false;
};

void add_run_options(CLI::App& command, RunOptions& options);

/// The config file (or the defaults) with the flags applied, validated; sets the log level.
/// Throws anpr::Error naming the key and reason.
[[nodiscard]] EdgeConfig resolve_config(const RunOptions& options);

}  // namespace anpr::edge::cli
