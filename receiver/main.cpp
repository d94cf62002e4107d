// anpr-receiver: the control-room service. Wires the commands of the receiver library together.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "anpr/common/error.hpp"
#include "anpr/common/log_escaping.hpp"
#include "anpr/common/run_program.hpp"
#include "cli.hpp"

namespace {

int run(int argc, char** argv) {
  anpr::install_log_escaping();  // log lines carry text from the network: never let it forge one
  CLI::App app{"anpr-receiver: ingests plate reads, checks watchlists, records vehicle movements"};
  app.set_version_flag("--version", anpr::receiver::cli::version_string());
  app.require_subcommand(1);
  int exit_code = 0;
  anpr::receiver::cli::add_serve_command(app, exit_code);
  anpr::receiver::cli::add_watchlist_command(app, exit_code);
  anpr::receiver::cli::add_query_commands(app, exit_code);
  anpr::receiver::cli::add_export_command(app, exit_code);
  anpr::receiver::cli::add_analyse_command(app, exit_code);
  anpr::receiver::cli::add_bench_analysis_command(app, exit_code);
  anpr::receiver::cli::add_validate_command(app, exit_code);
  anpr::receiver::cli::add_bench_command(app, exit_code);
  anpr::receiver::cli::add_bench_search_command(app, exit_code);
  anpr::receiver::cli::add_loadgen_command(app, exit_code);
  anpr::receiver::cli::add_user_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const anpr::Error& e) {
    std::fprintf(stderr, "anpr-receiver: %s\n", e.what());
    return 2;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  return anpr::run_program("anpr-receiver", [&] { return run(argc, argv); });
}
