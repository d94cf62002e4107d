#!/usr/bin/env bash
# Builds a target sysroot for cross-compiling the edge firmware from Debian's own packages.
# Usage: scripts/make-sysroot.sh aarch64|armhf [DIR]
# DIR defaults to /var/cache/anpr-sysroot/<arch>; it lives outside the work tree so that later
# builds and CI reuse it. It is rebuilt only when the target package list changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: make-sysroot.sh aarch64|armhf [DIR]}
case "$target" in
  aarch64) debarch=arm64; triplet=aarch64-linux-gnu ;;
  armhf)   debarch=armhf; triplet=arm-linux-gnueabihf ;;
  *) echo "make-sysroot.sh: unknown target '$target' (use aarch64 or armhf)" >&2; exit 2 ;;
esac
dir=${2:-/var/cache/anpr-sysroot/$target}
list=$here/debian-packages-cross.txt
packages=$(sed -n 's/^target:[[:space:]]*//p' "$list" | sed 's/[[:space:]]*#.*//' | paste -sd, -)
stamp="$dir/.anpr-sysroot-packages"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$packages" ]; then
  echo "sysroot $dir is up to date"
  exit 0
fi

"$here/install-deps.sh" "$list" host
echo "Building $debarch sysroot in $dir (target libraries from $list)"
rm -rf "$dir.tmp"
mkdir -p "$(dirname "$dir")"

# Use the host's own Debian sources, so the sysroot matches the host's release and mirror.
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && grep -qs '/debian' "$f" && sources+=("$f")
done
[ ${#sources[@]} -gt 0 ] || { echo "make-sysroot.sh: no Debian apt sources found on this machine" >&2; exit 1; }

# A package mirror can be caught mid-sync (index size mismatch): try again after a pause, and
# last of all without the security suite (a build sysroot only needs headers and ABI-stable
# libraries; the camera itself installs the package with its own, current dependencies).
without_security() {
  local out=$1; shift
  : > "$out"
  for f in "$@"; do
    case "$f" in
      *.sources) awk -v RS= -v ORS='\n\n' '!/-security/' "$f" >> "$out" ;;
      *) grep -v -- '-security' "$f" >> "$out" || true ;;
    esac
  done
}
built=no
for attempt in 1 2 3 4; do
  rm -rf "$dir.tmp"
  use=("${sources[@]}")
  if [ "$attempt" -eq 4 ]; then
    echo "make-sysroot.sh: last attempt without the security suite" >&2
    filtered=$(mktemp --suffix=.sources)
    without_security "$filtered" "${sources[@]}"
    use=("$filtered")
  fi
  if mmdebstrap --quiet --variant=extract --architectures="$debarch" --include="$packages" \
       bookworm "$dir.tmp" "${use[@]}"; then
    built=yes
    break
  fi
  [ "$attempt" -lt 4 ] && { echo "make-sysroot.sh: mmdebstrap failed (attempt $attempt); retrying in 20 s" >&2; sleep 20; }
done
[ "$built" = yes ] || { echo "make-sysroot.sh: mmdebstrap failed 4 times (see above)" >&2; exit 1; }

# Fix-ups so the extracted tree works as a sysroot:
# 1. absolute symlinks point into the host's /; make them relative to the sysroot.
find "$dir.tmp" -type l -lname '/*' | while read -r link; do
  dest=$(readlink "$link")
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$dir.tmp$dest")" "$link"
done
# 2. BLAS/LAPACK come through update-alternatives, which does not run in an extract: link by hand.
libdir="$dir.tmp/usr/lib/$triplet"
for lib in blas lapack; do
  if [ ! -e "$libdir/lib$lib.so.3" ]; then
    impl=$(find "$libdir" -path "*/lib$lib.so.3" | head -n 1)
    [ -n "$impl" ] && ln -sfn "$(realpath --relative-to="$libdir" "$impl")" "$libdir/lib$lib.so.3"
  fi
done

echo "$packages" > "$dir.tmp/.anpr-sysroot-packages"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "sysroot ready: $dir"
