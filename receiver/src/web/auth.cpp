#include "anpr/receiver/web/auth.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "anpr/common/error.hpp"

namespace anpr::receiver::web {
namespace {

void sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw Error(ErrorCode::kInternal, "libsodium failed to initialise");
}

std::string hex(const unsigned char* data, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

std::string token_hash(const std::string& token) {
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return hex(digest.data(), digest.size());
}

}  // namespace

/// How often a session's use is noted in the store (so its idle timeout holds across receivers).
constexpr TimestampMs kStoredLastSeenEveryMs = 60000;

SessionManager::SessionManager(UserStore* store, SessionSettings settings)
    : records_(store != nullptr ? std::optional<SessionRecords>(*store) : std::nullopt),
      settings_(settings) {}

std::string random_token() {
  sodium_ready();
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return hex(bytes.data(), bytes.size());
}

std::string SessionManager::create(const std::string& user, Role role, const std::string& credential) {
  const TimestampMs now = now_ms();
  std::string token = random_token();
  const std::string key = token_hash(token);
  const Session session{user, role, random_token(), credential, now, now};
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= settings_.max_sessions) {  // the cache is bounded; the store keeps the rest
    const auto oldest = std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.session.last_seen < b.second.session.last_seen; });
    sessions_.erase(oldest);
  }
  sessions_[key] = Entry{session, now};
  if (records_) {
    records_->open(
        {key, user, to_string(role), session.csrf_token, credential, now, now},
        now - std::chrono::duration_cast<std::chrono::milliseconds>(settings_.idle_timeout).count());
  }
  return token;
}

std::optional<Session> SessionManager::find(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  const auto key = token_hash(token);
  const TimestampMs now = now_ms();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key);
  if (it == sessions_.end() && records_) {  // made before a restart, or by another receiver
    if (const auto r = records_->find(key)) {
      if (const auto role = parse_role(r->role)) {
        it = sessions_
                 .emplace(key, Entry{Session{r->user, *role, r->csrf_token, r->credential, r->created_at,
                                             r->last_seen},
                                     r->last_seen})
                 .first;
      }
    }
  }
  if (it == sessions_.end()) return std::nullopt;
  Entry& e = it->second;
  if (timed_out(e.session, now)) {
    forget(key);
    return std::nullopt;
  }
  e.session.last_seen = now;
  if (records_ && now - e.stored_last_seen > kStoredLastSeenEveryMs) {
    records_->refresh({key, e.session.user, to_string(e.session.role), e.session.csrf_token,
                       e.session.credential, e.session.created, now});
    e.stored_last_seen = now;
  }
  return e.session;
}

SessionManager::MemoryLookup SessionManager::find_in_memory(const std::string& token) {
  if (token.size() != 64) return {};
  const auto key = token_hash(token);
  const TimestampMs now = now_ms();
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(key);
  if (it == sessions_.end()) return {std::nullopt, records_.has_value()};
  Entry& e = it->second;
  if (timed_out(e.session, now)) {
    if (records_) return {std::nullopt, true};  // its record is to be deleted
    forget(key);
    return {};
  }
  if (records_ && now - e.stored_last_seen > kStoredLastSeenEveryMs) return {std::nullopt, true};
  e.session.last_seen = now;
  return {e.session, false};
}

bool SessionManager::timed_out(const Session& session, TimestampMs now) const {
  const auto ms = [](std::chrono::minutes m) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(m).count();
  };
  return now - session.last_seen > ms(settings_.idle_timeout) ||
         now - session.created > ms(settings_.absolute_timeout);
}

void SessionManager::forget(const std::string& key) {
  sessions_.erase(key);
  if (records_) records_->end(key);
}

void SessionManager::destroy(const std::string& token) {
  std::lock_guard lock(mutex_);
  forget(token_hash(token));
}

void SessionManager::destroy_user(const std::string& user) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [&](const auto& s) { return s.second.session.user == user; });
  if (records_) records_->end_all_of(user);
}

std::size_t SessionManager::revalidate(const std::function<bool(const Session&)>& still_valid) {
  std::vector<std::pair<std::string, Session>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, entry] : sessions_) all.emplace_back(key, entry.session);
  }
  std::size_t ended = 0;
  for (const auto& [key, session] : all) {  // checked without the lock: still_valid may ask the store
    // Also gone when another receiver on the same database ended it (logout, user disabled).
    if (still_valid(session) && (!records_ || records_->find(key))) continue;
    std::lock_guard lock(mutex_);
    forget(key);
    ++ended;
  }
  return ended;
}

int LoginLimiter::wait_for(const std::string& key, int limit, std::chrono::steady_clock::time_point now) {
  const auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  const auto elapsed = now - it->second.first;
  if (elapsed >= window_) {
    failures_.erase(it);
    return 0;
  }
  if (it->second.count < limit) return 0;
  return static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(window_ - elapsed).count()) + 1;
}

void LoginLimiter::count(const std::string& key, std::chrono::steady_clock::time_point now) {
  auto& f = failures_[key];
  if (f.count == 0 || now - f.first >= window_) f = {0, now};
  ++f.count;
}

int LoginLimiter::retry_after(const std::string& user, const std::string& address) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  return std::max({wait_for("p:" + user + "|" + address, max_failures_, now),
                   // An address gets more tries than a name: a control room's desks may share one.
                   wait_for("a:" + address, 4 * max_failures_, now),
                   wait_for("u:" + user, 20 * max_failures_, now)});
}

void LoginLimiter::failed(const std::string& user, const std::string& address) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  // Bounded: a flood of made-up names cannot grow the table without limit.
  if (failures_.size() > 100000) failures_.clear();
  count("p:" + user + "|" + address, now);
  count("a:" + address, now);
  count("u:" + user, now);
}

void LoginLimiter::succeeded(const std::string& user, const std::string& address) {
  std::lock_guard lock(mutex_);
  failures_.erase("p:" + user + "|" + address);
}

}  // namespace anpr::receiver::web
