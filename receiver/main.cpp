// anpr-receiver: the control-room service. Wires the commands of the receiver library together.
#include "anpr/common/log_escaping.hpp"
#include "anpr/common/run_program.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace anpr::receiver::cli;
  anpr::install_log_escaping();  // log lines carry text from the network: never let it forge one
  return anpr::run_commands(
      "anpr-receiver", "anpr-receiver: ingests plate reads, checks watchlists, records vehicle movements",
      argc, argv,
      {add_serve_command, add_watchlist_command, add_query_commands, add_export_command, add_analyse_command,
       add_bench_analysis_command, add_validate_command, add_bench_command, add_bench_search_command,
       add_loadgen_command, add_user_command});
}
