#include "anpr/receiver/services/audit_log.hpp"

namespace anpr::receiver {

std::vector<AuditRecord> recent_audit_records(Store& store, int limit) { return store.audit_log(limit); }

}  // namespace anpr::receiver
