#pragma once
/// @file
/// What several anpr-receiver commands take from their user the same way: an import file read
/// whole, the rows it was rejected for, and times given as ISO 8601.

#include <string>

#include "anpr/common/time.hpp"
#include "anpr/receiver/csv_error.hpp"

namespace anpr::receiver::cli {

/// The whole of `path`; throws anpr::Error (input) naming the file when it cannot be opened.
[[nodiscard]] std::string read_input_file(const std::string& path);

/// Prints "<file>: N bad rows; nothing <verb>:" and the listed rows to stderr. False (and nothing
/// printed) when there are none.
bool report_bad_rows(const std::string& file, const CsvErrors& errors, const char* verb);

/// The time `value` of option `name` (e.g. "--from"), or `fallback` when it was not given; throws
/// anpr::Error (input) with an example when it is not an ISO 8601 UTC time.
[[nodiscard]] TimestampMs time_option(const std::string& value, const char* name, TimestampMs fallback);

}  // namespace anpr::receiver::cli
