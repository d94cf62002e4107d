#!/usr/bin/env bash
# Movement search over many stored reads on PostgreSQL: a throwaway cluster is created, the
# receiver makes its schema (reads partitioned by week), READS reads are generated in SQL over the
# year up to now (PLATES distinct plates, skewed: a few plates are read thousands of times, most a
# few times; 50 cameras), then `anpr-receiver bench-search` times the receiver's own movement
# search (the service call: its audit record, then the store's query) for SEARCHES plates sampled
# from the reads, over the whole year, RUNS times; pg_stat_statements gives the query's time on
# the server.
# The load runs with fsync off (the cluster is thrown away); the searches run after a restart with
# PostgreSQL's durable defaults and SHARED_BUFFERS (default 2GB).
# WORK=dir keeps the cluster there (default: a new folder under /var/tmp, removed at the end unless
# KEEP_WORK=1); a WORK that already holds a loaded cluster is searched again without reloading.
# SAMPLE_SEED=N samples another set of plates to search (default 7), e.g. plates not searched yet.
# Usage: scripts/bench-search.sh [READS] [PLATES] [SEARCHES] [RUNS]
# e.g.   scripts/bench-search.sh 100000000 3000000 200 5   (about 30 GB of disk)
set -euo pipefail
cd "$(dirname "$0")/.."
reads=${1:-1000000}
plates=${2:-$((reads / 33 > 1000 ? reads / 33 : 1000))}
searches=${3:-200}
runs=${4:-5}
bin=${ANPR_BIN:-build/bin}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
work=${WORK:-$(mktemp -d /var/tmp/anpr-bench-search.XXXXXX)}
mkdir -p "$work"
port=$((20000 + RANDOM % 40000))
dsn="postgresql://anpr@127.0.0.1:$port/postgres"
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as_pg=(runuser -u postgres --); fi
stop_pg() {
  [ -f "$work/pg/postmaster.pid" ] && kill -INT "$(head -n1 "$work/pg/postmaster.pid")" 2>/dev/null || true
  for _ in $(seq 1 600); do [ -f "$work/pg/postmaster.pid" ] || break; sleep 0.1; done
}
cleanup() {
  stop_pg
  if [ -n "${KEEP_WORK:-}${WORK:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
start_pg() {  # start_pg [postgres -c settings...]
  "${as_pg[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$port" -k "$work" -c listen_addresses=127.0.0.1 \
    -c shared_buffers="${SHARED_BUFFERS:-2GB}" "$@" >> "$work/postgres.log" 2>&1 &
  for _ in $(seq 1 300); do "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port" && return; sleep 0.1; done
  echo "PostgreSQL did not start: $(tail -n 20 "$work/postgres.log")" >&2
  exit 1
}
sql() { psql -v ON_ERROR_STOP=1 -qtA "$dsn" -c "$1"; }
log() { echo "$(date -u +%H:%M:%S) $*" >&2; }

if [ ! -f "$work/loaded" ]; then
  [ -d "$work/pg" ] || "${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U anpr -A trust -E UTF8 --locale=C \
    > "$work/initdb.log" 2>&1
  start_pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=16GB \
    -c checkpoint_timeout=1h -c maintenance_work_mem=1GB -c max_parallel_maintenance_workers=2
  # The receiver's own schema, by its migrations (unless the cluster already has it).
  [ -n "$(sql "SELECT to_regclass('reads')")" ] || "$bin/anpr-receiver" bench-search --database "$dsn" --prepare-only
  [ -f "$work/start_ms" ] || sql "SELECT (extract(epoch FROM now()) * 1000)::bigint - 365 * 86400000::bigint" > "$work/start_ms"
  start_ms=$(cat "$work/start_ms")
  end_ms=$((start_ms + 365 * 86400000))
  sql "SELECT COUNT(anpr_add_reads_partition(w)) FROM generate_series($start_ms, $end_ms + 604800000, 604800000) w" > /dev/null
  # Indexes built after the load, as the migration does; the same definitions as the schema's. A
  # load stopped half way goes on from the reads stored (each chunk is one transaction).
  if [ ! -f "$work/indexes.sql" ]; then
    sql "SELECT replace(pg_get_indexdef(indexrelid), ' ON ONLY ', ' ON ') FROM pg_index
         WHERE indrelid = 'reads'::regclass AND NOT indisprimary" > "$work/indexes.sql"
  fi
  sql "ALTER TABLE reads DROP CONSTRAINT IF EXISTS reads_pkey"
  while IFS= read -r statement; do
    name=${statement#CREATE INDEX }
    sql "DROP INDEX IF EXISTS ${name%% *}"
  done < "$work/indexes.sql"
  chunk=1000000
  for ((from = $(sql "SELECT COUNT(*) FROM reads"); from < reads; from += chunk)); do
    to=$((from + chunk < reads ? from + chunk : reads))
    # Read i is captured at an even pace over the year, by a camera and of a plate drawn from i's
    # hash: plate k with probability ~ k^(-1/3) (u^1.5 for uniform u), so plate 0 is read about
    # every two hours and the median plate a handful of times a year.
    sql "INSERT INTO reads (read_id, camera_id, site_id, captured_at, plate, confidence, format, country,
           message, crop_path, overview_path, unknown_camera, received_at)
         SELECT id, 'cam-' || lpad((h % 50)::text, 2, '0'), 'site-' || lpad((h % 50 / 2)::text, 2, '0'),
                t, plate, 0.8 + (h % 20) / 100.0, 'uk', 'GB',
                '{\"plate\":\"' || plate || '\",\"at\":' || t || '}', 'crops/' || id || '.jpg', '', 0,
                t + 300 + h % 1000
         FROM (SELECT md5(i::text) AS id, h, t,
                 chr(65 + k % 23) || chr(65 + k / 23 % 23) || lpad((k / 529 % 100)::text, 2, '0') ||
                 chr(65 + k / 52900 % 23) || chr(65 + k / 1216700 % 23) || chr(65 + k / 27984100 % 23) AS plate
               FROM (SELECT i, h, $start_ms + i * (365 * 86400000::bigint / $reads) AS t,
                            floor($plates * power((h % 1000003) / 1000003.0, 1.5))::int AS k
                     FROM (SELECT i, abs(hashint8(i)) AS h FROM generate_series($from::bigint, $to - 1) i) a) b
               OFFSET 0) c"
    log "loaded $to of $reads reads"
  done
  log "building indexes"
  sql "ALTER TABLE reads ADD PRIMARY KEY (read_id, captured_at)"
  log "primary key built"
  while IFS= read -r statement; do
    sql "$statement"
    log "built: $statement"
  done < "$work/indexes.sql"
  sql "VACUUM ANALYZE reads"
  log "$(sql "SELECT COUNT(*) FROM reads") reads, $(sql "SELECT pg_size_pretty(SUM(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'reads'::regclass") on disk"
  touch "$work/loaded"
  stop_pg
fi

start_pg -c shared_preload_libraries=pg_stat_statements
sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
# The cameras registered, so that the search's join to them finds their names and places.
sql "INSERT INTO cameras (camera_id, site_id, name, latitude, longitude, registered)
     SELECT 'cam-' || lpad(n::text, 2, '0'), 'site-' || lpad((n / 2)::text, 2, '0'), 'Camera ' || n,
            52.7 + n / 1000.0, -1.4 + n / 1000.0, 1 FROM generate_series(0, 49) n ON CONFLICT DO NOTHING"
sql "SELECT plate FROM (SELECT DISTINCT plate FROM reads TABLESAMPLE SYSTEM (LEAST(100, $searches * 5000.0 / $reads)) REPEATABLE (${SAMPLE_SEED:-7})) s
     ORDER BY md5(plate) LIMIT $searches" > "$work/plates.txt"
sql "SELECT pg_stat_statements_reset()" > /dev/null
"$bin/anpr-receiver" bench-search --database "$dsn" --plates-file "$work/plates.txt" --runs "$runs"
# The server's own time for the movement query and the audit insert (no round trip, no client).
echo "on the server, ms: statement | calls | mean | stddev | max"
sql "SELECT CASE WHEN query LIKE 'INSERT INTO audit_log%' THEN 'audit insert' ELSE 'movement query' END,
       calls, round(mean_exec_time::numeric, 2), round(stddev_exec_time::numeric, 2), round(max_exec_time::numeric, 2)
     FROM pg_stat_statements WHERE query LIKE '%WHERE r.plate = \$1%' OR query LIKE 'INSERT INTO audit_log%'"
