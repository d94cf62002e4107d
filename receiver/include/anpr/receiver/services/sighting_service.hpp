#pragma once
/// @file
/// Reads and movements for every front end (command line, web API): each search is checked and
/// audited with its reason before it runs, so a search that fails half way was still made. The
/// searches read `store` and audit in `log`, usually one Store: search_reads(store, store, ...).

#include <optional>
#include <string>
#include <vector>

#include "anpr/receiver/services/audit_log.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

/// The period and size of a search: reads captured in [from, to], at most `limit` rows.
struct SearchWindow {
  TimestampMs from = 0, to = 0;
  int limit = 1000;
};

/// Reads of one camera (every camera when `camera_id` is ""), newest first; audited as "reads".
/// Throws anpr::Error (kInput) when the caller's reason is not one (audit_reason) or the period
/// runs backwards; nothing is audited then.
[[nodiscard]] std::vector<Sighting> search_reads(ReadStore& store, AuditLog& log,
                                                 const std::string& camera_id, const SearchWindow& window,
                                                 const Caller& caller);

/// Sightings of a plate or pattern ('?' one character, '*' any run) in time order; audited as
/// "movements". Throws anpr::Error (kInput) naming what is wrong with the plate, the period or
/// the reason; nothing is audited then.
[[nodiscard]] std::vector<Sighting> search_movements(ReadStore& store, AuditLog& log,
                                                     const std::string& plate_or_pattern,
                                                     const SearchWindow& window, const Caller& caller);

/// Where a stored read's images are; nullopt when no such read is stored. Not audited: the
/// images are only found through an audited search.
[[nodiscard]] std::optional<ReadImages> find_read_images(ReadStore& store, const std::string& read_id);

}  // namespace anpr::receiver
