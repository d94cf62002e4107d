#include "anpr/receiver/watchlist_csv.hpp"

#include <set>

#include "anpr/common/encoding.hpp"
#include "anpr/common/plate_text.hpp"
#include "../csv_line.hpp"

namespace anpr::receiver {

ParsedWatchlist parse_watchlist_csv(std::string_view text, const std::string& list, const std::string& added_by,
                                    TimestampMs now) {
  ParsedWatchlist out;
  if (text.size() > kMaxWatchlistCsvBytes) {
    out.errors.push_back({0, "the file is larger than 256 MiB"});
    return out;
  }
  if (!is_valid_utf8(text)) {
    out.errors.push_back({0, "the file is not valid UTF-8"});
    return out;
  }
  std::set<std::string> seen;
  std::vector<std::string> f;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) { if (end == text.size()) break; continue; }
    if (!split_csv_line(line, f)) { out.errors.push_back({line_no, "unterminated quote"}); continue; }
    if (line_no == 1 && normalise_plate(f[0]) == "PLATE") continue;  // header
    if (f.size() < 2 || f.size() > 3) {
      out.errors.push_back({line_no, "expected plate,reason[,expires_at]; found " + std::to_string(f.size()) + " fields"});
      continue;
    }
    WatchlistEntry e;
    e.list = list;
    e.plate = normalise_plate(f[0]);
    e.reason = f[1];
    e.added_by = added_by;
    e.added_at = now;
    if (e.is_pattern()) {
      if (auto err = pattern_error(e.plate)) { out.errors.push_back({line_no, "pattern '" + f[0] + "' " + *err}); continue; }
    } else if (!is_normalised_plate(e.plate)) {
      out.errors.push_back({line_no, "plate '" + f[0] + "' must be 1-12 letters and digits"});
      continue;
    }
    if (e.reason.size() > kMaxWatchlistReasonLength) {
      out.errors.push_back({line_no, "reason is longer than 1024 characters"});
      continue;
    }
    if (f.size() == 3 && !f[2].empty()) {
      const auto t = parse_iso8601(f[2]);
      if (!t) { out.errors.push_back({line_no, "expires_at '" + f[2] + "' is not an ISO 8601 UTC time"}); continue; }
      e.expires_at = *t;
    }
    if (!seen.insert(e.plate).second) { out.errors.push_back({line_no, "plate " + e.plate + " is listed twice"}); continue; }
    out.entries.push_back(std::move(e));
  }
  return out;
}

}  // namespace anpr::receiver
