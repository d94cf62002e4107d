#include <algorithm>

#include "anpr/common/ids.hpp"
#include "anpr/common/ocr_confusions.hpp"
#include "anpr/receiver/watchlist/watchlist.hpp"

namespace anpr::receiver {

const char* to_string(MatchKind k) noexcept {
  switch (k) {
    case MatchKind::kExact:
      return "exact";
    case MatchKind::kEquivalent:
      return "equivalent";
    case MatchKind::kWildcard:
      return "wildcard";
  }
  return "exact";
}

HitMessage make_hit(const HitSubject& subject, const WatchlistEntry& entry, const WatchlistInfo& list,
                    std::string match_kind, double score) {
  HitMessage h;
  h.hit_id = make_uuid();
  h.read_id = subject.read_id;
  h.camera_id = subject.camera_id;
  h.site_id = subject.site_id;
  h.at = subject.at;
  h.plate = subject.plate;
  h.entry_plate = entry.plate;
  h.list = list.name;
  h.category = list.category;
  h.priority = list.priority;
  h.match_kind = std::move(match_kind);
  h.score = score;
  h.reason = entry.reason;
  h.action = list.action;
  return h;
}

bool wildcard_match(std::string_view pattern, std::string_view plate) noexcept {
  // Iterative glob matching with one backtrack point: linear in practice, no recursion.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < plate.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == plate[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<std::string> pattern_error(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > 16) return "must be 1-16 characters";
  std::size_t fixed = 0;
  for (char c : pattern) {
    const bool plate_char = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!plate_char && c != '?' && c != '*') return "may hold only A-Z, 0-9, '?' and '*'";
    fixed += plate_char ? 1 : 0;
  }
  if (fixed < 2) return "needs at least two known characters (it would match almost every plate)";
  return std::nullopt;
}

namespace {

bool is_literal(char c) { return c != '?' && c != '*'; }

// Where the first two adjacent known characters of a pattern start, or npos.
std::size_t first_literal_pair(const std::string& pattern) {
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (is_literal(pattern[i]) && is_literal(pattern[i + 1])) return i;
  }
  return std::string::npos;
}

}  // namespace

WatchlistMatcher::WatchlistMatcher(std::vector<WatchlistInfo> lists, std::vector<WatchlistEntry> entries,
                                   MatcherSettings settings)
    : lists_(std::move(lists)), entries_(std::move(entries)), settings_(settings) {
  for (const auto& l : lists_) list_by_name_[l.name] = &l;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    if (!list_by_name_.count(e.list)) continue;  // an entry of a deleted list never matches
    if (e.is_pattern()) {
      const std::size_t first = e.plate.find_first_of("?*");
      const std::size_t last = e.plate.find_last_of("?*");
      if (first > 0)
        pattern_by_prefix_.emplace(e.plate.substr(0, first), i);
      else if (last + 1 < e.plate.size())
        pattern_by_suffix_.emplace(e.plate.substr(last + 1), i);
      else if (const std::size_t pair = first_literal_pair(e.plate); pair != std::string::npos)
        pattern_by_pair_.emplace(e.plate.substr(pair, 2), i);
      else
        unanchored_patterns_.push_back(i);
    } else {
      exact_.emplace(e.plate, i);
      equivalent_.emplace(confusion_key(e.plate), i);
    }
  }
}

std::vector<Match> WatchlistMatcher::match(std::string_view plate, TimestampMs at) const {
  std::vector<Match> out;
  auto active = [at](const WatchlistEntry& e) { return !e.expires_at || *e.expires_at > at; };
  auto add = [&](std::size_t i, MatchKind kind, int substitutions, double score) {
    const auto& e = entries_[i];
    if (!active(e)) return;
    out.push_back(Match{&e, list_by_name_.at(e.list), kind, substitutions, score});
  };
  const std::string key(plate);
  for (auto [it, end] = exact_.equal_range(key); it != end; ++it) add(it->second, MatchKind::kExact, 0, 1.0);
  if (settings_.max_substitutions > 0) {
    for (auto [it, end] = equivalent_.equal_range(confusion_key(plate)); it != end; ++it) {
      const int subs = equivalent_substitutions(plate, entries_[it->second].plate);
      if (subs > 0 && subs <= settings_.max_substitutions) {
        add(it->second, MatchKind::kEquivalent, subs, 1.0 - 0.1 * subs);
      }
    }
  }
  auto try_pattern = [&](std::size_t i) {
    if (wildcard_match(entries_[i].plate, plate)) add(i, MatchKind::kWildcard, 0, 0.8);
  };
  for (std::size_t k = 1; k <= plate.size(); ++k) {
    const std::string prefix(plate.substr(0, k));
    for (auto [it, end] = pattern_by_prefix_.equal_range(prefix); it != end; ++it) try_pattern(it->second);
    const std::string suffix(plate.substr(plate.size() - k));
    for (auto [it, end] = pattern_by_suffix_.equal_range(suffix); it != end; ++it) try_pattern(it->second);
  }
  // A pattern indexed by a pair is tried once even when the read holds that pair twice.
  std::vector<std::size_t> tried;
  for (std::size_t k = 0; k + 1 < plate.size(); ++k) {
    for (auto [it, end] = pattern_by_pair_.equal_range(std::string(plate.substr(k, 2))); it != end; ++it) {
      if (std::find(tried.begin(), tried.end(), it->second) != tried.end()) continue;
      tried.push_back(it->second);
      try_pattern(it->second);
    }
  }
  for (std::size_t i : unanchored_patterns_) try_pattern(i);
  std::stable_sort(out.begin(), out.end(), [](const Match& a, const Match& b) {
    if (a.list->priority != b.list->priority) return a.list->priority < b.list->priority;
    return a.score > b.score;
  });
  return out;
}

}  // namespace anpr::receiver
