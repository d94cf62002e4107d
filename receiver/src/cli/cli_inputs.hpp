#pragma once
/// @file
/// What several anpr-receiver commands take from their user the same way: an import file read
/// whole, the rows it was rejected for, and times given as ISO 8601.

#include <string>

#include "anpr/common/time.hpp"
#include "anpr/receiver/csv_error.hpp"

namespace CLI {
class App;
}

namespace anpr::receiver::cli {

/// The whole of `path`; throws anpr::Error (input) naming the file when it cannot be opened.
[[nodiscard]] std::string read_input_file(const std::string& path);

/// Prints "<file>: N bad rows; nothing <verb>:" and the listed rows to stderr. False (and nothing
/// printed) when there are none.
bool report_bad_rows(const std::string& file, const CsvErrors& errors, const char* verb);

/// The time `value` of option `name` (e.g. "--from"), or `fallback` when it was not given; throws
/// anpr::Error (input) with an example when it is not an ISO 8601 UTC time.
[[nodiscard]] TimestampMs time_option(const std::string& value, const char* name, TimestampMs fallback);

/// The period a search's --from and --to options give (`from`, `to`): from the beginning to now
/// where they are not given. Throws as time_option.
struct Period {
  TimestampMs from = 0, to = 0;
};
[[nodiscard]] Period period_options(const std::string& from, const std::string& to);

/// Adds --from and --to, read by period_options, to `cmd`.
void add_period_options(CLI::App& cmd, std::string& from, std::string& to);

}  // namespace anpr::receiver::cli
