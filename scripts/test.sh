#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the whole suite with ctest.
# Under CI (CI=true) warnings are errors. Extra arguments go to ctest (e.g. -L reader).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The browser tests' driver (puppeteer-core; the browsers themselves are Debian packages).
if [ ! -d tests/browser/node_modules/puppeteer-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
preset=default
[ "${CI:-}" = "true" ] && preset=ci
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
