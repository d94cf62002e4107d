#!/usr/bin/env bash
# Builds the Debian packages of a build folder with CPack and checks their control fields.
# Usage: scripts/package.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
rm -f "$dir"/*.deb
(cd "$dir" && cpack -G DEB >/dev/null)
status=0
for deb in "$dir"/*.deb; do
  arch=$(dpkg-deb -f "$deb" Architecture)
  depends=$(dpkg-deb -f "$deb" Depends)
  echo "$(basename "$deb"): Architecture=$arch"
  echo "  Depends: $depends"
  case "$(basename "$deb")" in
    *_"$arch".deb) ;;
    *) echo "package.sh: $deb: file name and Architecture ($arch) disagree" >&2; status=1 ;;
  esac
  [ -n "$depends" ] || { echo "package.sh: $deb has no Depends" >&2; status=1; }
  dpkg-deb -c "$deb" | awk '{print "  " $6}' | grep -v '/$' || true
  # Config files hold passwords: never world-readable.
  if dpkg-deb -c "$deb" | awk '$6 ~ /^\.\/etc\/anpr\/.*\.toml$/ && $1 != "-rw-r-----" {found=1} END {exit !found}'; then
    echo "package.sh: $deb installs a config file readable by everyone (want -rw-r-----)" >&2
    status=1
  fi
done
exit $status
