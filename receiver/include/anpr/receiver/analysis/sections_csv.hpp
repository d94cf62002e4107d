#pragma once
/// @file
/// Speed sections import: `name,from_camera,to_camera,distance_m,limit_mph` per line (optional
/// header). Every bad row is reported with its line number; the distance is along the road.

#include <string_view>
#include <vector>

#include "anpr/receiver/csv_error.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver::analysis {

struct ParsedSections {
  std::vector<SpeedSection> sections;
  CsvErrors errors;
};

[[nodiscard]] ParsedSections parse_sections_csv(std::string_view text);

}  // namespace anpr::receiver::analysis
