#pragma once
/// @file
/// Watchlist CSV import: `plate,reason[,expires_at]` per line, optional header. Every bad row is
/// reported with its line number; one bad row rejects the whole file.

#include <string>
#include <string_view>
#include <vector>

#include "anpr/receiver/csv_error.hpp"
#include "anpr/receiver/watchlist/watchlist.hpp"

namespace anpr::receiver {

struct ParsedWatchlist {
  std::vector<WatchlistEntry> entries;
  CsvErrors errors;  ///< empty when the file can be imported
};

/// Limits that keep an import bounded.
inline constexpr std::size_t kMaxWatchlistCsvBytes = 256u * 1024u * 1024u;
inline constexpr std::size_t kMaxWatchlistReasonLength = 1024;

[[nodiscard]] ParsedWatchlist parse_watchlist_csv(std::string_view text, const std::string& list,
                                                  const std::string& added_by, TimestampMs now);

}  // namespace anpr::receiver
