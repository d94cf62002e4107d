#!/usr/bin/env bash
# The README's demo: installs what is missing, builds, generates UK plate images with known
# text and reads them with anpr-edge recognize, showing each read beside the truth.
# (The full system demo with broker, receiver and cameras arrives with the end-to-end issue.)
# Usage: scripts/demo.sh [--count N] [--seed S]
set -euo pipefail
cd "$(dirname "$0")/.."
count=6
seed=2026
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/bin/anpr-synth plates --count "$count" --seed "$seed" --out "$work" --width 1280 --height 720 >/dev/null
echo "Generated $count UK plate scenes (seed $seed); reading them with anpr-edge recognize:"
echo
printf '%-14s %-10s %-10s %-6s %s\n' IMAGE TRUTH READ CONF RESULT
right=0
while IFS=, read -r image truth _; do
  [ "$image" = image ] && continue
  line=$(build/bin/anpr-edge recognize --json "$work/$image")
  read_text=$(jq -r '.plates[0].text // ""' <<<"$line")
  conf=$(jq -r '.plates[0].confidence // "-"' <<<"$line")
  result=miss
  [ "$read_text" = "$truth" ] && { result=ok; right=$((right + 1)); }
  printf '%-14s %-10s %-10s %-6s %s\n' "$image" "$truth" "${read_text:-(none)}" "${conf:--}" "$result"
done < "$work/manifest.csv"
echo
echo "$right of $count read exactly."
