#include "anpr/receiver/watchlist/watchlist_service.hpp"

#include <algorithm>
#include <set>

#include "anpr/common/error.hpp"
#include "anpr/common/plate_text.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/audit_reason.hpp"
#include "anpr/receiver/watchlist/watchlist_csv.hpp"

namespace anpr::receiver {
namespace {

/// raise_retrospective_hits, each hit also added to `live` (when given) with its camera.
std::vector<HitMessage> raise_hits(ReadStore& reads, HitStore& store, const WatchlistEntry& entry,
                                   const WatchlistInfo& list, int days, TimestampMs now, LiveBatch* live) {
  std::vector<HitMessage> hits;
  if (days <= 0) return hits;
  // Exact and wildcard entries come straight from the movements query.
  for (const Sighting& s : reads.movements(entry.plate, now - days * kDayMs, now, 10000)) {
    HitMessage h = make_hit({s.read_id, s.camera_id, s.site_id, s.plate, s.at}, entry, list,
                            entry.is_pattern() ? "retrospective-wildcard" : "retrospective-exact",
                            entry.is_pattern() ? 0.8 : 1.0);
    store.insert_hit(h, now);
    if (live != nullptr) {
      CameraInfo camera;
      camera.camera_id = s.camera_id;
      camera.site_id = s.site_id;
      camera.name = s.camera_name;
      camera.latitude = s.latitude;
      camera.longitude = s.longitude;
      live->hits.push_back({HitRecord{h, "new", now, {}, 0, {}}, std::move(camera), list.colour});
    }
    hits.push_back(std::move(h));
  }
  return hits;
}

// Reads of the last days that new entries match become retrospective hits, shown live.
std::size_t check_past_reads(Store& store, const std::vector<WatchlistEntry>& added,
                             const std::string& list_name, const WatchlistChange& change) {
  if (change.lookback_days <= 0 || added.empty()) return 0;
  const auto lists = store.watchlists();
  const auto list =
      std::find_if(lists.begin(), lists.end(), [&](const auto& l) { return l.name == list_name; });
  if (list == lists.end()) return 0;
  std::size_t raised = 0;
  LiveBatch live;
  // Each hit is stored on its own: the screens get them all at the end, each once.
  store_then_publish(change.live, store, live, [&] {
    for (const auto& e : added)
      raised += raise_hits(store, store, e, *list, change.lookback_days, change.now, &live).size();
  });
  return raised;
}

/// A removal or expiry is audited with its reason, from every front end: it must say something.
std::string required_reason(const std::string& given) {
  const auto reason = audit_reason(given);
  if (!reason) throw Error(ErrorCode::kInput, std::string("give a reason (") + kReasonRule + "; audited)");
  return *reason;
}

}  // namespace

std::vector<HitMessage> raise_retrospective_hits(ReadStore& reads, HitStore& store,
                                                 const WatchlistEntry& entry, const WatchlistInfo& list,
                                                 int days, TimestampMs now) {
  return raise_hits(reads, store, entry, list, days, now, nullptr);
}

ImportOutcome import_watchlist(Store& store, const WatchlistInfo& list, std::string_view csv,
                               const std::string& source, const WatchlistChange& change) {
  if (list.name.empty() || list.name.size() > 100)
    throw Error(ErrorCode::kInput, "a list name has 1-100 characters");
  if (list.category.empty()) throw Error(ErrorCode::kInput, "list '" + list.name + "' needs a category");
  if (csv.size() > kMaxWatchlistCsvBytes) {
    throw Error(ErrorCode::kInput,
                source + " is larger than " + std::to_string(kMaxWatchlistCsvBytes >> 20) + " MiB");
  }
  ImportOutcome out;
  auto parsed = parse_watchlist_csv(csv, list.name, change.user, change.now);
  if (!parsed.errors.empty()) {
    out.errors = std::move(parsed.errors);
    return out;
  }
  std::set<std::string> before;
  for (const auto& e : store.entries(list.name)) before.insert(e.plate);
  out.version = store.replace_watchlist(list, parsed.entries);
  out.entries = parsed.entries.size();
  store.audit({0, change.now, change.user, "watchlist-import", list.name, source});
  // Only entries new in this version look back: the others were checked when they were added.
  std::vector<WatchlistEntry> added;
  for (const auto& e : parsed.entries) {
    if (!before.count(e.plate)) added.push_back(e);
  }
  out.retrospective_hits = check_past_reads(store, added, list.name, change);
  return out;
}

std::size_t add_watchlist_entry(Store& store, const std::string& list, const std::string& plate,
                                const std::string& expires, const WatchlistChange& change) {
  // Why a vehicle is listed is shown with every hit and audited: it must say something.
  const auto reason = audit_reason(change.reason, kMaxWatchlistReasonLength);
  if (!reason) {
    throw Error(ErrorCode::kInput, "an entry needs a reason (why it is listed): 3-" +
                                       std::to_string(kMaxWatchlistReasonLength) +
                                       " characters with at least 3 letters");
  }
  WatchlistEntry e{list, normalise_plate(plate), *reason, change.user, change.now, std::nullopt};
  if (e.is_pattern()) {
    if (auto err = pattern_error(e.plate)) throw Error(ErrorCode::kInput, "pattern '" + plate + "' " + *err);
  } else if (!is_normalised_plate(e.plate)) {
    throw Error(ErrorCode::kInput, "plate '" + plate + "' must be 1-12 letters and digits");
  }
  if (!expires.empty()) {
    const auto t = parse_iso8601(expires);
    if (!t) throw Error(ErrorCode::kInput, "expiry '" + expires + "' is not an ISO 8601 UTC time");
    e.expires_at = *t;
  }
  store.add_entry(e);
  store.audit({0, change.now, change.user, "watchlist-add", list + ":" + e.plate, *reason});
  return check_past_reads(store, {e}, list, change);
}

bool remove_watchlist_entry(WatchlistStore& store, AuditLog& log, const std::string& list,
                            const std::string& plate, const WatchlistChange& change) {
  const std::string reason = required_reason(change.reason);
  const std::string normalised = normalise_plate(plate);
  if (!store.remove_entry(list, normalised)) return false;
  log.audit({0, change.now, change.user, "watchlist-remove", list + ":" + normalised, reason});
  return true;
}

bool expire_watchlist_entry(WatchlistStore& store, AuditLog& log, const std::string& list,
                            const std::string& plate, TimestampMs at, const WatchlistChange& change) {
  const std::string reason = required_reason(change.reason);
  const std::string normalised = normalise_plate(plate);
  if (!store.expire_entry(list, normalised, at)) return false;
  log.audit({0, change.now, change.user, "watchlist-expire", list + ":" + normalised, reason});
  return true;
}

std::vector<WatchlistInfo> list_watchlists(WatchlistStore& store) { return store.watchlists(); }

std::vector<WatchlistEntry> watchlist_entries(WatchlistStore& store, const std::string& list) {
  return store.entries(list);
}

}  // namespace anpr::receiver
