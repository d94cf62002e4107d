#pragma once
/// @file
/// Hits for every front end (command line, web API, live feed): listed by time and state, and
/// moved on (new -> acknowledged -> closed) with the move audited under the caller's name.

#include <optional>
#include <string>
#include <vector>

#include "anpr/receiver/services/audit_log.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

/// Hits created at or after `since` (all when nullopt), in `state` (any when nullopt), newest first.
[[nodiscard]] std::vector<HitRecord> list_hits(HitStore& store, std::optional<TimestampMs> since,
                                               const std::optional<std::string>& state, int limit);

enum class HitStep { kAcknowledge, kClose };

/// Moves a hit on one step, with the caller's reason as its note, and audits it ("hit-acknowledge"
/// or "hit-close", the note as the reason). False, and nothing audited, when the hit does not
/// exist or is not in the state the step starts from (new to acknowledge, acknowledged to close).
/// The move and its audit record are one transaction, so it takes the Store.
bool move_hit(Store& store, const std::string& hit_id, HitStep step, const Caller& caller);

}  // namespace anpr::receiver
