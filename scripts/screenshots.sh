#!/usr/bin/env bash
# Remakes docs/screenshots/ from a real run: the Chromium browser test (tests/browser) drives the
# control room through a real broker and receiver and photographs each page as it goes. Nothing
# is drawn by hand; rerun after changing the pages and commit the pictures with the change.
# Needs a build (ANPR_BIN, default build/bin), mosquitto, chromium and `npm ci` in tests/browser.
# Usage: scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ANPR_BIN:-build/bin}
[[ -x $bin/anpr-receiver ]] || { echo "no $bin/anpr-receiver: build first (cmake --preset release && cmake --build build)" >&2; exit 1; }
[[ -d tests/browser/node_modules/puppeteer-core ]] || { echo "puppeteer-core missing: (cd tests/browser && npm ci)" >&2; exit 1; }
out=docs/screenshots
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "running the browser test (about 20 s) ..."
ANPR_BIN=$(realpath "$bin") ANPR_TEST_WORK=$work ANPR_SCREENSHOT_DIR=$work/shots \
  node tests/browser/control_room.test.mjs chromium > "$work/test.log" 2>&1 ||
  { cat "$work/test.log" >&2; echo "the browser test failed: no screenshots changed" >&2; exit 1; }
mkdir -p "$out"
rm -f "$out"/*.png
cp "$work"/shots/*.png "$out"/
echo "$(ls "$out"/*.png | wc -l) screenshots in $out:"
ls "$out"
