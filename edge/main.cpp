// anpr-edge: the camera unit's firmware. Wires the commands of the edge library together.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "anpr/common/error.hpp"
#include "anpr/common/log_escaping.hpp"
#include "anpr/common/run_program.hpp"
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
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  return anpr::run_program("anpr-edge", [&] { return run(argc, argv); });
}
