#pragma once
// Versioned schema migrations, written in the SQL that SQLite and PostgreSQL share. Times are
// milliseconds since the epoch (BIGINT); plate text is normalised. Never edit a released step:
// add a new one.

#include <array>
#include <string_view>

namespace anpr::receiver::migrations {

inline constexpr std::array<std::string_view, 1> kSteps = {
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
};

}  // namespace anpr::receiver::migrations
