#pragma once
// Statements written once for both back ends: `$N` parameters, numbered in the order they first
// appear, are positional in PostgreSQL and in SQLite alike. (SQLite numbers `$N` by first
// appearance, not by N: a statement here must use $1 before $2 before $3, or it binds wrongly.) (The camera
// faults, and the partnership dashboard's hit counts.)

namespace anpr::receiver::fault_sql {

inline constexpr const char* kRaise =
    "INSERT INTO camera_faults (fault_id, camera_id, site_id, kind, priority, detail, raised_at, changed_at)"
    " VALUES ($1,$2,$3,$4,$5,$6,$7,$7) ON CONFLICT DO NOTHING";
inline constexpr const char* kClear =
    "UPDATE camera_faults SET cleared_at = $1, changed_at = $1 WHERE camera_id = $2 AND kind = $3 AND "
    "cleared_at = 0";
inline constexpr const char* kAcknowledge =
    "UPDATE camera_faults SET state = 'acknowledged', acknowledged_by = $1, acknowledged_at = $2, changed_at "
    "= $2,"
    " note = $3 WHERE fault_id = $4 AND state = 'new'";
#define ANPR_FAULT_COLUMNS                                                                                 \
  "SELECT fault_id, camera_id, site_id, kind, priority, detail, raised_at, cleared_at, changed_at, state," \
  " acknowledged_by, acknowledged_at, note FROM camera_faults"
inline constexpr const char* kSelect = ANPR_FAULT_COLUMNS
    " WHERE changed_at >= $1 AND ($2 = 0 OR cleared_at = 0 OR state = 'new') ORDER BY changed_at DESC LIMIT "
    "$3";
inline constexpr const char* kSelectOpen = ANPR_FAULT_COLUMNS " WHERE cleared_at = 0";
#undef ANPR_FAULT_COLUMNS

}  // namespace anpr::receiver::fault_sql

namespace anpr::receiver::shared_sql {

inline constexpr long long kDayMs = 86'400'000;  ///< the day of kHitCounts

/// Hits per list per UTC day whose read was captured in [$1, $2).
inline constexpr const char* kHitCounts =
    "SELECT list, at / 86400000, COUNT(*) FROM hits WHERE at >= $1 AND at < $2 GROUP BY list, at / 86400000"
    " ORDER BY 2, 1";

}  // namespace anpr::receiver::shared_sql
