#!/usr/bin/env bash
# Installs the Debian packages of a package list that are not installed yet.
# Usage: scripts/install-deps.sh [LIST] [PREFIX]
#   LIST   defaults to scripts/debian-packages.txt
#   PREFIX keeps only lines starting with "PREFIX:" (used for the cross list's "host:" lines)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list=${1:-$here/debian-packages.txt}
prefix=${2:-}

read_list() {
  sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$list" | grep -v '^$' |
    if [ -n "$prefix" ]; then sed -n "s/^$prefix:[[:space:]]*//p"; else cat; fi
}

missing=()
for pkg in $(read_list); do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing Debian packages: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
