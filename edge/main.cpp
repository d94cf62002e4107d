// anpr-edge: the camera unit's firmware. Wires the commands of the edge library together.
#include "anpr/common/log_escaping.hpp"
#include "anpr/common/run_program.hpp"
#include "anpr/edge/reader/openmp_limit.hpp"
#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace anpr::edge::cli;
  anpr::install_log_escaping();  // log lines carry text from the network: never let it forge one
  anpr::edge::limit_openmp_threads(argv);
  return anpr::run_commands("anpr-edge",
                            "anpr-edge: reads number plates from camera video and publishes them over MQTT",
                            argc, argv,
                            {add_recognize_command, add_eval_command, add_run_command, add_config_command,
                             add_bench_command, add_zones_command});
}
