// anpr-edge: the camera unit's firmware. Wires the commands of the edge library together.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "anpr/common/error.hpp"
#include "anpr/common/log_escaping.hpp"
#include "anpr/edge/reader/openmp_limit.hpp"
#include "cli.hpp"

namespace {

int run(int argc, char** argv) {
  anpr::install_log_escaping();  // log lines carry text from the network: never let it forge one
  anpr::edge::limit_openmp_threads(argv);
  CLI::App app{"anpr-edge: reads number plates from camera video and publishes them over MQTT"};
  app.set_version_flag("--version", anpr::edge::cli::version_string());
  app.require_subcommand(1);
  int exit_code = 0;
  anpr::edge::cli::add_recognize_command(app, exit_code);
  anpr::edge::cli::add_eval_command(app, exit_code);
  anpr::edge::cli::add_run_command(app, exit_code);
  anpr::edge::cli::add_config_command(app, exit_code);
  anpr::edge::cli::add_bench_command(app, exit_code);
  anpr::edge::cli::add_zones_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const anpr::Error& e) {
    std::fprintf(stderr, "anpr-edge: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // Not one of ours (out of memory, a library's own error): still a message, not an abort.
    std::fprintf(stderr, "anpr-edge: %s\n", e.what());
    return 1;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // Setting the commands up failed (out of memory): still a message, not an abort.
    std::fprintf(stderr, "anpr-edge: %s\n", e.what());
    return 1;
  }
}
