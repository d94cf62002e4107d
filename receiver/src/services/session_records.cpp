#include "anpr/receiver/services/session_records.hpp"

namespace anpr::receiver {

void SessionRecords::open(const SessionRecord& session, TimestampMs idle_before) {
  store_.purge_sessions(idle_before);
  store_.save_session(session);
}

void SessionRecords::refresh(const SessionRecord& session) { store_.save_session(session); }

std::optional<SessionRecord> SessionRecords::find(const std::string& token_hash) {
  return store_.find_session(token_hash);
}

void SessionRecords::end(const std::string& token_hash) { store_.delete_sessions(token_hash, ""); }

void SessionRecords::end_all_of(const std::string& user) { store_.delete_sessions("", user); }

}  // namespace anpr::receiver
