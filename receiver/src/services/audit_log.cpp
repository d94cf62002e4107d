#include "anpr/receiver/services/audit_log.hpp"

namespace anpr::receiver {

std::vector<AuditRecord> recent_audit_records(AuditLog& log, int limit) { return log.audit_log(limit); }

}  // namespace anpr::receiver
