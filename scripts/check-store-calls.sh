#!/usr/bin/env bash
# Checks that the receiver's front ends (receiver/src/web, receiver/src/cli and the web headers)
# reach storage only through the services (receiver/src/services and the domain folders' services):
# no call of a Store method on a variable named for a store (store, store_, web_store, ...). The
# method names are read from store.hpp, so a method added there is checked too. CI runs it;
# `--self-test` shows that it finds a planted call. Exits 1 and names each call it finds.
set -euo pipefail
cd "$(dirname "$0")/.."

# Files that may still call Store themselves, each with why. None: the live feed, the last
# one, is pushed to by ingest and the other parts that store changes (issue 22, step 3).
allowed=()

store_methods() {
  grep -oP '\bvirtual\b[^(;]*?\b\K[a-z_0-9]+(?=\()' receiver/include/anpr/receiver/store/store.hpp |
    sort -u | paste -sd'|'
}

# Prints file:line: text for each Store call in the files under the folders given.
find_calls() {
  local methods
  methods=$(store_methods)
  [ -n "$methods" ] || { echo "check-store-calls.sh: no Store methods found in store.hpp" >&2; exit 2; }
  grep -rnP --include='*.cpp' --include='*.hpp' \
    "\(?\*?\b\w*[sS]tore\w*\)?\s*(\.|->)\s*($methods)\s*\(" "$@" |
    grep -vP '^[^:]+:\d+:\s*//' || true
}

self_test() {
  local dir
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  printf '%s\n' 'void f(Store& store_) {' '  store_.audit({});' '  web_store->users();' \
    '  // store_.audit(...) in a comment is fine' '  list_cameras(store_);' '}' >"$dir/planted.cpp"
  local found
  found=$(find_calls "$dir")
  if [ "$(wc -l <<<"$found")" -ne 2 ] || ! grep -q 'store_.audit' <<<"$found" || ! grep -q 'users()' <<<"$found"; then
    echo "check-store-calls.sh: self-test failed; the planted calls found were:" >&2
    echo "$found" >&2
    exit 1
  fi
  echo "check-store-calls.sh: self-test found both planted Store calls and nothing else"
}

case "${1:-}" in
  --self-test) self_test; exit 0 ;;
  "") ;;
  -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "check-store-calls.sh: unknown option '$1' (use --self-test or nothing)" >&2; exit 2 ;;
esac

calls=$(find_calls receiver/src/web receiver/src/cli receiver/include/anpr/receiver/web)
for file in "${allowed[@]}"; do calls=$(grep -v "^$file:" <<<"$calls" || true); done
if [ -n "$calls" ]; then
  echo "$calls"
  echo "check-store-calls.sh: web/ and cli/ call Store above; go through a service (docs/architecture.md, services/)" >&2
  exit 1
fi
echo "check-store-calls.sh: web/ and cli/ reach the store only through services (${#allowed[@]} file(s) allowed)"
