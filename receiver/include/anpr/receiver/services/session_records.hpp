#pragma once
/// @file
/// The stored side of control-room sessions: web::SessionManager keeps a bounded cache in
/// memory and these records in the store, so sessions survive a restart (the wall display stays
/// logged in) and are shared by receivers on one database. Only token hashes are stored.

#include <optional>
#include <string>

#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

class SessionRecords {
 public:
  explicit SessionRecords(UserStore& store) : store_(store) {}
  /// Stores a new session, first deleting those last seen before `idle_before` (expired), so the
  /// table holds only sessions that may still be used.
  void open(const SessionRecord& session, TimestampMs idle_before);
  /// Stores the session's newer last_seen (or the session, when another receiver removed it).
  void refresh(const SessionRecord& session);
  [[nodiscard]] std::optional<SessionRecord> find(const std::string& token_hash);
  void end(const std::string& token_hash);
  /// Ends every session of `user` (disabled, or password changed).
  void end_all_of(const std::string& user);

 private:
  UserStore& store_;
};

}  // namespace anpr::receiver
