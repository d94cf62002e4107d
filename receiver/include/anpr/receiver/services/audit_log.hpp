#pragma once
/// @file
/// Who acts through a service, and the audit log they leave. Every service writes its own audit
/// records (searches, hit and fault actions, camera and user changes), so no front end does.

#include <string>
#include <vector>

#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

/// Who does something, why, and when: what a service writes into the audit record.
struct Caller {
  std::string user;
  std::string reason;  ///< why, where the action needs one (searches, camera changes); else ""
  TimestampMs now = 0;
};

/// The newest `limit` audit records, newest first (the audit page).
[[nodiscard]] std::vector<AuditRecord> recent_audit_records(AuditLog& log, int limit);

}  // namespace anpr::receiver
