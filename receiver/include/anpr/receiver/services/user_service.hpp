#pragma once
/// @file
/// Control-room users for every front end (the `user` command, the web login): roles, slow-hashed
/// passwords, and each change, login and logout audited. The sessions a login opens are kept by
/// web::SessionManager, which stores them through SessionRecords (session_records.hpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "anpr/receiver/services/audit_log.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

/// Roles in rising order of power: each may do everything the ones before it may.
enum class Role { kOperator = 0, kSupervisor = 1, kAdmin = 2 };
[[nodiscard]] const char* to_string(Role role) noexcept;
[[nodiscard]] std::optional<Role> parse_role(std::string_view text) noexcept;

/// Argon2id via libsodium (crypto_pwhash_str, "interactive" limits: about 0.1 s and 64 MiB per
/// hash), so a stolen database does not give away passwords cheaply.
[[nodiscard]] std::string hash_password(const std::string& password);
[[nodiscard]] bool verify_password(const std::string& hash, const std::string& password);
/// Why a password may not be used, or nullopt when it may (at least 10 characters, at most 256).
[[nodiscard]] std::optional<std::string> password_problem(const std::string& password);

/// User administration, each change audited under the caller ("user-add" with the role as the
/// reason, "user-passwd", "user-disable", "user-enable"). Each throws anpr::Error (kInput) with
/// the reason when the change cannot be made; nothing is changed or audited then. A changed
/// password or a disabled user ends the user's stored sessions. They take the Store: the change,
/// the sessions it ends and its audit record are one transaction.
void add_user(Store& store, const std::string& name, Role role, const std::string& password,
              const Caller& caller);
void set_password(Store& store, const std::string& name, const std::string& password, const Caller& caller);
void set_disabled(Store& store, const std::string& name, bool disabled, const Caller& caller);

[[nodiscard]] std::vector<UserRecord> list_users(UserStore& store);

/// Checks a login and audits it ("login" or "login-failed", the user name as the actor and
/// `client` as the subject). Returns the user when the password is right, the account enabled
/// and its role known; nullopt otherwise, taking as long for an unknown name as for a known one.
/// `store` and `log` are usually one Store.
[[nodiscard]] std::optional<UserRecord> log_in(UserStore& store, AuditLog& log, const std::string& name,
                                               const std::string& password, const std::string& client,
                                               TimestampMs now);
/// Audits a logout ("logout", `client` as the subject).
void record_logout(AuditLog& log, const std::string& user, const std::string& client, TimestampMs now);

}  // namespace anpr::receiver
