#pragma once
/// @file
/// The anpr-edge command line: each function registers one subcommand on the application.
/// A subcommand's callback stores its exit status in `exit_code`.

#include <CLI/CLI.hpp>

namespace anpr::edge::cli {

/// "anpr-edge <version> (git <revision>)".
[[nodiscard]] std::string version_string();

void add_recognize_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_config_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_zones_command(CLI::App& app, int& exit_code);

}  // namespace anpr::edge::cli
