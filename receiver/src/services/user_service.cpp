#include "anpr/receiver/services/user_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "anpr/common/enum_names.hpp"
#include "anpr/common/error.hpp"
#include "anpr/receiver/services/session_records.hpp"

namespace anpr::receiver {
namespace {

void sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw Error(ErrorCode::kInternal, "libsodium failed to initialise");
}

bool valid_user_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@';
  });
}

UserRecord existing_user(UserStore& store, const std::string& name) {
  auto user = store.user(name);
  if (!user) throw Error(ErrorCode::kInput, "no user '" + name + "'");
  return *user;
}

constexpr EnumNames<Role, 3> kRoleNames = {
    {{Role::kOperator, "operator"}, {Role::kSupervisor, "supervisor"}, {Role::kAdmin, "admin"}}};

}  // namespace

const char* to_string(Role role) noexcept { return name_of(role, kRoleNames); }

std::optional<Role> parse_role(std::string_view text) noexcept { return value_named(text, kRoleNames); }

std::string hash_password(const std::string& password) {
  sodium_ready();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw Error(ErrorCode::kInternal, "password hashing ran out of memory");
  }
  return out.data();
}

bool verify_password(const std::string& hash, const std::string& password) {
  sodium_ready();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::optional<std::string> password_problem(const std::string& password) {
  if (password.size() < 10) return "a password needs at least 10 characters";
  if (password.size() > 256) return "a password has at most 256 characters";
  return std::nullopt;
}

void add_user(Store& store, const std::string& name, Role role, const std::string& password,
              const Caller& caller) {
  if (!valid_user_name(name)) {
    throw Error(ErrorCode::kInput, "user name '" + name + "': 1-64 letters, digits, '.', '_', '-', '@'");
  }
  if (auto problem = password_problem(password)) throw Error(ErrorCode::kInput, *problem);
  const std::string hash = hash_password(password);  // slow: hashed before the transaction
  store.in_transaction([&] {
    if (!store.add_user({name, hash, to_string(role), false, caller.now})) {
      throw Error(ErrorCode::kInput, "user '" + name + "' already exists");
    }
    store.audit({0, caller.now, caller.user, "user-add", name, to_string(role)});
  });
}

void set_password(Store& store, const std::string& name, const std::string& password, const Caller& caller) {
  if (auto problem = password_problem(password)) throw Error(ErrorCode::kInput, *problem);
  auto user = existing_user(store, name);
  user.password_hash = hash_password(password);
  store.in_transaction([&] {
    store.update_user(user);
    SessionRecords(store).end_all_of(name);  // receivers holding one in memory drop it within 10 s
    store.audit({0, caller.now, caller.user, "user-passwd", name, ""});
  });
}

void set_disabled(Store& store, const std::string& name, bool disabled, const Caller& caller) {
  auto user = existing_user(store, name);
  user.disabled = disabled;
  store.in_transaction([&] {
    store.update_user(user);
    if (disabled) SessionRecords(store).end_all_of(name);
    store.audit({0, caller.now, caller.user, disabled ? "user-disable" : "user-enable", name, ""});
  });
}

std::vector<UserRecord> list_users(UserStore& store) { return store.users(); }

std::optional<UserRecord> log_in(UserStore& store, AuditLog& log, const std::string& name,
                                 const std::string& password, const std::string& client, TimestampMs now) {
  auto user = store.user(name);
  // The hash is checked even for unknown users, so timing does not tell which names exist.
  static const std::string kDummyHash = hash_password("not-a-real-password");
  const bool ok =
      verify_password(user ? user->password_hash : kDummyHash, password) && user && !user->disabled;
  const bool known_role = user && parse_role(user->role).has_value();
  log.audit({0, now, name, ok && known_role ? "login" : "login-failed", client, ""});
  if (!ok || !known_role) return std::nullopt;
  return user;
}

void record_logout(AuditLog& log, const std::string& user, const std::string& client, TimestampMs now) {
  log.audit({0, now, user, "logout", client, ""});
}

}  // namespace anpr::receiver
