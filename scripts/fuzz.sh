#!/usr/bin/env bash
# Fuzzes every parser of outside bytes (fuzz/: MQTT message codec, CSV imports, spool files, config
# files) with libFuzzer under address and undefined-behaviour sanitizers. Builds the targets in
# build-fuzz/ with clang, runs each for a while from its seed corpus (fuzz/corpus/<target>/, from
# the tests; what the run finds is kept in build-fuzz/corpus/, not in the repository) and prints
# the inputs each tried. Exits 1 on any crash, leak or sanitizer finding (the input is saved in
# build-fuzz/findings/).
#
# Usage: scripts/fuzz.sh [--seconds S] [--target NAME]   (default 60 s per target; CI: 20)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
only=
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --target) only=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "fuzz: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
command -v clang++ >/dev/null || { echo "fuzz: needs clang (scripts/install-deps.sh)" >&2; exit 1; }
targets=(fuzz_message_codec fuzz_csv_import fuzz_spool_file fuzz_config fuzz_mqtt_wire)
[[ -n $only ]] && targets=("$only")
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DANPR_FUZZ=ON \
  -DANPR_BUILD_TESTS=OFF -DANPR_BUILD_RECEIVER=OFF -DANPR_BUILD_TOOLS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]}"
mkdir -p build-fuzz/findings
failed=0
for t in "${targets[@]}"; do
  seeds=fuzz/corpus/${t#fuzz_}
  corpus=build-fuzz/corpus/${t#fuzz_}
  mkdir -p "$corpus"
  log=build-fuzz/$t.log
  echo "fuzz: $t for $seconds s..."
  if build-fuzz/bin/"$t" "$corpus" "$seeds" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix=build-fuzz/findings/"$t"- -print_final_stats=1 > "$log" 2>&1; then
    runs=$(grep -m1 '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "fuzz: $t: ${runs:-?} inputs, no finding"
  else
    failed=1
    echo "fuzz: $t FOUND A FAULT; the input is in build-fuzz/findings/, the report in $log:" >&2
    grep -E 'ERROR|SUMMARY|runtime error|deadly signal' "$log" | head -5 >&2
  fi
done
exit $failed
