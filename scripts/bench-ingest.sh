#!/usr/bin/env bash
# Sustained ingest benchmark: a mosquitto broker and anpr-receiver (SQLite) on loopback, reads
# published by `anpr-receiver loadgen`; reports publish rate, stored rate and reads lost.
# Usage: scripts/bench-ingest.sh [COUNT] [RATE] [CAMERAS]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-20000}
rate=${2:-5000}
cameras=${3:-50}
bin=build/bin
work=$(mktemp -d)
cleanup() { kill "${serve_pid:-}" "${broker_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port=$((20000 + RANDOM % 40000))  # loopback only; a clash makes mosquitto fail at start, below
printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n' "$port" > "$work/mosquitto.conf"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
broker_pid=$!
sleep 0.5
kill -0 "$broker_pid" 2>/dev/null || { echo "mosquitto did not start: $(cat "$work/mosquitto.log")" >&2; exit 1; }
"$bin/anpr-receiver" serve --broker "tcp://127.0.0.1:$port" --database "$work/anpr.db" --client-id bench > "$work/serve.log" 2>&1 &
serve_pid=$!
sleep 1.5

start=$(date +%s%N)
"$bin/anpr-receiver" loadgen --broker "tcp://127.0.0.1:$port" --count "$count" --rate "$rate" --cameras "$cameras"
stored=0
for _ in $(seq 1 600); do
  stored=$(sqlite3 "$work/anpr.db" 'SELECT COUNT(*) FROM reads' 2>/dev/null || echo 0)
  [ "$stored" -ge "$count" ] && break
  sleep 0.1
done
end=$(date +%s%N)
awk -v s="$stored" -v c="$count" -v ns="$((end - start))" -v r="$rate" 'BEGIN {
  t = ns / 1e9
  printf "stored %d of %d reads in %.2f s: %.0f reads/s sustained (offered at %s/s), %d lost\n", s, c, t, s / t, r, c - s
}'
