#!/usr/bin/env bash
# Release build: static, stripped, reproducible binaries of cmd/flarewarden for
# the platforms home servers and routers run, their archives and SHA256SUMS.
#
# Usage: bash .ci/release.sh [OUTDIR]          (default OUTDIR: dist)
#   PLATFORMS="linux/amd64 linux/arm/v7"  builds a subset (default: all below)
#   VERSION=v1.2.3                        overrides `git describe --tags --always --dirty`
#
# OUTDIR gets, per platform P (os_arch, os_armv7...):
#   flarewarden_<version>_<P>.tar.gz (.zip for windows): the binary, README.md,
#     CHANGELOG.md and LICENSE when present, at the archive's root;
#   bin/<P>/flarewarden[.exe]: the bare binary (what .ci/oci packs into images);
#   SHA256SUMS: of the archives.
# Reproducible: the same commit and Go version give the same bytes (no build
# paths, no build ID, no VCS stamp, archive times from the commit's date).
# Every ELF binary is checked to be static (no interpreter, no DT_NEEDED).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}

all="linux/amd64 linux/arm64 linux/arm/v7 linux/arm/v6 linux/386 linux/riscv64 linux/mipsle
  freebsd/amd64 darwin/arm64 windows/amd64"
platforms=${PLATFORMS:-$all}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
# Archive entry times: the commit's, so that archives do not depend on when they were built.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# static ELF: no program interpreter and no needed shared library.
check_static() {
  command -v readelf >/dev/null || fail "readelf is missing (Debian package binutils)"
  if readelf -lW "$1" | grep -q INTERP; then fail "$1 has an ELF interpreter (dynamic)"; fi
  if readelf -dW "$1" | grep -q NEEDED; then fail "$1 needs shared libraries"; fi
}

mkdir -p "$out/bin"
out=$(cd "$out" && pwd)
rm -f "$out/SHA256SUMS"
docs=()
for f in README.md CHANGELOG.md LICENSE; do [ -f "$f" ] && docs+=("$f"); done

for p in $platforms; do
  IFS=/ read -r os arch variant <<<"$p"
  env=(GOOS="$os" GOARCH="$arch")
  case $arch/$variant in
    arm/v6 | arm/v7) env+=(GOARM="${variant#v}") ;;
    arm/*) fail "$p: give arm's variant, v6 or v7" ;;
    mipsle/ | mips/) env+=(GOMIPS=softfloat) ;; # OpenWrt's routers have no FPU
    */) ;;
    *) fail "$p: unknown variant $variant" ;;
  esac
  name=${os}_$arch$variant
  exe=flarewarden
  [ "$os" = windows ] && exe=flarewarden.exe
  dir=$out/bin/$name
  mkdir -p "$dir"
  env "${env[@]}" CGO_ENABLED=0 GOFLAGS= GOWORK=off go build -trimpath -buildvcs=false \
    -ldflags "-s -w -buildid= -X main.version=$version" -o "$dir/$exe" ./cmd/flarewarden
  case $os in linux | freebsd) check_static "$dir/$exe" ;; esac

  stage=$(mktemp -d)
  cp "$dir/$exe" "${docs[@]}" "$stage/"
  chmod 0755 "$stage/$exe"
  touch -d "@$epoch" "$stage"/*
  archive=flarewarden_${version}_$name
  if [ "$os" = windows ]; then
    command -v zip >/dev/null || fail "zip is missing (Debian package zip)"
    rm -f "$out/$archive.zip"
    (cd "$stage" && TZ=UTC zip -q -X "$out/$archive.zip" "$exe" "${docs[@]##*/}")
    archive=$archive.zip
  else
    tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
      -cf - "$exe" "${docs[@]##*/}" | gzip -n -9 >"$out/$archive.tar.gz"
    archive=$archive.tar.gz
  fi
  rm -rf "$stage"
  printf '%-28s %8d KiB  %s\n' "$p" $(($(stat -c %s "$dir/$exe") / 1024)) "$archive"
done

shopt -s nullglob
(cd "$out" && archives=(flarewarden_"${version}"_*.tar.gz flarewarden_"${version}"_*.zip) &&
  [ ${#archives[@]} -gt 0 ] && sha256sum -- "${archives[@]}" >SHA256SUMS)
echo "version $version; $(wc -l <"$out/SHA256SUMS") archives and SHA256SUMS in $out"
