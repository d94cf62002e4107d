#!/usr/bin/env bash
# Checks that every C++ file the repository tracks is formatted as .clang-format says (the Debian 12
# clang-format, 14). CI runs it; `scripts/check-format.sh --fix` formats the files in place.
# Exits 1 and names the files and lines that differ.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  --fix) mode=(-i) ;;
  "") mode=(--dry-run -Werror) ;;
  -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "check-format.sh: unknown option '$1' (use --fix or nothing)" >&2; exit 2 ;;
esac
command -v clang-format >/dev/null || { echo "check-format.sh: clang-format is not installed (apt-get install clang-format)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
if ! clang-format "${mode[@]}" "${files[@]}"; then
  echo "check-format.sh: the files above are not formatted; run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format.sh: ${#files[@]} files formatted as .clang-format says"
