#pragma once
/// @file
/// A rejected row of an import file (watchlists, cameras), with its line number.

#include <string>

namespace anpr::receiver {

struct CsvRowError {
  int line = 0;  ///< 1-based; 0 for the file as a whole
  std::string message;
};

}  // namespace anpr::receiver
