#include "anpr/receiver/services/sighting_service.hpp"

#include "anpr/common/error.hpp"
#include "anpr/common/plate_text.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/audit_reason.hpp"
#include "anpr/receiver/watchlist/watchlist.hpp"

namespace anpr::receiver {
namespace {

// Every search is audited with its reason, so a search without one is not made at all.
std::string required_reason(const Caller& caller) {
  const auto reason = audit_reason(caller.reason);
  if (!reason) {
    throw Error(ErrorCode::kInput, std::string("give the reason for this search (") + kReasonRule +
                                       "): every search is audited");
  }
  return *reason;
}

void check_window(const SearchWindow& window) {
  if (window.from > window.to) throw Error(ErrorCode::kInput, "from is after to");
}

// Audited before the search runs: a search that fails half way was still made.
void audit_search(AuditLog& log, const char* action, const std::string& subject, const SearchWindow& window,
                  const Caller& caller, const std::string& reason) {
  log.audit({0, caller.now, caller.user, action,
             subject + " " + to_iso8601(window.from) + ".." + to_iso8601(window.to), reason});
}

}  // namespace

std::vector<Sighting> search_reads(ReadStore& store, AuditLog& log, const std::string& camera_id,
                                   const SearchWindow& window, const Caller& caller) {
  const std::string reason = required_reason(caller);
  check_window(window);
  audit_search(log, "reads", camera_id.empty() ? "all cameras" : camera_id, window, caller, reason);
  return store.reads(camera_id, window.from, window.to, window.limit);
}

std::vector<Sighting> search_movements(ReadStore& store, AuditLog& log, const std::string& plate_or_pattern,
                                       const SearchWindow& window, const Caller& caller) {
  const std::string reason = required_reason(caller);
  check_window(window);
  const std::string plate = normalise_plate(plate_or_pattern);
  const bool pattern = plate.find_first_of("?*") != std::string::npos;
  if (pattern ? pattern_error(plate).has_value() : !is_normalised_plate(plate)) {
    throw Error(ErrorCode::kInput,
                "plate '" + plate_or_pattern +
                    "': 1-12 letters and digits, '?' for one unknown character, '*' for any run");
  }
  audit_search(log, "movements", plate, window, caller, reason);
  return store.movements(plate, window.from, window.to, window.limit);
}

std::optional<ReadImages> find_read_images(ReadStore& store, const std::string& read_id) {
  return store.read_images(read_id);
}

}  // namespace anpr::receiver
