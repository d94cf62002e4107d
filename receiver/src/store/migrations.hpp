#pragma once
// Versioned schema migrations, written in the SQL that SQLite and PostgreSQL share (apart from
// auto-numbered keys, translated by for_postgresql). Times are
// milliseconds since the epoch (BIGINT); plate text is normalised. Never edit a released step:
// add a new one.

#include <array>
#include <string>
#include <string_view>

#include "postgres_partitions.hpp"

namespace anpr::receiver::migrations {

inline constexpr std::array<std::string_view, 8> kSteps = {
    R"SQL(
CREATE TABLE cameras (
  camera_id TEXT PRIMARY KEY, site_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
  latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, bearing DOUBLE PRECISION,
  registered INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'unknown',
  state_at BIGINT NOT NULL DEFAULT 0, version TEXT NOT NULL DEFAULT '',
  last_health TEXT, last_read_at BIGINT NOT NULL DEFAULT 0);
CREATE TABLE reads (
  read_id TEXT PRIMARY KEY, camera_id TEXT NOT NULL, site_id TEXT NOT NULL,
  captured_at BIGINT NOT NULL, plate TEXT NOT NULL, confidence DOUBLE PRECISION NOT NULL,
  format TEXT NOT NULL, country TEXT NOT NULL, message TEXT NOT NULL,
  crop_path TEXT NOT NULL DEFAULT '', overview_path TEXT NOT NULL DEFAULT '',
  unknown_camera INTEGER NOT NULL DEFAULT 0, received_at BIGINT NOT NULL);
CREATE INDEX reads_plate_time ON reads (plate, captured_at);
CREATE INDEX reads_camera_time ON reads (camera_id, captured_at);
CREATE INDEX reads_time ON reads (captured_at);
CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY, received_at BIGINT NOT NULL, topic TEXT NOT NULL,
  reason TEXT NOT NULL, payload_bytes BIGINT NOT NULL, payload BYTEA);
CREATE TABLE watchlists (
  name TEXT PRIMARY KEY, category TEXT NOT NULL, priority INTEGER NOT NULL,
  colour TEXT NOT NULL, action TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE watchlist_entries (
  list TEXT NOT NULL REFERENCES watchlists(name) ON DELETE CASCADE, plate TEXT NOT NULL,
  reason TEXT NOT NULL, added_by TEXT NOT NULL, added_at BIGINT NOT NULL, expires_at BIGINT,
  PRIMARY KEY (list, plate));
CREATE TABLE hits (
  hit_id TEXT PRIMARY KEY, read_id TEXT NOT NULL, camera_id TEXT NOT NULL, site_id TEXT NOT NULL,
  at BIGINT NOT NULL, plate TEXT NOT NULL, entry_plate TEXT NOT NULL, list TEXT NOT NULL,
  category TEXT NOT NULL, priority INTEGER NOT NULL, match_kind TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL, reason TEXT NOT NULL, action TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'new', created_at BIGINT NOT NULL,
  acknowledged_by TEXT NOT NULL DEFAULT '', acknowledged_at BIGINT NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '');
CREATE INDEX hits_created ON hits (created_at);
CREATE INDEX hits_read ON hits (read_id);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  subject TEXT NOT NULL, reason TEXT NOT NULL);
)SQL",
    // 2: control-room users (the web pages). Passwords only as slow hashes (Argon2id).
    R"SQL(
CREATE TABLE users (
  name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);
)SQL",
    // 3: web sessions, so a receiver restart does not log out the control room's screens and
    // receivers sharing a database share them. Only a hash of each token is stored.
    R"SQL(
CREATE TABLE web_sessions (
  token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, role TEXT NOT NULL, csrf_token TEXT NOT NULL,
  credential TEXT NOT NULL, created_at BIGINT NOT NULL, last_seen BIGINT NOT NULL);
CREATE INDEX web_sessions_user ON web_sessions (user_name);
)SQL",
    // 4: analysis. A clone hit names the other sighting; road sections between camera pairs for
    // average speed; hits by capture time for the hotspot counts.
    R"SQL(
ALTER TABLE hits ADD COLUMN related_read_id TEXT NOT NULL DEFAULT '';
CREATE INDEX hits_at ON hits (at);
CREATE TABLE speed_sections (
  name TEXT PRIMARY KEY, from_camera TEXT NOT NULL, to_camera TEXT NOT NULL,
  distance_m DOUBLE PRECISION NOT NULL, limit_mph DOUBLE PRECISION NOT NULL);
)SQL",
    // 5: analysis at scale. Reads per camera per hour, kept as reads are stored (hotspots over
    // months answer from this, not from millions of rows; counts hold no plates and outlive
    // retention), filled from the reads already stored. The camera-time index also carries the
    // plate, so the per-site scans of first-seen read the index alone.
    R"SQL(
CREATE TABLE camera_hour_counts (
  camera_id TEXT NOT NULL, hour BIGINT NOT NULL, reads BIGINT NOT NULL, PRIMARY KEY (camera_id, hour));
INSERT INTO camera_hour_counts (camera_id, hour, reads)
  SELECT camera_id, captured_at / 3600000, COUNT(*) FROM reads GROUP BY camera_id, captured_at / 3600000;
CREATE INDEX reads_camera_time_plate ON reads (camera_id, captured_at, plate);
DROP INDEX reads_camera_time;
)SQL",
    // 6: the live feed follows reads by arrival, not by the cameras' clocks.
    R"SQL(
CREATE INDEX reads_received ON reads (received_at);
)SQL",
    // 7: camera faults (offline, spool growing, no reads when busy), raised and cleared by the
    // receivers' fault monitors; at most one open fault per camera and kind, whichever receiver
    // raises it.
    R"SQL(
CREATE TABLE camera_faults (
  fault_id TEXT PRIMARY KEY, camera_id TEXT NOT NULL, site_id TEXT NOT NULL, kind TEXT NOT NULL,
  priority INTEGER NOT NULL, detail TEXT NOT NULL, raised_at BIGINT NOT NULL,
  cleared_at BIGINT NOT NULL DEFAULT 0, changed_at BIGINT NOT NULL, state TEXT NOT NULL DEFAULT 'new',
  acknowledged_by TEXT NOT NULL DEFAULT '', acknowledged_at BIGINT NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX camera_faults_open ON camera_faults (camera_id, kind) WHERE cleared_at = 0;
CREATE INDEX camera_faults_changed ON camera_faults (changed_at);
)SQL",
    // 8: PostgreSQL partitions reads by week (postgres_partitions.hpp, kStep8); nothing in SQLite.
    R"SQL(
-- reads partitioned by capture time: PostgreSQL only
)SQL",
};

/// A step in PostgreSQL's dialect: SQLite's auto-numbered `INTEGER PRIMARY KEY` becomes an
/// identity column.
inline std::string for_postgresql(std::string_view step) {
  std::string sql(step);
  const std::string_view sqlite_key = "INTEGER PRIMARY KEY",
                         identity = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
  for (auto at = sql.find(sqlite_key); at != std::string::npos;
       at = sql.find(sqlite_key, at + identity.size())) {
    sql.replace(at, sqlite_key.size(), identity);
  }
  return sql;
}

/// Step `version` (1-based) as PostgreSQL runs it: the shared step translated, or PostgreSQL's own
/// where only PostgreSQL changes.
inline std::string postgresql_step(int version) {
  if (version == 8) return std::string(partitions::kStep8);
  return for_postgresql(kSteps.at(static_cast<std::size_t>(version - 1)));
}

}  // namespace anpr::receiver::migrations
