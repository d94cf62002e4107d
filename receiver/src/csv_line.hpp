#pragma once
// One CSV line split into fields; fields may be double-quoted ("" for a quote inside).

#include <string>
#include <string_view>
#include <vector>

namespace anpr::receiver {

/// Splits `line` into `fields`; false when a quote is left open.
bool split_csv_line(std::string_view line, std::vector<std::string>& fields);

}  // namespace anpr::receiver
