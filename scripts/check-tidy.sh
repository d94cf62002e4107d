#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy's checks) over every source file of the programs and libraries
# (common/, edge/, receiver/; not the tests) with the compile commands of a configured build.
# CI runs it after the build; any finding fails it. About 7 minutes on 2 cores.
# Usage: scripts/check-tidy.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
build=${1:-build}
[ -f "$build/compile_commands.json" ] || { echo "check-tidy.sh: no $build/compile_commands.json; configure a build first (cmake --preset default)" >&2; exit 2; }
command -v run-clang-tidy >/dev/null || { echo "check-tidy.sh: clang-tidy is not installed (apt-get install clang-tidy)" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Boost 1.74's Asio looks for <experimental/coroutine> under clang, which libstdc++ 12 lacks; the
# C++20 <coroutine> is there, and GCC (which builds the code) uses it.
asio_coroutines=(-extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT=1 -extra-arg=-DBOOST_ASIO_HAS_STD_COROUTINE=1)
if ! run-clang-tidy -p "$build" -j "$(nproc)" -quiet "${asio_coroutines[@]}" "$PWD/(common|edge|receiver)/" >"$log" 2>&1; then
  grep -E 'warning:|error:' "$log" | sed 's/\x1b\[[0-9;]*m//g' | sort -u >&2 || cat "$log" >&2
  echo "check-tidy.sh: clang-tidy found the above" >&2
  exit 1
fi
echo "check-tidy.sh: $(grep -c '^clang-tidy' "$log" || true) files clean under .clang-tidy"
