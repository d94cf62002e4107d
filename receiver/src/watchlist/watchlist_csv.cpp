#include "anpr/receiver/watchlist/watchlist_csv.hpp"

#include <set>

#include "../csv_line.hpp"
#include "anpr/common/plate_text.hpp"
#include "anpr/receiver/audit_reason.hpp"

namespace anpr::receiver {

ParsedWatchlist parse_watchlist_csv(std::string_view text, const std::string& list,
                                    const std::string& added_by, TimestampMs now) {
  ParsedWatchlist out;
  if (text.size() > kMaxWatchlistCsvBytes) {
    out.errors.add({0, "the file is larger than 256 MiB"});
    return out;
  }
  std::set<std::string> seen;
  for_each_csv_row(text, out.errors, [&](int line_no, const std::vector<std::string>& f) {
    if (line_no == 1 && normalise_plate(f[0]) == "PLATE") return;  // header
    if (f.size() < 2 || f.size() > 3) {
      out.errors.add(
          {line_no, "expected plate,reason[,expires_at]; found " + std::to_string(f.size()) + " fields"});
      return;
    }
    WatchlistEntry e;
    e.list = list;
    e.plate = normalise_plate(f[0]);
    e.added_by = added_by;
    e.added_at = now;
    if (e.is_pattern()) {
      if (auto err = pattern_error(e.plate)) {
        out.errors.add({line_no, "pattern '" + f[0] + "' " + *err});
        return;
      }
    } else if (!is_normalised_plate(e.plate)) {
      out.errors.add({line_no, "plate '" + f[0] + "' must be 1-12 letters and digits"});
      return;
    }
    // The same rule as an entry added by hand: every listing is audited with its reason.
    const auto reason = audit_reason(f[1], kMaxWatchlistReasonLength);
    if (!reason) {
      out.errors.add({line_no, "the reason must be 3-" + std::to_string(kMaxWatchlistReasonLength) +
                                   " characters with at least 3 letters (why the plate is listed)"});
      return;
    }
    e.reason = *reason;
    if (f.size() == 3 && !f[2].empty()) {
      const auto t = parse_iso8601(f[2]);
      if (!t) {
        out.errors.add({line_no, "expires_at '" + f[2] + "' is not an ISO 8601 UTC time"});
        return;
      }
      e.expires_at = *t;
    }
    if (!seen.insert(e.plate).second) {
      out.errors.add({line_no, "plate " + e.plate + " is listed twice"});
      return;
    }
    // A rejected file imports nothing: its rows are still checked (every error is counted), not kept.
    if (out.errors.empty()) out.entries.push_back(std::move(e));
  });
  if (!out.errors.empty()) out.entries.clear();
  return out;
}

}  // namespace anpr::receiver
