#!/usr/bin/env bash
# Sustained ingest benchmark: a mosquitto broker and anpr-receiver (SQLite) on loopback, reads
# published by `anpr-receiver loadgen`; reports publish rate, stored rate and reads lost.
# With WATCHLIST entries (4th argument, e.g. 1000000; 1% of them wildcards), 1% of the reads carry
# a listed plate and loadgen reports the hit latency (publish -> hit on anpr/v1/hits), p50/p99.
# The stored rate runs from loadgen's start to the last read stored, counted beside loadgen: with
# a watchlist loadgen returns only once the last hit has come back to it, later than that.
# With STORE=postgresql in the environment the receiver stores into a PostgreSQL cluster created
# for the run (Debian's server, durable settings: fsync and synchronous commit on).
# With RECEIVERS=N (N > 1), N receivers share the stream through an MQTT 5 shared subscription
# (meant for PostgreSQL; with SQLite they would contend for one file). RECEIVERS=0 measures the load
# generator and broker alone (nobody subscribed: the broker acknowledges and drops).
# With BACKLOG=1 the receiver alone: it subscribes, stops, every read is published, and the
# receiver started again takes the backlog from the broker with no load generator running beside it.
# CONNECTIONS=N: loadgen publishes over N connections (threads). LOADGEN_BIN: the build whose
# loadgen to use (default ANPR_BIN), so two receivers are compared under one load generator.
# Usage: [STORE=postgresql] [RECEIVERS=N] [BACKLOG=1] [CONNECTIONS=N] scripts/bench-ingest.sh [COUNT] [RATE] [CAMERAS] [WATCHLIST]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-20000}
rate=${2:-5000}
cameras=${3:-50}
watchlist=${4:-0}
bin=${ANPR_BIN:-build/bin}  # ANPR_BIN: another build to compare
loadgen_bin=${LOADGEN_BIN:-$bin}
connection_args=()
[ "${CONNECTIONS:-1}" -gt 1 ] && connection_args=(--connections "$CONNECTIONS")
work=$(mktemp -d)
cleanup() {
  kill ${serve_pids[@]+"${serve_pids[@]}"} "${broker_pid:-}" "${COUNTER_PID:-}" 2>/dev/null || true
  # The postmaster itself (runuser, which started it, does not pass SIGINT on): fast shutdown.
  [ -f "$work/pg/postmaster.pid" ] && kill -INT "$(head -n1 "$work/pg/postmaster.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "${KEEP_WORK:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
database="$work/anpr.db"
run_sql() { sqlite3 "$database" "$1"; }
sql_shell() { sqlite3 "$database"; }
# The receiver's own pace: reads over the span of their arrival times (independent of the tail
# and of loadgen waiting for hits).
rate_sql='SELECT CAST(COUNT(*) * 1000.0 / MAX(MAX(received_at) - MIN(received_at), 1) AS INTEGER) FROM reads'
receiver_rate() { run_sql "$rate_sql" 2>/dev/null || echo 0; }
if [ "${STORE:-sqlite}" = postgresql ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  pg_port=$((20000 + RANDOM % 40000))
  as_pg=()
  # PostgreSQL refuses to run as root: run it as the postgres user then.
  if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as_pg=(runuser -u postgres --); fi
  "${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U anpr -A trust -E UTF8 --locale=C > "$work/initdb.log" 2>&1
  "${as_pg[@]}" "$pg_bin/postgres" -D "$work/pg" -p "$pg_port" -k "$work" -c listen_addresses=127.0.0.1 \
    > "$work/postgres.log" 2>&1 &
  for _ in $(seq 1 100); do "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && break; sleep 0.1; done
  "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" || { echo "PostgreSQL did not start: $(cat "$work/postgres.log")" >&2; exit 1; }
  database="postgresql://anpr@127.0.0.1:$pg_port/postgres"
  run_sql() { psql -qtA "$database" -c "$1"; }
  sql_shell() { psql -qtA "$database"; }
  rate_sql=${rate_sql/MAX(MAX(/GREATEST(MAX(}  # PostgreSQL's MAX takes no second argument
fi

port=$((20000 + RANDOM % 40000))  # loopback only; a clash makes mosquitto fail at start, below
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n' "$port" > "$work/mosquitto.conf"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
broker_pid=$!
sleep 0.5
kill -0 "$broker_pid" 2>/dev/null || { echo "mosquitto did not start: $(cat "$work/mosquitto.log")" >&2; exit 1; }
hit_args=()
if [ "$watchlist" -gt 0 ]; then
  # Distinct current-style plates (entry number i written in the plate's mixed radix), every
  # hundredth a witness pattern with the first letter unknown, plus 20 plates loadgen uses.
  awk -v n="$watchlist" 'BEGIN {
    L = "ABCDEFGHJKLMNOPRSTUVWXYZ"; split("24 24 10 10 24 24 24", radix, " "); print "plate,reason"
    for (i = 0; i < 20; i++) printf "HT%02dHIT,benchmark hit\n", i
    for (i = 0; i < n - 20; i++) {
      p = ""; v = i * 7919 % 796262400  # spread over the space, still one plate per i
      for (j = 7; j >= 1; j--) {
        d = v % radix[j]; v = int(v / radix[j])
        p = ((j == 3 || j == 4) ? d : substr(L, d + 1, 1)) p
      }
      if (i % 100 == 0) p = "?" substr(p, 2)
      print p ",benchmark"
    }
  }' > "$work/list.csv"
  t0=$(date +%s%N)
  "$bin/anpr-receiver" watchlist import bench "$work/list.csv" --category stolen-vehicle --lookback-days 0 \
    --database "$database" > /dev/null
  echo "imported a watchlist of $watchlist entries in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  hit_args=(--hit-share 0.01 --hit-plates $(seq -f 'HT%02gHIT' 0 19))
fi
receivers=${RECEIVERS:-1}
serve_pids=()
share=()
[ "$receivers" -gt 1 ] && share=(--share-group bench)
start_receivers() {  # $1: log suffix
  serve_pids=()
  for ((r = 0; r < receivers; r++)); do
    "$bin/anpr-receiver" serve --broker "tcp://127.0.0.1:$port" --database "$database" --client-id "bench-$r" \
      "${share[@]}" --http off > "$work/serve-$r$1.log" 2>&1 &
    serve_pids+=($!)
  done
  # Publish only once every receiver is subscribed (loading a large watchlist takes seconds):
  # reads sent to a broker nobody has subscribed at yet are not kept for anyone.
  for ((r = 0; r < receivers; r++)); do
    for _ in $(seq 1 600); do grep -qs "ingesting from" "$work/serve-$r$1.log" && break; sleep 0.1; done
    grep -q "ingesting from" "$work/serve-$r$1.log" || { echo "receiver $r did not start: $(cat "$work/serve-$r$1.log")" >&2; exit 1; }
  done
}
run_loadgen() {
  "$loadgen_bin/anpr-receiver" loadgen --broker "tcp://127.0.0.1:$port" --count "$count" --rate "$rate" \
    --cameras "$cameras" "${connection_args[@]}" "${hit_args[@]}"
}
if [ "$receivers" -eq 0 ]; then
  run_loadgen
  exit 0
fi
start_receivers ""
# The stored reads are counted through one database session kept open (a psql started for each
# count cost about 35 ms of CPU, a third of a core at ten counts a second).
coproc COUNTER { sql_shell 2>/dev/null; }
# Its pipes as plain descriptors: bash does not pass a coprocess's own to a subshell.
exec {to_counter}>&"${COUNTER[1]}" {from_counter}<&"${COUNTER[0]}"
count_reads() {
  local n=0
  echo 'SELECT COUNT(*) FROM reads;' >&"$to_counter" && read -r n <&"$from_counter" || true
  case $n in '' | *[!0-9]*) n=0 ;; esac
  echo "$n"
}
# Until every read is stored, or 120 s pass with no more stored: then "STORED END_NS" to $1.
wait_stored() {
  local stored=0 last=-1 idle=0
  while :; do
    stored=$(count_reads)
    [ "$stored" -ge "$count" ] && break
    if [ "$stored" -eq "$last" ]; then idle=$((idle + 1)); else idle=0; last=$stored; fi
    [ "$idle" -ge 2400 ] && break
    sleep 0.05
  done
  echo "$stored $(date +%s%N)" > "$1"
}
if [ -n "${BACKLOG:-}" ]; then
  # The sessions stay with the broker, which queues every read for them meanwhile.
  kill "${serve_pids[@]}"
  wait "${serve_pids[@]}" 2>/dev/null || true
  run_loadgen
  start=$(date +%s%N)
  start_receivers "-backlog"
  wait_stored "$work/stored"
else
  start=$(date +%s%N)
  # Counted beside loadgen, not after it: with a watchlist loadgen returns only once every hit has
  # come back to it through the broker, which is later than the reads were stored.
  wait_stored "$work/stored" &
  watcher=$!
  run_loadgen
  wait "$watcher"
fi
read -r stored end < "$work/stored"
awk -v s="$stored" -v c="$count" -v ns="$((end - start))" -v r="$rate" -v b="${BACKLOG:-}" 'BEGIN {
  t = ns / 1e9
  if (b != "") printf "stored a backlog of %d of %d reads in %.2f s from the receiver'"'"'s start: %.0f reads/s, %d lost\n", s, c, t, s / t, c - s
  else printf "stored %d of %d reads in %.2f s: %.0f reads/s sustained (offered at %s/s), %d lost\n", s, c, t, s / t, r, c - s
}'
echo "receiver: $(receiver_rate) reads/s from its first read to its last"
if [ "$watchlist" -gt 0 ]; then
  # Publish (the read's capture time, set by loadgen as it publishes) -> hit stored by the receiver:
  # the receiver's part of the hit latency, without the hit's way back through the broker.
  run_sql 'SELECT created_at - at FROM hits ORDER BY 1' | awk '
    function at(q,  i) { i = int(NR * q) + 1; if (i > NR) i = NR; return v[i] }
    { v[NR] = $1 }
    END { if (NR) printf "%d hits stored after publish: p50 %d, p95 %d, p99 %d, max %d ms\n", NR, at(0.5), at(0.95), at(0.99), v[NR] }'
fi
