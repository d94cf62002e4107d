#pragma once
/// @file
/// Watchlist changes as one service for every front end (command line, web API): input checked,
/// the change made, audited, and reads of the last days checked against what was added.

#include <string>
#include <string_view>
#include <vector>

#include "anpr/receiver/csv_error.hpp"
#include "anpr/receiver/live_events.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/watchlist/watchlist.hpp"

namespace anpr::receiver {

/// Who changes a list, why, and how far back new entries are checked.
struct WatchlistChange {
  std::string user;
  std::string reason;
  int lookback_days = 30;  ///< reads of this many past days are checked against new entries (0: none)
  TimestampMs now = 0;
  /// Where the retrospective hits go once stored (the live feed; nullptr: nowhere; not owned).
  LiveEvents* live = nullptr;
};

struct ImportOutcome {
  CsvErrors errors;  ///< the bad rows (the first 100 listed); when not empty nothing was imported
  std::size_t entries = 0;
  int version = 0;
  std::size_t retrospective_hits = 0;
};

/// Replaces `list` (created if new) with the entries of `csv` as one new version, or, when any
/// row is bad, changes nothing and returns the bad rows. `source` names the file for the audit.
/// Import and add take the whole Store: besides the list and its audit record they look back
/// through the reads, raise hits and tell the other receivers (change.live).
[[nodiscard]] ImportOutcome import_watchlist(Store& store, const WatchlistInfo& list, std::string_view csv,
                                             const std::string& source, const WatchlistChange& change);

/// Adds or updates one entry; `expires` is ISO 8601 UTC or empty. Throws anpr::Error (kInput)
/// naming what is wrong with the plate, pattern, expiry or list. Returns the retrospective hits.
std::size_t add_watchlist_entry(Store& store, const std::string& list, const std::string& plate,
                                const std::string& expires, const WatchlistChange& change);

/// Removes one entry, audited in `log`; false when the list has no such entry. `store` and `log`
/// are usually one Store.
bool remove_watchlist_entry(WatchlistStore& store, AuditLog& log, const std::string& list,
                            const std::string& plate, const WatchlistChange& change);

/// Ends one entry at `at` (keeps it for the record), audited in `log`; false when the list has no
/// such entry.
bool expire_watchlist_entry(WatchlistStore& store, AuditLog& log, const std::string& list,
                            const std::string& plate, TimestampMs at, const WatchlistChange& change);

/// Every list as configured (name, category, priority, colour, action).
[[nodiscard]] std::vector<WatchlistInfo> list_watchlists(WatchlistStore& store);
/// The entries of one list (none when there is no such list).
[[nodiscard]] std::vector<WatchlistEntry> watchlist_entries(WatchlistStore& store, const std::string& list);

/// Checks the reads of the last `days` against a newly added entry and raises each match as a
/// retrospective hit (match kind "retrospective-<kind>") in `store`. Returns the hits raised.
std::vector<HitMessage> raise_retrospective_hits(ReadStore& reads, HitStore& store,
                                                 const WatchlistEntry& entry, const WatchlistInfo& list,
                                                 int days, TimestampMs now);

}  // namespace anpr::receiver
