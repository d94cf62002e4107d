#pragma once
/// @file
/// The anpr-receiver command line: each function registers one subcommand on the application.

#include <CLI/CLI.hpp>

namespace anpr::receiver::cli {

/// "anpr-receiver <version> (git <revision>)".
[[nodiscard]] std::string version_string();

/// `anpr-receiver validate [--type KIND] FILE...`: runs message files through the shared decoder
/// and reports, per file, whether it would be accepted and, if not, which field and why.
void add_validate_command(CLI::App& app, int& exit_code);

/// `anpr-receiver serve`: ingest from the broker until SIGTERM/SIGINT.
void add_serve_command(CLI::App& app, int& exit_code);

/// `anpr-receiver watchlist import|add|remove|list`.
void add_watchlist_command(CLI::App& app, int& exit_code);

/// `anpr-receiver movements|hits|cameras`: queries; every search of movements is audited.
void add_query_commands(CLI::App& app, int& exit_code);

/// `anpr-receiver export PLATE --out FILE --reason R`: an evidence pack of a vehicle's movements.
void add_export_command(CLI::App& app, int& exit_code);

/// `anpr-receiver analyse clones|speed|convoy|hotspots|first-seen|sections` and `register-sections`.
void add_analyse_command(CLI::App& app, int& exit_code);

/// `anpr-receiver bench-analysis`: each analysis timed on a generated district's reads.
void add_bench_analysis_command(CLI::App& app, int& exit_code);

/// `anpr-receiver bench-match`: watchlist matching speed against a generated list.
void add_bench_command(CLI::App& app, int& exit_code);

/// `anpr-receiver bench-search`: movement search times over a store (scripts/bench-search.sh).
void add_bench_search_command(CLI::App& app, int& exit_code);

/// `anpr-receiver loadgen`: publishes valid reads from simulated cameras through a broker.
void add_loadgen_command(CLI::App& app, int& exit_code);

/// `anpr-receiver user add|passwd|disable|enable|list`: control-room users of the web pages.
void add_user_command(CLI::App& app, int& exit_code);

}  // namespace anpr::receiver::cli
