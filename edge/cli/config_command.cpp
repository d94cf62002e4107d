// anpr-edge config check FILE: validates a config file without starting anything.
#include <cstdio>

#include "anpr/edge/edge_config.hpp"
#include "cli.hpp"

namespace anpr::edge::cli {

void add_config_command(CLI::App& app, int& exit_code) {
  CLI::App* config = app.add_subcommand("config", "Work with config files");
  config->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  CLI::App* check =
      config->add_subcommand("check", "Validate a config file: every error names the line, key and reason");
  check->add_option("file", *file, "Config file (TOML)")->required()->check(CLI::ExistingFile);
  check->callback([file, &exit_code] {
    const EdgeConfig c = load_edge_config(*file);
    validate_edge_config(c, *file);
    std::printf("%s: ok (camera %s at %s, source %s, broker %s, spool %s, %d recogniser threads)\n",
                file->c_str(), c.camera_id.c_str(), c.site_id.c_str(), c.source.uri.c_str(),
                c.mqtt.broker.c_str(), c.spool.dir.c_str(), c.recognition.threads);
    exit_code = 0;
  });
}

}  // namespace anpr::edge::cli
