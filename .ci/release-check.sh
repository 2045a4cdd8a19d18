#!/usr/bin/env bash
# Checks the release machinery without publishing anything:
#   (a) .ci/release.sh builds linux/amd64, arm64, arm/v7, arm/v6 (each checked
#       static by release.sh itself) and SHA256SUMS matches the archives;
#   (b) no template engine executed by reflection in the binary, and
#       actionlint on .github/workflows;
#   (c) .ci/oci builds the image layout from those binaries, its index lists
#       exactly the four platforms, and the amd64 image's filesystem runs
#       `version` and `config validate` (its baked-in config, a dummy token)
#       chrooted as uid 65532, as the image's config says.
# Usage: bash .ci/release-check.sh   (as root for the chroot; else the binary
# runs from the extracted tree without it). Go's build cache is the default.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$HOME/.cache/flarewarden-tools"
mkdir -p "$tools"
export PATH="$tools:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
need() { # need COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 && return
  [ "$(id -u)" = 0 ] || fail "$1 is missing: install the Debian package $2"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2"
}
need readelf binutils
[ -f /etc/ssl/certs/ca-certificates.crt ] || need update-ca-certificates ca-certificates

step "release.sh: linux/amd64 linux/arm64 linux/arm/v7 linux/arm/v6, static"
export VERSION=v0.0.0-ci SOURCE_DATE_EPOCH=0
PLATFORMS="linux/amd64 linux/arm64 linux/arm/v7 linux/arm/v6" bash .ci/release.sh "$work/dist"
(cd "$work/dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the archives"
[ "$(wc -l <"$work/dist/SHA256SUMS")" = 4 ] || fail "SHA256SUMS does not list 4 archives"
listing=$(tar -tzf "$work/dist/flarewarden_${VERSION}_linux_armv7.tar.gz")
grep -qx flarewarden <<<"$listing" ||
  fail "the armv7 archive lacks the binary at its root"

step "no template executed by reflection in the binary"
# text/template's executor (behind html/template too) looks methods up by
# name, which keeps every exported method of every linked type: +12 MiB.
# The status page is compiled by templ instead (README, Performance).
CGO_ENABLED=0 go build -trimpath -o "$work/full" ./cmd/flarewarden
if go tool nm "$work/full" | grep -q 'text/template\.(\*state)\.'; then
  fail "text/template's executor is linked into flarewarden: it makes the binary about 12 MiB larger"
fi

step "actionlint .github/workflows"
[ -x "$tools/actionlint" ] || GOBIN="$tools" GOFLAGS= go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
actionlint -version | head -n 1
actionlint .github/workflows/*.yml

step "OCI image: build, index platforms, run the amd64 image's filesystem"
(cd .ci/oci && GOFLAGS= GOWORK=off go build -o "$work/oci" .)
"$work/oci" build -bin "$work/dist/bin" -out "$work/layout" -version "$VERSION"
"$work/oci" check -layout "$work/layout"
# Same binaries, same layout: the image is reproducible too.
"$work/oci" build -bin "$work/dist/bin" -out "$work/layout2" -version "$VERSION" >/dev/null
cmp -s "$work/layout/index.json" "$work/layout2/index.json" || fail "two builds of the layout differ"
root=$work/root
"$work/oci" extract -layout "$work/layout" -platform linux/amd64 -dir "$root"
[ -s "$root/etc/ssl/certs/ca-certificates.crt" ] || fail "the image has no CA bundle"
grep -q '^nonroot:x:65532:65532:' "$root/etc/passwd" || fail "the image's /etc/passwd lacks nonroot 65532"
mkdir -p "$root/run/secrets"
printf 'dummy-token' >"$root/run/secrets/cloudflare_token"
in_image() { # the image's user and its filesystem only (chroot as root)
  if [ "$(id -u)" = 0 ]; then
    chown 65532:65532 "$root/run/secrets/cloudflare_token"
    env -i PATH=/usr/local/bin CLOUDFLARE_API_TOKEN_FILE=/run/secrets/cloudflare_token \
      "$(command -v chroot)" --userspec=65532:65532 "$root" /usr/local/bin/flarewarden "$@"
  else
    CLOUDFLARE_API_TOKEN_FILE="$root/run/secrets/cloudflare_token" "$root/usr/local/bin/flarewarden" "$@"
  fi
}
out=$(in_image version) || fail "the image's binary does not run"
echo "$out"
grep -q "^flarewarden $VERSION .* linux/amd64\$" <<<"$out" || fail "version does not say $VERSION linux/amd64"
if [ "$(id -u)" = 0 ]; then cfg=/etc/flarewarden/config.yaml; else cfg=$root/etc/flarewarden/config.yaml; fi
in_image config validate --config "$cfg" >"$work/validate.out" ||
  { cat "$work/validate.out"; fail "config validate of the image's config failed"; }
grep -q redacted "$work/validate.out" || fail "validate shows no redacted token"
echo "image runs: version, config validate (/etc/flarewarden/config.yaml)"
step "release-check passed"
