#pragma once
/// @file
/// Who may use the control-room pages: users with roles and slow-hashed passwords, sessions
/// (random tokens in HttpOnly cookies, each with its own CSRF token) and a login rate limit.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "anpr/receiver/services/session_records.hpp"
#include "anpr/receiver/services/user_service.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver::web {

// Roles and passwords belong to the user service; the web side names them as its own.
using anpr::receiver::hash_password;
using anpr::receiver::parse_role;
using anpr::receiver::password_problem;
using anpr::receiver::Role;
using anpr::receiver::to_string;
using anpr::receiver::verify_password;

struct Session {
  std::string user;
  Role role = Role::kOperator;
  std::string csrf_token;  ///< sent back by the page in X-CSRF-Token on every change
  std::string credential;  ///< the password hash at login: a changed password ends the session
  TimestampMs created = 0, last_seen = 0;
};

struct SessionSettings {
  std::chrono::minutes idle_timeout{12 * 60};  ///< a wall display stays logged in through a shift
  std::chrono::minutes absolute_timeout{24 * 60};
  std::size_t max_sessions = 1000;
};

/// Login sessions by token. Tokens are 256 random bits; only their hashes are kept (in memory
/// and in the store), so neither a memory dump nor the database hands out live sessions. With a
/// store, sessions survive a receiver restart (the wall display stays logged in) and are shared
/// by receivers on one database. Whatever may reach the store (create, find, destroy, ...) is
/// for threads that may wait for it; the network thread asks find_in_memory.
class SessionManager {
 public:
  explicit SessionManager(UserStore* store = nullptr, SessionSettings settings = {});
  /// A new session; returns its token (for the cookie). Evicts the oldest when full.
  std::string create(const std::string& user, Role role, const std::string& credential = {});
  /// The live session of `token`, refreshed; nullopt when unknown or timed out.
  [[nodiscard]] std::optional<Session> find(const std::string& token);

  /// What find_in_memory found: the session, or none; `needs_store` when only the store can
  /// answer, and then find() is to be asked instead.
  struct MemoryLookup {
    std::optional<Session> session;
    bool needs_store = false;
  };
  /// The live session of `token` as memory has it, never reaching the store (for the network
  /// thread). The store is needed for a session not in memory (made before a restart, or by
  /// another receiver), one whose once-a-minute note of use is due, and one timed out (its record
  /// is deleted).
  [[nodiscard]] MemoryLookup find_in_memory(const std::string& token);
  void destroy(const std::string& token);
  /// Ends every session of `user` (disabled, or password changed).
  void destroy_user(const std::string& user);
  /// Ends every session for which `still_valid` says no (user disabled, password or role changed
  /// by another process, such as `anpr-receiver user`) or that the store no longer has (ended by
  /// another receiver). Returns how many ended.
  std::size_t revalidate(const std::function<bool(const Session&)>& still_valid);

 private:
  struct Entry {
    Session session;
    TimestampMs stored_last_seen = 0;  ///< last_seen as the store has it (refreshed once a minute)
  };
  [[nodiscard]] bool timed_out(const Session& session, TimestampMs now) const;
  void forget(const std::string& key);
  std::optional<SessionRecords> records_;  ///< none: sessions live in memory only
  SessionSettings settings_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> sessions_;  ///< by token hash; a cache of the store
};

/// Refuses logins after repeated failures, within `window`: `max_failures` for one user name from
/// one client address, four times as many from one address for any names, and twenty times as
/// many for one name from every address together (a guessing attack spread over many machines).
/// So someone who types the duty supervisor's name with wrong passwords locks out their own
/// desk, not the supervisor. Refused attempts do not even check the password.
class LoginLimiter {
 public:
  LoginLimiter(int max_failures = 5, std::chrono::seconds window = std::chrono::minutes(5))
      : max_failures_(max_failures), window_(window) {}
  /// Seconds to wait before trying again, or 0 when an attempt may be made now.
  [[nodiscard]] int retry_after(const std::string& user, const std::string& address);
  void failed(const std::string& user, const std::string& address);
  void succeeded(const std::string& user, const std::string& address);

 private:
  struct Failures {
    int count = 0;
    std::chrono::steady_clock::time_point first;
  };
  int wait_for(const std::string& key, int limit, std::chrono::steady_clock::time_point now);
  void count(const std::string& key, std::chrono::steady_clock::time_point now);
  int max_failures_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, Failures> failures_;  ///< "p:<name>|<address>", "a:<address>", "u:<name>"
};

/// 256 random bits as 64 hex characters.
[[nodiscard]] std::string random_token();

}  // namespace anpr::receiver::web
