#pragma once
/// @file
/// Summary statistics for measurements (timings, latencies) in reports and benchmarks.

#include <algorithm>
#include <cmath>
#include <vector>

namespace anpr {

/// The nearest-rank percentile (`q` in 0..1) of the values; 0 for none.
[[nodiscard]] inline double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto i = static_cast<std::size_t>(std::lround(q * static_cast<double>(values.size() - 1)));
  return values[std::min(i, values.size() - 1)];
}

}  // namespace anpr
