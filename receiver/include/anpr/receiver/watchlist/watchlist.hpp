#pragma once
/// @file
/// Watchlists and the matcher that checks every read against them.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "anpr/common/messages.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/store/records.hpp"

namespace anpr::receiver {

enum class MatchKind { kExact, kEquivalent, kWildcard };
[[nodiscard]] const char* to_string(MatchKind k) noexcept;

struct Match {
  const WatchlistEntry* entry = nullptr;
  const WatchlistInfo* list = nullptr;
  MatchKind kind = MatchKind::kExact;
  int substitutions = 0;  ///< OCR-equivalent characters that differ (equivalent matches)
  double score = 1.0;     ///< 1 for exact; lower for equivalent and wildcard matches
};

/// The read a hit is about.
struct HitSubject {
  std::string read_id, camera_id, site_id, plate;
  TimestampMs at = 0;
};

/// A new hit (fresh id) of `subject` on `entry` of `list`.
[[nodiscard]] HitMessage make_hit(const HitSubject& subject, const WatchlistEntry& entry,
                                  const WatchlistInfo& list, std::string match_kind, double score);

/// True when `plate` matches `pattern` ('?' = one character, '*' = any run, possibly empty).
[[nodiscard]] bool wildcard_match(std::string_view pattern, std::string_view plate) noexcept;

/// Checks a pattern: 1-16 characters of A-Z, 0-9, '?', '*', with at least two fixed characters.
[[nodiscard]] std::optional<std::string> pattern_error(std::string_view pattern);

struct MatcherSettings {
  int max_substitutions = 1;  ///< OCR-equivalent differences still raised as a "possible" hit
};

/// An immutable snapshot of all active entries, indexed for matching. A new version of a list
/// builds a new matcher beside the old one, then swaps it in (shared_ptr), so matching never waits.
class WatchlistMatcher {
 public:
  WatchlistMatcher(std::vector<WatchlistInfo> lists, std::vector<WatchlistEntry> entries,
                   MatcherSettings settings);
  // Matches point into the snapshot: it never moves, and callers hold it while using them.
  WatchlistMatcher(const WatchlistMatcher&) = delete;
  WatchlistMatcher& operator=(const WatchlistMatcher&) = delete;
  /// Every entry that matches, highest priority (lowest number) first, exact before the rest.
  /// The matches point into this matcher: keep it alive while using them.
  [[nodiscard]] std::vector<Match> match(std::string_view plate, TimestampMs at) const;
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  std::vector<WatchlistInfo> lists_;
  std::vector<WatchlistEntry> entries_;
  MatcherSettings settings_;
  std::unordered_map<std::string, const WatchlistInfo*> list_by_name_;
  std::unordered_multimap<std::string, std::size_t> exact_;       ///< plate -> entry
  std::unordered_multimap<std::string, std::size_t> equivalent_;  ///< confusion key -> entry
  // Wildcard entries, indexed so that a read only tests the patterns that can match it:
  // by the literal text before the first wildcard, else by the literal text after the last one,
  // else by the first two adjacent literal characters (e.g. "*AB*" by "AB"); patterns with no
  // two adjacent known characters (e.g. "A?B*") are tested for every read.
  std::unordered_multimap<std::string, std::size_t> pattern_by_prefix_;
  std::unordered_multimap<std::string, std::size_t> pattern_by_suffix_;
  std::unordered_multimap<std::string, std::size_t> pattern_by_pair_;
  std::vector<std::size_t> unanchored_patterns_;
};

}  // namespace anpr::receiver
