#pragma once
// PostgreSQL only: reads partitioned by capture time, a partition per UTC week (Monday 00:00 to
// Monday 00:00; named reads_<ISO year>w<ISO week>), plus a default partition for reads whose time
// has no partition (a camera clock years off): no read is ever refused for its time. Partitions
// are made ahead of need at startup and by the retention timer; one made for a week that already
// has reads in the default partition takes them over. Whole weeks past the retention limit are
// dropped, not deleted row by row (see docs/performance.md, "Reads partitioned by week").

#include <string_view>

namespace anpr::receiver::partitions {

inline constexpr long long kWeekMs = 604'800'000;
/// Partitions kept ready ahead of the current week, besides it.
inline constexpr int kWeeksAhead = 4;

/// Functions the store calls, replaced at every start (like the audit log's trigger) so that a
/// fix reaches existing databases; the migration to partitions uses them too. A function's body
/// names tables only when it runs, so they may be defined before the tables exist.
inline constexpr std::string_view kFunctions = R"SQL(
-- The Monday 00:00 UTC starting the week of `at_ms` (the epoch fell on a Thursday).
CREATE OR REPLACE FUNCTION anpr_week_start(at_ms BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS
$$ SELECT (floor((at_ms - 345600000)::numeric / 604800000) * 604800000 + 345600000)::bigint $$;

-- Makes the partition of the week holding `at_ms` unless it exists; reads of that week already in
-- the default partition move into it. Receivers sharing the database take turns.
CREATE OR REPLACE FUNCTION anpr_add_reads_partition(at_ms BIGINT) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
  lo CONSTANT BIGINT := anpr_week_start(at_ms);
  hi CONSTANT BIGINT := lo + 604800000;
  part CONSTANT TEXT := 'reads_' || to_char(to_timestamp(lo / 1000) AT TIME ZONE 'UTC', 'IYYY"w"IW');
BEGIN
  IF to_regclass(part) IS NOT NULL THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock(1634627698, 1);
  IF to_regclass(part) IS NOT NULL THEN RETURN; END IF;
  -- to_regclass may still answer from this session's catalog cache, which an advisory lock does not
  -- refresh: a partition another receiver made while this one waited can be missed, and creating
  -- it again fails. Then it is there, made and attached in that receiver's one transaction.
  BEGIN
    EXECUTE format('CREATE TABLE %I (LIKE reads INCLUDING DEFAULTS)', part);
  EXCEPTION WHEN duplicate_table THEN
    RETURN;
  END;
  EXECUTE format('WITH moved AS (DELETE FROM reads_default WHERE captured_at >= %s AND captured_at < %s'
                 ' RETURNING *) INSERT INTO %I SELECT * FROM moved', lo, hi, part);
  EXECUTE format('ALTER TABLE reads ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', part, lo, hi);
END $$;

-- Drops the week partitions wholly captured before `before`. A partition holding reads that a hit
-- still names (hits outlive reads: the hits' own limit applies) is rebuilt with those reads
-- alone, then dropped once no hit names any of them. Returns the partitions dropped.
CREATE OR REPLACE FUNCTION anpr_drop_reads_partitions(before BIGINT) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
  p RECORD;
  kept BIGINT;
  total BIGINT;
  dropped INTEGER := 0;
BEGIN
  FOR p IN
    SELECT c.relname AS part, b[1]::bigint AS lo, b[2]::bigint AS hi
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
         regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''?(-?\d+)''?\) TO \(''?(-?\d+)''?\)') b
    WHERE i.inhparent = 'reads'::regclass AND b[2]::bigint <= before
  LOOP
    EXECUTE format('SELECT COUNT(*) FROM %I WHERE read_id IN (SELECT read_id FROM hits)', p.part) INTO kept;
    IF kept = 0 THEN
      EXECUTE format('DROP TABLE %I', p.part);
      dropped := dropped + 1;
      CONTINUE;
    END IF;
    EXECUTE format('SELECT COUNT(*) FROM %I', p.part) INTO total;
    CONTINUE WHEN total = kept;
    EXECUTE format('CREATE TABLE %I (LIKE reads INCLUDING DEFAULTS)', p.part || '_kept');
    EXECUTE format('INSERT INTO %I SELECT * FROM %I WHERE read_id IN (SELECT read_id FROM hits)',
                   p.part || '_kept', p.part);
    EXECUTE format('DROP TABLE %I', p.part);
    EXECUTE format('ALTER TABLE %I RENAME TO %I', p.part || '_kept', p.part);
    EXECUTE format('ALTER TABLE reads ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', p.part, p.lo, p.hi);
  END LOOP;
  RETURN dropped;
END $$;
)SQL";

/// Migration step 8 in PostgreSQL: the unpartitioned reads table becomes the partitioned one, a
/// partition for every week that has reads (from 2000 to a year ahead; reads outside go to the
/// default partition). The key becomes (read_id, captured_at): a key on a partitioned table must
/// hold the partition key, and a redelivered read carries its capture time again, so it still
/// stores a read once. Indexes are built after the copy, which is faster than keeping them up.
inline constexpr std::string_view kStep8 = R"SQL(
ALTER TABLE reads RENAME TO reads_unpartitioned;
ALTER TABLE reads_unpartitioned RENAME CONSTRAINT reads_pkey TO reads_unpartitioned_pkey;
DROP INDEX reads_plate_time, reads_time, reads_camera_time_plate, reads_received;
CREATE TABLE reads (
  read_id TEXT NOT NULL, camera_id TEXT NOT NULL, site_id TEXT NOT NULL,
  captured_at BIGINT NOT NULL, plate TEXT NOT NULL, confidence DOUBLE PRECISION NOT NULL,
  format TEXT NOT NULL, country TEXT NOT NULL, message TEXT NOT NULL,
  crop_path TEXT NOT NULL DEFAULT '', overview_path TEXT NOT NULL DEFAULT '',
  unknown_camera INTEGER NOT NULL DEFAULT 0, received_at BIGINT NOT NULL) PARTITION BY RANGE (captured_at);
CREATE TABLE reads_default PARTITION OF reads DEFAULT;
SELECT anpr_add_reads_partition(week) FROM (
  SELECT DISTINCT anpr_week_start(captured_at) AS week FROM reads_unpartitioned
  WHERE captured_at >= 946684800000
    AND captured_at < (extract(epoch FROM now()) * 1000)::bigint + 366 * 86400000::bigint) weeks;
INSERT INTO reads (read_id, camera_id, site_id, captured_at, plate, confidence, format, country, message,
                   crop_path, overview_path, unknown_camera, received_at)
  SELECT read_id, camera_id, site_id, captured_at, plate, confidence, format, country, message,
         crop_path, overview_path, unknown_camera, received_at FROM reads_unpartitioned;
DROP TABLE reads_unpartitioned;
ALTER TABLE reads ADD PRIMARY KEY (read_id, captured_at);
CREATE INDEX reads_plate_time ON reads (plate, captured_at);
CREATE INDEX reads_camera_time_plate ON reads (camera_id, captured_at, plate);
CREATE INDEX reads_time ON reads (captured_at);
CREATE INDEX reads_received ON reads (received_at);
)SQL";

}  // namespace anpr::receiver::partitions
