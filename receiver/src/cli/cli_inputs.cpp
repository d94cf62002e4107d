#include "cli_inputs.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "anpr/common/error.hpp"

namespace anpr::receiver::cli {

std::string read_input_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kInput, "cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool report_bad_rows(const std::string& file, const CsvErrors& errors, const char* verb) {
  if (errors.empty()) return false;
  std::fprintf(stderr, "%s: %zu bad rows; nothing %s:\n", file.c_str(), errors.size(), verb);
  for (const auto& e : errors) std::fprintf(stderr, "  line %d: %s\n", e.line, e.message.c_str());
  if (errors.unlisted() > 0) std::fprintf(stderr, "  ... and %zu more\n", errors.unlisted());
  return true;
}

Period period_options(const std::string& from, const std::string& to) {
  const TimestampMs start = time_option(from, "--from", 0);
  return {start, time_option(to, "--to", now_ms())};
}

void add_period_options(CLI::App& cmd, std::string& from, std::string& to) {
  cmd.add_option("--from", from, "From, ISO 8601 UTC (default: the beginning)");
  cmd.add_option("--to", to, "To, ISO 8601 UTC (default: now)");
}

TimestampMs time_option(const std::string& value, const char* name, TimestampMs fallback) {
  if (value.empty()) return fallback;
  const auto t = parse_iso8601(value);
  if (!t)
    throw Error(ErrorCode::kInput,
                std::string(name) + " '" + value + "' is not an ISO 8601 UTC time (2026-01-31T12:00:00Z)");
  return *t;
}

}  // namespace anpr::receiver::cli
