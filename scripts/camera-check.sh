#!/usr/bin/env bash
# The camera's publishing check (issue 23): a generated 1080p25 UK traffic clip with a burnt-in
# CCTV caption, a static sign and a parked car, run through `anpr-edge run` at the file's pace
# (one recogniser thread) into a real mosquitto broker on loopback with `anpr-receiver serve`
# beside it; the reads the receiver stored are then compared with the clip's passes: how many
# passes were published once, twice, never, how many read exactly right, and any other text.
#
# Usage: scripts/camera-check.sh [--seed S] [--caption CORNER] [--caption-font F] [--vehicles N]
#                                [--work DIR]
#   CORNER: top-left, top-right, bottom-left, bottom-right; F: 0-3 (anpr-synth video --help).
# Needs a build (build/bin/anpr-synth, anpr-edge, anpr-receiver), mosquitto, sqlite3, python3.
# About 2 minutes for 20 passes. The figures of docs/performance.md come from this script.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/bin
seed=20261241
corner=top-left
font=0
vehicles=20
work=${TMPDIR:-/tmp}/anpr-camera-check
while [[ $# -gt 0 ]]; do
  case $1 in
    --seed|--caption|--caption-font|--vehicles|--work)
      [[ $# -ge 2 ]] || { echo "camera-check: $1 needs a value (see --help)" >&2; exit 2; } ;;&
    --seed) seed=$2; shift 2 ;;
    --caption) corner=$2; shift 2 ;;
    --caption-font) font=$2; shift 2 ;;
    --vehicles) vehicles=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "camera-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for tool in anpr-synth anpr-edge anpr-receiver; do
  [[ -x $bin/$tool ]] || { echo "camera-check: build first ($bin/$tool is missing)" >&2; exit 1; }
done
for tool in mosquitto sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "camera-check: needs $tool (scripts/install-deps.sh)" >&2; exit 1; }
done

w=$work/seed-$seed
rm -rf "$w"
mkdir -p "$w"
"$bin/anpr-synth" video --out "$w/clip.avi" --vehicles "$vehicles" --seed "$seed" --width 1920 --height 1080 \
  --caption "$corner" --caption-font "$font" --sign --parked-car | tail -3
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{
  echo "listener $port 127.0.0.1"
  echo "allow_anonymous true"
  echo "persistence_location $w/"
  grep -E '^(max_queued_messages|max_queued_bytes|persistence|autosave_interval|persistent_client_expiration) ' \
    "$root/receiver/config/mosquitto-anpr.conf"
} > "$w/mosquitto.conf"
mosquitto -c "$w/mosquitto.conf" > "$w/mosquitto.log" 2>&1 &
broker=$!
receiver=
cleanup() {
  [[ -n $receiver ]] && kill "$receiver" 2>/dev/null && wait "$receiver" 2>/dev/null
  kill "$broker" 2>/dev/null && wait "$broker" 2>/dev/null
  return 0
}
trap cleanup EXIT
sleep 0.5
"$bin/anpr-receiver" serve --broker "tcp://127.0.0.1:$port" --database "$w/anpr.db" --http off > "$w/receiver.log" 2>&1 &
receiver=$!
sleep 1
echo "camera-check: running the camera on the clip (at its frame rate)..."
OMP_THREAD_LIMIT=1 "$bin/anpr-edge" run --source "$w/clip.avi" --broker "tcp://127.0.0.1:$port" --camera-id cam1 \
  --site-id s1 --spool-dir "$w/spool" > "$w/edge.log" 2>&1
sleep 2
cleanup
receiver=
grep stopped "$w/edge.log" | sed 's/.*stopped/edge stopped/'
sqlite3 "$w/anpr.db" "SELECT plate FROM reads ORDER BY captured_at" > "$w/stored.txt"
"$root/scripts/score-passes.py" "$w/clip.csv" "$w/stored.txt"
