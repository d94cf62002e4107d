#include "anpr/receiver/analysis/sections_csv.hpp"

#include <charconv>
#include <cmath>
#include <set>

#include "../csv_line.hpp"
#include "anpr/common/ids.hpp"

namespace anpr::receiver::analysis {
namespace {

bool number_in(const std::string& text, double lo, double hi, double& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(out) && out >= lo &&
         out <= hi;
}

}  // namespace

ParsedSections parse_sections_csv(std::string_view text) {
  ParsedSections out;
  std::set<std::string> seen;
  const std::initializer_list<std::string_view> columns = {"name", "from_camera", "to_camera", "distance_m",
                                                           "limit_mph"};
  for_each_csv_record(text, out.errors, columns, [&](int line_no, const std::vector<std::string>& f) {
    auto error = [&](const std::string& why) { out.errors.add({line_no, why}); };
    SpeedSection s{f[0], f[1], f[2], 0, 0};
    if (s.name.empty() || s.name.size() > 64) return error("name must be 1-64 characters");
    if (!is_valid_id(s.from_camera))
      return error("from_camera '" + f[1] + "' must be 1-64 of A-Z a-z 0-9 - _");
    if (!is_valid_id(s.to_camera)) return error("to_camera '" + f[2] + "' must be 1-64 of A-Z a-z 0-9 - _");
    if (s.from_camera == s.to_camera) return error("from_camera and to_camera are the same camera");
    if (!number_in(f[3], 10, 1'000'000, s.distance_m))
      return error("distance_m '" + f[3] + "' must be a number from 10 to 1000000");
    if (!number_in(f[4], 5, 200, s.limit_mph))
      return error("limit_mph '" + f[4] + "' must be a number from 5 to 200");
    if (!seen.insert(s.name).second) return error("section '" + s.name + "' appears twice");
    out.sections.push_back(std::move(s));
  });
  return out;
}

}  // namespace anpr::receiver::analysis
