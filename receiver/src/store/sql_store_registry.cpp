// The SQL both back ends share (as sql_store.cpp) for the registers the control room keeps:
// cameras and their faults, watchlists, the audit log, users and web sessions.
#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "sql_store.hpp"

namespace anpr::receiver {
namespace {

#define ANPR_FAULT_COLUMNS                                                                                 \
  "SELECT fault_id, camera_id, site_id, kind, priority, detail, raised_at, cleared_at, changed_at, state," \
  " acknowledged_by, acknowledged_at, note FROM camera_faults"
constexpr const char* kFaults = ANPR_FAULT_COLUMNS
    " WHERE changed_at >= $1 AND ($2 = 0 OR cleared_at = 0 OR state = 'new')"
    " ORDER BY changed_at DESC LIMIT $3";
constexpr const char* kOpenFaults = ANPR_FAULT_COLUMNS " WHERE cleared_at = 0";
#undef ANPR_FAULT_COLUMNS

CameraFault fault(const SqlRow& r) {
  CameraFault f;
  f.fault_id = r.text(0);
  f.camera_id = r.text(1);
  f.site_id = r.text(2);
  f.kind = r.text(3);
  f.priority = static_cast<int>(r.integer(4));
  f.detail = r.text(5);
  f.raised_at = r.integer(6);
  f.cleared_at = r.integer(7);
  f.changed_at = r.integer(8);
  f.state = r.text(9);
  f.acknowledged_by = r.text(10);
  f.acknowledged_at = r.integer(11);
  f.note = r.text(12);
  return f;
}

CameraInfo camera_info(const SqlRow& r) {
  CameraInfo c;
  c.camera_id = r.text(0);
  c.site_id = r.text(1);
  c.name = r.text(2);
  c.latitude = r.optional_real(3);
  c.longitude = r.optional_real(4);
  c.bearing = r.optional_real(5);
  c.registered = r.integer(6) != 0;
  c.state = r.text(7);
  c.state_at = r.integer(8);
  c.version = r.text(9);
  if (!r.is_null(10)) {
    const auto h = decode_health(r.text(10));
    if (h.ok()) c.last_health = h.value();
  }
  c.last_read_at = r.integer(11);
  return c;
}

/// A change to a list's entries makes it a new version (the matcher rebuilds on a new generation).
constexpr const char* kBumpWatchlist = "UPDATE watchlists SET version = version + 1 WHERE name = $1";

UserRecord user_record(const SqlRow& r) {
  return {r.text(0), r.text(1), r.text(2), r.integer(3) != 0, r.integer(4)};
}

}  // namespace

// --- cameras -----------------------------------------------------------------------------------

void SqlStore::upsert_camera(const CameraInfo& c) {
  run([&](SqlConnection& db) {
    db.exec(
        "INSERT INTO cameras (camera_id, site_id, name, latitude, longitude, bearing, registered)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (camera_id) DO UPDATE SET site_id = excluded.site_id,"
        " name = excluded.name, latitude = excluded.latitude, longitude = excluded.longitude,"
        " bearing = excluded.bearing, registered = excluded.registered",
        {c.camera_id, c.site_id, c.name, c.latitude, c.longitude, c.bearing, c.registered ? 1 : 0});
  });
}

void SqlStore::set_camera_status(const StatusMessage& st) {
  // A status older than the one kept never replaces it (messages may arrive out of order).
  run([&](SqlConnection& c) {
    c.exec(
        "INSERT INTO cameras (camera_id, site_id, state, state_at, version) VALUES ($1,$2,$3,$4,$5)"
        " ON CONFLICT (camera_id) DO UPDATE SET state = excluded.state, state_at = excluded.state_at,"
        " version = excluded.version WHERE excluded.state_at >= cameras.state_at",
        {st.camera_id, st.site_id, std::string(to_string(st.state)), st.at, st.version});
  });
}

void SqlStore::set_camera_health(const HealthMessage& h) {
  run([&](SqlConnection& c) {
    c.exec(
        "INSERT INTO cameras (camera_id, site_id, last_health) VALUES ($1,$2,$3)"
        " ON CONFLICT (camera_id) DO UPDATE SET last_health = excluded.last_health",
        {h.camera_id, h.site_id, encode(h)});
  });
}

std::optional<CameraInfo> SqlStore::camera(const std::string& camera_id) {
  if (camera_id.empty()) return std::nullopt;
  auto all = cameras_where(camera_id);
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::vector<CameraInfo> SqlStore::cameras() { return cameras_where(""); }

std::vector<std::string> SqlStore::registered_camera_ids() {
  return run([](SqlConnection& c) {
    return c.rows<std::string>("SELECT camera_id FROM cameras WHERE registered = 1", {},
                               [](const SqlRow& r) { return r.text(0); });
  });
}

std::vector<CameraInfo> SqlStore::cameras_where(const std::string& camera_id) {
  // A camera's last read is looked up here (an index seek on the camera-time index) rather than
  // kept up to date by every insert of a read.
  return run([&](SqlConnection& c) {
    return c.rows<CameraInfo>(
        "SELECT camera_id, site_id, name, latitude, longitude, bearing, registered, state, state_at, version,"
        " last_health, (SELECT COALESCE(MAX(r.captured_at), 0) FROM reads r WHERE r.camera_id ="
        " cameras.camera_id) FROM cameras WHERE ($1 = '' OR camera_id = $1) ORDER BY site_id, camera_id",
        {camera_id}, camera_info);
  });
}

// --- watchlists --------------------------------------------------------------------------------

int SqlStore::replace_watchlist(const WatchlistInfo& list, const std::vector<WatchlistEntry>& entries) {
  return run(
      [&](SqlConnection& c) {
        // The list's version goes up by one in the same statement that writes the list, so two
        // imports at once never give the same version.
        const auto version = c.integer(
            "INSERT INTO watchlists (name, category, priority, colour, action, version) VALUES"
            " ($1,$2,$3,$4,$5,1) ON CONFLICT (name) DO UPDATE SET category = excluded.category,"
            " priority = excluded.priority, colour = excluded.colour, action = excluded.action,"
            " version = watchlists.version + 1 RETURNING version",
            {list.name, list.category, list.priority, list.colour, list.action});
        c.exec("DELETE FROM watchlist_entries WHERE list = $1", {list.name});
        for (const auto& e : entries) {
          c.exec(
              "INSERT INTO watchlist_entries (list, plate, reason, added_by, added_at, expires_at) VALUES"
              " ($1,$2,$3,$4,$5,$6)",
              {list.name, e.plate, e.reason, e.added_by, e.added_at, e.expires_at});
        }
        return static_cast<int>(version);
      },
      true);
}

void SqlStore::add_entry(const WatchlistEntry& e) {
  run(
      [&](SqlConnection& c) {
        if (c.integer("SELECT COUNT(*) FROM watchlists WHERE name = $1", {e.list}) == 0)
          throw Error(ErrorCode::kInput, "no watchlist named '" + e.list + "'");
        c.exec(
            "INSERT INTO watchlist_entries (list, plate, reason, added_by, added_at, expires_at) VALUES"
            " ($1,$2,$3,$4,$5,$6) ON CONFLICT (list, plate) DO UPDATE SET reason = excluded.reason,"
            " added_by = excluded.added_by, added_at = excluded.added_at, expires_at = excluded.expires_at",
            {e.list, e.plate, e.reason, e.added_by, e.added_at, e.expires_at});
        c.exec(kBumpWatchlist, {e.list});
      },
      true);
}

bool SqlStore::remove_entry(const std::string& list, const std::string& plate) {
  return run(
      [&](SqlConnection& c) {
        const bool removed =
            c.exec("DELETE FROM watchlist_entries WHERE list = $1 AND plate = $2", {list, plate}) == 1;
        c.exec(kBumpWatchlist, {list});
        return removed;
      },
      true);
}

bool SqlStore::expire_entry(const std::string& list, const std::string& plate, TimestampMs at) {
  return run(
      [&](SqlConnection& c) {
        const bool changed =
            c.exec("UPDATE watchlist_entries SET expires_at = $1 WHERE list = $2 AND plate = $3",
                   {at, list, plate}) == 1;
        c.exec(kBumpWatchlist, {list});
        return changed;
      },
      true);
}

std::vector<WatchlistInfo> SqlStore::watchlists() {
  return run([](SqlConnection& c) {
    return c.rows<WatchlistInfo>(
        "SELECT name, category, priority, colour, action FROM watchlists ORDER BY priority, name", {},
        [](const SqlRow& r) {
          return WatchlistInfo{r.text(0), r.text(1), static_cast<int>(r.integer(2)), r.text(3), r.text(4)};
        });
  });
}

std::string SqlStore::watchlist_generation() {
  return run([](SqlConnection& c) {
    std::string generation;
    c.exec("SELECT COUNT(*), COALESCE(SUM(version), 0) FROM watchlists", {}, [&](const SqlRow& r) {
      generation = std::to_string(r.integer(0)) + ":" + std::to_string(r.integer(1));
    });
    return generation;
  });
}

std::vector<WatchlistEntry> SqlStore::entries(const std::string& list) {
  return run([&](SqlConnection& c) {
    return c.rows<WatchlistEntry>(
        "SELECT list, plate, reason, added_by, added_at, expires_at FROM watchlist_entries"
        " WHERE ($1 = '' OR list = $1) ORDER BY list, plate",
        {list}, [](const SqlRow& r) {
          WatchlistEntry e{r.text(0), r.text(1), r.text(2), r.text(3), r.integer(4), std::nullopt};
          if (!r.is_null(5)) e.expires_at = r.integer(5);
          return e;
        });
  });
}

// --- camera faults -----------------------------------------------------------------------------

bool SqlStore::raise_fault(const CameraFault& f) {
  return run([&](SqlConnection& c) {
    return c.exec(
               "INSERT INTO camera_faults (fault_id, camera_id, site_id, kind, priority, detail, raised_at,"
               " changed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7) ON CONFLICT DO NOTHING",
               {f.fault_id, f.camera_id, f.site_id, f.kind, f.priority, f.detail, f.raised_at}) == 1;
  });
}

bool SqlStore::clear_fault(const std::string& camera_id, const std::string& kind, TimestampMs at) {
  return run([&](SqlConnection& c) {
    return c.exec(
               "UPDATE camera_faults SET cleared_at = $1, changed_at = $1 WHERE camera_id = $2"
               " AND kind = $3 AND cleared_at = 0",
               {at, camera_id, kind}) == 1;
  });
}

bool SqlStore::acknowledge_fault(const std::string& fault_id, const std::string& user,
                                 const std::string& note, TimestampMs at) {
  return run([&](SqlConnection& c) {
    return c.exec(
               "UPDATE camera_faults SET state = 'acknowledged', acknowledged_by = $1, acknowledged_at = $2,"
               " changed_at = $2, note = $3 WHERE fault_id = $4 AND state = 'new'",
               {user, at, note, fault_id}) == 1;
  });
}

std::vector<CameraFault> SqlStore::faults(TimestampMs changed_since, bool needing_attention, int limit) {
  return run([&](SqlConnection& c) {
    return c.rows<CameraFault>(kFaults, {changed_since, needing_attention ? 1 : 0, limit}, fault);
  });
}

std::vector<CameraFault> SqlStore::open_faults() {
  return run([](SqlConnection& c) { return c.rows<CameraFault>(kOpenFaults, {}, fault); });
}

// --- audit log ---------------------------------------------------------------------------------

void SqlStore::audit(const AuditRecord& r) {
  run([&](SqlConnection& c) {
    c.exec("INSERT INTO audit_log (at, actor, action, subject, reason) VALUES ($1,$2,$3,$4,$5)",
           {r.at, r.actor, r.action, r.subject, r.reason});
  });
}

std::vector<AuditRecord> SqlStore::audit_log(int limit) {
  return run([&](SqlConnection& c) {
    return c.rows<AuditRecord>(
        "SELECT id, at, actor, action, subject, reason FROM audit_log ORDER BY id DESC LIMIT $1", {limit},
        [](const SqlRow& r) {
          return AuditRecord{r.integer(0), r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5)};
        });
  });
}

// --- users and web sessions --------------------------------------------------------------------

bool SqlStore::add_user(const UserRecord& u) {
  return run([&](SqlConnection& c) {
    return c.exec(
               "INSERT INTO users (name, password_hash, role, disabled, created_at) VALUES ($1,$2,$3,$4,$5)"
               " ON CONFLICT (name) DO NOTHING",
               {u.name, u.password_hash, u.role, u.disabled ? 1 : 0, u.created_at}) == 1;
  });
}

bool SqlStore::update_user(const UserRecord& u) {
  return run([&](SqlConnection& c) {
    return c.exec("UPDATE users SET password_hash = $1, role = $2, disabled = $3 WHERE name = $4",
                  {u.password_hash, u.role, u.disabled ? 1 : 0, u.name}) == 1;
  });
}

std::optional<UserRecord> SqlStore::user(const std::string& name) {
  return run([&](SqlConnection& c) {
    return c.first<UserRecord>(
        "SELECT name, password_hash, role, disabled, created_at FROM users WHERE name = $1", {name},
        user_record);
  });
}

std::vector<UserRecord> SqlStore::users() {
  return run([](SqlConnection& c) {
    return c.rows<UserRecord>(
        "SELECT name, password_hash, role, disabled, created_at FROM users ORDER BY name", {}, user_record);
  });
}

void SqlStore::save_session(const SessionRecord& r) {
  run([&](SqlConnection& c) {
    c.exec(
        "INSERT INTO web_sessions (token_hash, user_name, role, csrf_token, credential, created_at,"
        " last_seen) VALUES ($1,$2,$3,$4,$5,$6,$7)"
        " ON CONFLICT (token_hash) DO UPDATE SET last_seen = excluded.last_seen",
        {r.token_hash, r.user, r.role, r.csrf_token, r.credential, r.created_at, r.last_seen});
  });
}

std::optional<SessionRecord> SqlStore::find_session(const std::string& token_hash) {
  return run([&](SqlConnection& c) {
    return c.first<SessionRecord>(
        "SELECT token_hash, user_name, role, csrf_token, credential, created_at, last_seen FROM web_sessions"
        " WHERE token_hash = $1",
        {token_hash}, [](const SqlRow& r) {
          return SessionRecord{r.text(0), r.text(1),    r.text(2),   r.text(3),
                               r.text(4), r.integer(5), r.integer(6)};
        });
  });
}

void SqlStore::delete_sessions(const std::string& token_hash, const std::string& user) {
  // One session by its token, or all of a user's; never all sessions.
  run([&](SqlConnection& c) {
    c.exec(
        "DELETE FROM web_sessions WHERE ($1 = '' OR token_hash = $1) AND ($2 = '' OR user_name = $2)"
        " AND NOT ($1 = '' AND $2 = '')",
        {token_hash, user});
  });
}

void SqlStore::purge_sessions(TimestampMs idle_before) {
  run([&](SqlConnection& c) { c.exec("DELETE FROM web_sessions WHERE last_seen < $1", {idle_before}); });
}

}  // namespace anpr::receiver
