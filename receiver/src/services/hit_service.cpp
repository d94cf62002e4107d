#include "anpr/receiver/services/hit_service.hpp"

namespace anpr::receiver {

std::vector<HitRecord> list_hits(HitStore& store, std::optional<TimestampMs> since,
                                 const std::optional<std::string>& state, int limit) {
  return store.hits(since, state, limit);
}

bool move_hit(Store& store, const std::string& hit_id, HitStep step, const Caller& caller) {
  const bool close = step == HitStep::kClose;
  bool moved = false;
  // The move and its audit record are committed together: no action goes unrecorded.
  store.in_transaction([&] {
    moved = close ? store.close_hit(hit_id, caller.user, caller.reason, caller.now)
                  : store.acknowledge_hit(hit_id, caller.user, caller.reason, caller.now);
    if (moved)
      store.audit(
          {0, caller.now, caller.user, close ? "hit-close" : "hit-acknowledge", hit_id, caller.reason});
  });
  return moved;
}

}  // namespace anpr::receiver
