#!/usr/bin/env bash
# The whole system on this machine, on loopback: a broker, the control-room receiver with a demo
# watchlist and its web pages, and four camera units at named sites playing generated UK traffic
# with known plates. Every camera keeps producing traffic: when its video ends it plays the next
# one, with new vehicles and now and then a watchlisted plate, so hits keep arriving; everything,
# the control room included, stays up until Ctrl-C. Prints reads and hits as they arrive, and a
# summary at the end.
#
# Usage: scripts/demo.sh [--duration SECONDS] [--vehicles N] [--work DIR] [--http ADDRESS:PORT]
#   --duration  stop by itself after this many seconds (default: run until Ctrl-C)
#   --vehicles  vehicle passes per camera video (default 12, about 30 s of video)
#   --work      folder for the videos, database, logs (default: a new folder under /tmp)
#   --http      where the control room listens (default 127.0.0.1:8080, or a free port if taken)
# Exits non-zero when no reads flowed.

# shellcheck disable=SC2154  # the options' variables are set by parse_options
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/options.sh
source "$root/scripts/options.sh"
parse_options demo duration=0 vehicles=12 work= http= -- "$@"
[[ $duration =~ ^[0-9]+$ ]] || { echo "demo: --duration takes whole seconds" >&2; exit 2; }
[[ $vehicles =~ ^[0-9]+$ && $vehicles -ge 1 ]] || { echo "demo: --vehicles takes a positive number" >&2; exit 2; }

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

# 1. Build what is missing (the first run installs packages and compiles: several minutes).
say "building (scripts/install-deps.sh, cmake)"
"$root/scripts/install-deps.sh"
if [[ ! -f $root/build/build.ninja ]]; then cmake --preset default -S "$root" >/dev/null; fi
cmake --build "$root/build" -j "$(nproc)" >/dev/null
bin=$root/build/bin

work=${work:-$(mktemp -d /tmp/anpr-demo-XXXXXX)}
mkdir -p "$work"
pids=()
stopping=0
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_taken() { python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', int(sys.argv[1]))) != 0)" "$1"; }

# Sites of the partnership's district: camera id, site id, name, latitude, longitude, bearing.
sites=(
  "cam-coalville-1,coalville,Coalville Belvoir Road,52.7225,-1.3700,90"
  "cam-ashby-1,ashby,Ashby Market Street,52.7460,-1.4745,270"
  "cam-donington-1,castle-donington,Castle Donington Park Lane,52.8420,-1.3380,180"
  "cam-measham-1,measham,Measham High Street,52.7060,-1.5080,0"
)

# 2. One generated traffic video per camera, in parallel. Each camera plays `$camera.avi` in a
# loop, and reopens the file at each end: a new video moved into its place (step 6) is the next
# cycle's traffic. `$camera.playlist` says which passes file each opening of the video played.
say "generating ${#sites[@]} traffic videos of $vehicles vehicles each in $work"
traffic_video() {  # camera, cycle, [plates that must pass]: writes $work/$camera.cycle-N.{avi,csv}
  local index=0 site
  for site in "${sites[@]}"; do [[ ${site%%,*} == "$1" ]] && break; index=$((index + 1)); done
  "$bin/anpr-synth" video --out "$work/$1.cycle-$2.avi" --vehicles "$vehicles" --seed $((7001 + index + 100 * $2)) \
    --width 1280 --height 720 --caption top-left ${3:+--plates "$3"} >/dev/null
}
for site in "${sites[@]}"; do
  camera=${site%%,*}
  rm -f "$work/$camera".cycle-* "$work/$camera.playlist" "$work/$camera.log"  # of an earlier run in this folder
  (traffic_video "$camera" 0 && mv "$work/$camera.cycle-0.avi" "$work/$camera.avi" &&
    echo "1 $camera.cycle-0.csv" > "$work/$camera.playlist") &
done
wait
# The cameras' recorder burns a caption (date, time, camera) into the top left: an ignore zone
# keeps it from ever being read (`anpr-edge zones --config $work/edge.toml --source VIDEO` draws it).
# Health every 5 s (30 s on a real unit), so the Cameras page fills in at once.
cat > "$work/edge.toml" <<EOF
[mqtt]
health_interval_s = 5

[zones]
ignore = [[[0.0, 0.0], [0.55, 0.0], [0.55, 0.09], [0.0, 0.09]]]
EOF

# 3. Broker.
broker_port=$(free_port)
cat > "$work/mosquitto.conf" <<EOF
listener $broker_port 127.0.0.1
allow_anonymous true
persistence_location $work/
$(grep -E '^(max_queued_messages|max_queued_bytes|persistence|autosave_interval|persistent_client_expiration) ' \
  "$root/receiver/config/mosquitto-anpr.conf")
EOF
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
pids+=($!)
broker=tcp://127.0.0.1:$broker_port

stop_all() {
  [[ $stopping == 1 ]] && return
  stopping=1
  say "stopping"
  # Cameras first (they publish what they hold), then the receiver, then the broker.
  for pid in "${edge_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${edge_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  sleep 1
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
}
edge_pids=()
trap 'echo; stop_all' INT TERM
trap 'stop_all' EXIT

# 4. Receiver: cameras, a demo user and watchlists made of plates that will drive past.
db=$work/anpr.db
printf 'camera_id,site_id,name,latitude,longitude,bearing\n' > "$work/cameras.csv"
printf '%s\n' "${sites[@]}" >> "$work/cameras.csv"
"$bin/anpr-receiver" register-cameras "$work/cameras.csv" --database "$db" >/dev/null
password=demo-password-1
if ! "$bin/anpr-receiver" user list --database "$db" | grep -q '^demo '; then
  echo "$password" | "$bin/anpr-receiver" user add demo --role admin --database "$db" >/dev/null
fi
known=$(for site in "${sites[@]}"; do tail -n +2 "$work/${site%%,*}.cycle-0.csv" | cut -d, -f1; done)
pick() { sed -n "${1}p" <<<"$known"; }
printf 'plate,reason\n%s,Stolen from a driveway in Coalville (crime ref 4521)\n' "$(pick 2)" > "$work/stolen.csv"
printf 'plate,reason\n%s,Driver wanted for burglary (Ashby)\n' "$(pick $((vehicles + 3)))" > "$work/wanted.csv"
printf 'plate,reason\n%s,No insurance on record\n' "$(pick $((2 * vehicles + 4)))" > "$work/insurance.csv"
"$bin/anpr-receiver" watchlist import "Stolen vehicles" "$work/stolen.csv" --category stolen-vehicle --priority 0 \
  --colour "#d00000" --action "Inform police control; do not follow" --database "$db" >/dev/null
"$bin/anpr-receiver" watchlist import "Wanted persons" "$work/wanted.csv" --category wanted-person --priority 1 \
  --colour "#ff7a00" --action "Inform police control at once" --database "$db" >/dev/null
"$bin/anpr-receiver" watchlist import "No insurance" "$work/insurance.csv" --category no-insurance --priority 3 \
  --colour "#e0c000" --action "Log for roads policing" --database "$db" >/dev/null
if [[ -z $http ]]; then
  http=127.0.0.1:8080
  port_taken 8080 && http=127.0.0.1:$(free_port)
fi
"$bin/anpr-receiver" serve --broker "$broker" --database "$db" --data-dir "$work/data" --http "$http" \
  --client-id demo-receiver > "$work/receiver.log" 2>&1 &
pids+=($!)
# Up to a minute: a loaded machine starts it slowly; a ready receiver is seen within 0.1 s.
for _ in $(seq 1 600); do grep -q "ingesting from" "$work/receiver.log" && break; sleep 0.1; done
grep -q "ingesting from" "$work/receiver.log" || { echo "demo: the receiver did not start:" >&2; cat "$work/receiver.log" >&2; exit 1; }

# 5. Reads and hits as they arrive (images left out).
print_events() {
  while read -r topic payload; do
    if [[ $topic == anpr/v1/hits ]]; then
      jq -r '"\u001b[1;31mHIT  \(.plate) on \(.list) (\(.category), \(.match_kind)) at \(.camera_id): \(.action)\u001b[0m"' <<<"$payload" 2>/dev/null || true
    else
      jq -r '"read \(.plate)  \(.confidence * 100 | floor)%  \(.camera_id)  \(.direction.motion)/\(.direction.lateral)"' <<<"$payload" 2>/dev/null || true
    fi
  done
}
run_started_ms=$(( $(date +%s) * 1000 ))
mosquitto_sub -p "$broker_port" -t 'anpr/v1/+/+/read' -t 'anpr/v1/hits' -v 2>/dev/null > >(print_events) &
pids+=($!)

# 6. The cameras, and each camera's next traffic: once a cycle starts playing, the next is made
# and moved into place, to be played when this one ends (if it is not ready by then, the camera
# plays this one again). Every other cycle brings one of the watchlisted plates past a camera.
listed=("$(pick 2)" "$(pick $((vehicles + 3)))" "$(pick $((2 * vehicles + 4)))")
openings() { grep -c "video source .* open" "$work/$1.log" 2>/dev/null || true; }
feed_traffic() {  # camera, its index
  local cycle=1 plates
  while [[ $stopping == 0 ]]; do
    while (( $(openings "$1") < cycle )); do sleep 1; done
    plates=""
    (( (cycle + $2) % 2 == 0 )) && plates=${listed[$(( (cycle + $2) / 2 % 3 ))]}
    traffic_video "$1" "$cycle" "$plates" || return
    mv "$work/$1.cycle-$cycle.avi" "$work/$1.avi"
    echo "$(( $(openings "$1") + 1 )) $1.cycle-$cycle.csv" >> "$work/$1.playlist"
    cycle=$((cycle + 1))
  done
}
index=0
for site in "${sites[@]}"; do
  IFS=, read -r camera site_id name _ <<<"$site"
  "$bin/anpr-edge" run --config "$work/edge.toml" --source "$work/$camera.avi" --loop --broker "$broker" \
    --camera-id "$camera" --site-id "$site_id" --spool-dir "$work/spool-$camera" > "$work/$camera.log" 2>&1 &
  edge_pids+=($!)
  feed_traffic "$camera" "$index" &
  pids+=($!)
  index=$((index + 1))
done

# Where the control room really listens (the port may have been chosen for it).
url=$(grep -o "control room on [a-z]*://[^ ]*" "$work/receiver.log" | head -1 | cut -d' ' -f4)
url=${url:-http://$http/}
say "reads and hits below; Ctrl-C stops$([[ $duration -gt 0 ]] && echo ", or after $duration s")"
say "control room: $url  (user demo, password $password)"
started=$(date +%s)
last_reminder=$started
cameras_failed=0
while true; do
  if (( $(date +%s) - last_reminder >= 120 )); then  # the feed scrolls it away
    say "control room: $url  (user demo, password $password); Ctrl-C stops"
    last_reminder=$(date +%s)
  fi
  running=0
  for pid in "${edge_pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
  [[ $running == 0 ]] && { echo "demo: every camera stopped (see $work/cam-*.log)" >&2; cameras_failed=1; break; }
  [[ $duration -gt 0 && $(( $(date +%s) - started )) -ge $duration ]] && break
  [[ $stopping == 1 ]] && break
  sleep 1
done

# 6b. Before stopping: does the control room still answer as a person would use it (its login
# page, a login, the hits and cameras the live pages load)?
control_room_answers() {
  local jar="$work/cookies" csrf
  curl -sf -o /dev/null "${url%/}/login" || return 1
  csrf=$(curl -sf -c "$jar" -H 'Content-Type: application/json' -H "Origin: ${url%/}" \
    -d "{\"username\":\"demo\",\"password\":\"$password\"}" "${url%/}/api/login" | sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p')
  [[ -n $csrf ]] || return 1
  curl -sf -b "$jar" -o /dev/null "${url%/}/api/hits?limit=1" && curl -sf -b "$jar" -o /dev/null "${url%/}/api/cameras"
}
control_room_ok=1
if command -v curl >/dev/null; then
  if control_room_answers; then
    say "control room answered after $(( $(date +%s) - started )) s (login page, login, hits, cameras)"
  else
    echo "demo: the control room at $url did not answer after $(( $(date +%s) - started )) s (see $work/receiver.log)" >&2
    control_room_ok=0
  fi
fi
stop_all

# 7. Summary against the known plates of every video a camera played to its end (the one it was
# playing when stopped is left out: its later vehicles never came).
say "summary"
total=0; read_right=0; known_reads=0
for site in "${sites[@]}"; do
  camera=${site%%,*}
  played=$(( $(openings "$camera") - 1 ))
  plates=$(for ((opening = 1; opening <= played; opening++)); do
    # The passes file of this opening: the last one installed for it or before.
    csv=$(awk -v o="$opening" '$1 <= o { f = $2 } END { print f }' "$work/$camera.playlist")
    [[ -n $csv ]] && tail -n +2 "$work/$csv" | cut -d, -f1
  done | sort -u)
  for plate in $plates; do
    total=$((total + 1))
    n=$(sqlite3 "$db" "SELECT COUNT(*) FROM reads WHERE camera_id = '$camera' AND plate = '$plate' AND received_at >= $run_started_ms")
    if [[ $n -ge 1 ]]; then read_right=$((read_right + 1)); else echo "  missed $plate at $camera"; fi
  done
done
reads=$(sqlite3 "$db" "SELECT COUNT(*) FROM reads WHERE received_at >= $run_started_ms")
hits=$(sqlite3 "$db" "SELECT COUNT(*) FROM hits WHERE created_at >= $run_started_ms")
late_hits=$(sqlite3 "$db" "SELECT COUNT(*) FROM hits WHERE created_at >= $(( (started + 60) * 1000 ))")
echo "vehicles in videos played to their end: $total   read right: $read_right   missed: $((total - read_right))"
echo "reads: $reads (a vehicle of a video played again is read again)   hits: $hits ($late_hits after the first minute)"
echo "logs, database and videos: $work"
echo "control room (stopped now): $url"
[[ $reads -gt 0 ]] || { echo "demo: no reads flowed (see the logs in $work)" >&2; exit 1; }
[[ $cameras_failed == 0 && $control_room_ok == 1 ]] || exit 1
