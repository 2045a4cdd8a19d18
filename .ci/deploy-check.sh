#!/usr/bin/env bash
# Checks the deploy artifacts that `go test` cannot see:
#   (a) deploy/systemd/flarewarden.service: `systemd-analyze verify` (strict:
#       any warning about the unit fails, since a misspelt directive is only a
#       warning to systemd and would silently drop a sandbox setting), and a
#       ceiling on `systemd-analyze security`'s exposure score;
#   (b) deploy/docker: the binary built from exactly what the Dockerfile copies,
#       with exactly its flags, is static and runs `version` and
#       `config validate` as uid 65532 (the image's user) with the image's
#       ENV lines and compose.yaml's environment; compose.yaml is validated
#       against the Compose specification;
#   (c) `docker build`, when a Docker engine is reachable.
# Usage: bash .ci/deploy-check.sh   (as root in CI; installs what it misses.)
# Idempotent: throwaway files go to a temp dir removed on exit; the compose
# validator and Go's build cache are kept under $HOME/.cache.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

cache="$HOME/.cache/flarewarden-deploy-check"
mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# uid 65532 must reach the binary, config and token inside it.
chmod 0755 "$work"

start=$SECONDS
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

apt_updated=
need() { # need COMMAND|/ABSOLUTE/PATH DEBIAN_PACKAGE
  case $1 in
    /*) [ -x "$1" ] && return ;; # e.g. /bin/kill: `command -v kill` is the shell builtin
    *) command -v "$1" >/dev/null 2>&1 && return ;;
  esac
  [ "$(id -u)" = 0 ] || fail "$1 is missing: install the Debian package $2"
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2"
}

unit=deploy/systemd/flarewarden.service
dockerfile=deploy/docker/Dockerfile
bin_path=/usr/local/bin/flarewarden # where the unit expects the binary
# The build line the Dockerfile must carry; step (b) builds with the same flags.
build_line='RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/flarewarden ./cmd/flarewarden'
version=deploy-check

step "tools"
need systemd-analyze systemd
need setpriv util-linux
need ldd libc-bin
need readelf binutils
need /bin/kill procps # the unit's ExecReload runs it; verify checks that it exists
go version

# --- (b, first half) build the binary exactly as the image does --------------
# Built before (a) so that verify checks the unit against the real binary.
step "docker context: the files the Dockerfile copies, filtered by its .dockerignore"
grep -qFx "$build_line" "$dockerfile" ||
  fail "$dockerfile no longer has the expected build line (update this script with it): $build_line"
# Emulate the build context: the .dockerignore is "*", then "!path" includes,
# then "**/pattern" excludes; anything else is a form this emulation lacks.
ctx=$work/context
mkdir -p "$ctx"
while IFS= read -r line; do
  case $line in
    '' | '#'*) ;;
    '*') ;;
    '!'*) p=${line#!}; p=${p%/}
      [ -e "$p" ] || fail "$dockerfile.dockerignore includes $p, which does not exist"
      mkdir -p "$ctx/$(dirname "$p")"; cp -a "$p" "$ctx/$p" ;;
    '**/'*) p=${line#'**/'}; p=${p%/}
      find "$ctx" -name "$p" -prune -exec rm -rf {} + ;;
    *) fail "unsupported line in $dockerfile.dockerignore: $line" ;;
  esac
done <"$dockerfile.dockerignore"
# Emulate the builder stage's COPY lines (WORKDIR /src); every COPY source of
# either stage must be in the context, or `docker build` would fail.
src=$work/src
mkdir -p "$src"
stage=0
while read -r kw args; do
  case $kw in
    FROM) stage=$((stage + 1)) ;;
    COPY)
      case $args in --from=*) continue ;; esac
      read -r -a parts <<<"$args"
      dest=${parts[-1]}; unset 'parts[-1]'
      for s in "${parts[@]}"; do
        [ -e "$ctx/$s" ] || fail "$dockerfile copies $s, which the build context (after .dockerignore) lacks"
        [ "$stage" = 1 ] || continue
        case $dest in */) ;; *) fail "builder-stage COPY destinations must end in /: $dest" ;; esac
        mkdir -p "$src/$dest"
        if [ -d "$ctx/$s" ]; then cp -a "$ctx/$s/." "$src/$dest"; else cp -a "$ctx/$s" "$src/$dest"; fi
      done ;;
  esac
done < <(sed -n 's/^\(FROM\|COPY\) /&/p' "$dockerfile")
echo "context ok: $(find "$ctx" -type f | wc -l) files; builder sees $(find "$src" -type f | wc -l)"

# The final stage's ENV lines (KEY=VALUE or KEY VALUE; no quoting, no line
# continuations: this parser refuses them): the environment every container of
# the image starts with. The runs below, and the Kubernetes e2e (which runs the
# kustomize and Helm configs with it), use exactly these.
image_env=()
while read -r kw rest; do
  case $kw in
    FROM) image_env=() ;; # a new stage starts with none
    ENV)
      case $rest in *'"'* | *"'"* | *'\' | *'$'*) fail "$dockerfile: unsupported ENV form (quotes, \\ or \$): ENV $rest" ;; esac
      if [[ $rest == *=* ]]; then
        read -r -a kv <<<"$rest"; image_env+=("${kv[@]}")
      else
        image_env+=("${rest%% *}=${rest#* }")
      fi ;;
  esac
done <"$dockerfile"
echo "image ENV: ${image_env[*]:-(none)}"

step "build: static binary with the Dockerfile's flags"
bindir=$work/bin
mkdir -p "$bindir"
bin=$bindir/flarewarden
# GOFLAGS/GOWORK cleared: the golang image sets neither.
(cd "$src" && env GOFLAGS= GOWORK=off CGO_ENABLED=0 \
  go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$bin" ./cmd/flarewarden)
chmod 0755 "$bindir" "$bin"
ls -l "$bin"
if ldd "$bin" >/dev/null 2>&1; then ldd "$bin"; fail "the binary is dynamically linked"; fi
echo "ldd: $(ldd "$bin" 2>&1 || true)"
if readelf -lW "$bin" | grep -q INTERP; then fail "the binary has an ELF interpreter (dynamic)"; fi
buildinfo=$(go version -m "$bin" | grep -P "^\tbuild\t")
for want in 'CGO_ENABLED=0' '-trimpath=true'; do
  grep -qF -- "$want" <<<"$buildinfo" || { echo "$buildinfo"; fail "build info lacks $want"; }
done
# -trimpath keeps -ldflags out of the build info, so check their effect: -s -w
# leave no symbol table and no DWARF (main.version is checked by `version`).
if readelf -SW "$bin" | grep -qE '\.symtab|\.debug_'; then fail "the binary has symbols or DWARF: -s -w missing"; fi
echo "static, CGO_ENABLED=0, -trimpath, stripped (-s -w)"

# --- (a) systemd ---------------------------------------------------------------
step "systemd: systemd-analyze verify $unit"
# A private root holding the system's units (for the targets the unit names),
# the unit itself, and the binary at the path the unit runs: the unit is
# verified exactly as written, no paths rewritten.
root=$work/root
mkdir -p "$root/etc/systemd/system" "$root/usr/lib/systemd" "$root$(dirname "$bin_path")"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$bin" "$root$bin_path"
# ExecReload's kill(1), so that verify checks that command line too.
mkdir -p "$root/bin" && cp /bin/kill "$root/bin/kill" # from procps
verify() { # verify UNIT_FILE: prints systemd's complaints; fails on any
  cp "$1" "$root/etc/systemd/system/flarewarden.service"
  local out rc=0
  out=$(systemd-analyze verify --root="$root" flarewarden.service 2>&1) || rc=$?
  # Complaints about other units (a host's own broken units) are not ours.
  out=$(grep -F flarewarden <<<"$out" || true)
  [ -n "$out" ] && printf '%s\n' "$out"
  [ "$rc" = 0 ] && [ -z "$out" ]
}
verify "$unit" || fail "systemd-analyze verify complains about $unit"
echo "verify ok"
# The check itself must catch typos: systemd only warns about them, exit 0.
sed 's/^ProtectHome=/ProtectHme=/' "$unit" >"$work/typo.service"
cmp -s "$unit" "$work/typo.service" && fail "canary: $unit has no ProtectHome= line to misspell"
if verify "$work/typo.service" >/dev/null; then fail "canary: verify accepted a misspelt directive"; fi
echo "canary ok: a misspelt directive (ProtectHme=) is caught"
# The commented-out server.token_file credential lines must be valid when a user enables them.
sed 's/^#\(LoadCredential=reconcile_token:\|Environment=FLAREWARDEN_SERVER_TOKEN_FILE=\)/\1/' "$unit" >"$work/reconcile.service"
[ "$(diff "$unit" "$work/reconcile.service" | grep -c '^>')" = 2 ] ||
  fail "$unit lacks the two commented server.token_file credential lines this check enables"
verify "$work/reconcile.service" || fail "systemd-analyze verify complains about $unit with the server.token_file credential enabled"
echo "verify ok with the server.token_file credential lines enabled"

step "systemd: sandbox exposure (systemd-analyze security)"
cp "$unit" "$root/etc/systemd/system/flarewarden.service"
# The unit scores 1.4; fail above 2.0 (threshold is in tenths) so that a
# dropped hardening line is noticed.
out=$(systemd-analyze security --offline=true --root="$root" --threshold=20 flarewarden.service 2>&1) ||
  { printf '%s\n' "$out"; fail "the unit's exposure rose above 2.0"; }
tail -n 1 <<<"$out"

# --- (b, second half) run as the image's user ------------------------------------
step "run as uid 65532: version, config validate"
[ "$(id -u)" = 0 ] || fail "run as root: this step drops to uid 65532 with setpriv"
mkdir -p "$work/secrets"
printf 'dummy-token' >"$work/secrets/cloudflare_token"
cp deploy/docker/config.yaml "$work/config.yaml"
chmod 0644 "$work/config.yaml"
# As compose.yaml tells users: the token file owned by 65532, mode 0600.
chown 65532:65532 "$work/secrets/cloudflare_token"
chmod 0600 "$work/secrets/cloudflare_token"
# compose.yaml's environment for the service, its token path moved under $work.
grep -qE '^ +CLOUDFLARE_API_TOKEN_FILE: /run/secrets/cloudflare_token$' deploy/docker/compose.yaml ||
  fail "compose.yaml no longer sets CLOUDFLARE_API_TOKEN_FILE: /run/secrets/cloudflare_token (its secret's path): update this check"
as65532() { # the container's conditions: uid/gid 65532, no groups, no
  # capabilities, no new privileges, and only the image's environment
  # (its ENV lines, then compose.yaml's environment).
  (cd "$work" && setpriv --reuid=65532 --regid=65532 --clear-groups \
    --inh-caps=-all --bounding-set=-all --no-new-privs \
    env -i PATH=/usr/bin:/bin HOME=/nonexistent "${image_env[@]}" \
    CLOUDFLARE_API_TOKEN_FILE="$work/secrets/cloudflare_token" "$@")
}
[ "$(as65532 id -u)" = 65532 ] || fail "setpriv did not switch to uid 65532"
out=$(as65532 "$bin" version) || fail "version failed as uid 65532"
echo "$out"
grep -q "^flarewarden $version " <<<"$out" || fail "version does not print the -X main.version value"
as65532 "$bin" config validate --config "$work/config.yaml" >"$work/validate.out" ||
  { cat "$work/validate.out"; fail "config validate deploy/docker/config.yaml failed as uid 65532"; }
head -n 1 "$work/validate.out"
grep -q 'redacted' "$work/validate.out" || fail "validate output shows no redacted token"
# Negative checks, so the passes above mean something: a token the user cannot
# read, and an invalid config, must both fail with exit 1 (ExecStartPre relies
# on that to stop a broken service from starting).
chown 0:0 "$work/secrets/cloudflare_token"
rc=0; as65532 "$bin" config validate --config "$work/config.yaml" >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "validate with an unreadable token exited $rc, want 1"
chown 65532:65532 "$work/secrets/cloudflare_token"
# server.token_file is read by `run` at start: validate must read it too, as
# the service's user (a root-only file would otherwise be a restart loop).
printf 'reconcile-token' >"$work/secrets/reconcile_token"
chmod 0600 "$work/secrets/reconcile_token"
sed -i "s#^server:\$#&\n  token_file: $work/secrets/reconcile_token\n  require_token: true#" "$work/config.yaml"
grep -q "token_file: $work/secrets/reconcile_token" "$work/config.yaml" || fail "could not add server.token_file to the config"
rc=0; out=$(as65532 "$bin" config validate --config "$work/config.yaml" 2>&1) || rc=$?
[ "$rc" = 1 ] && grep -q 'server.token_file' <<<"$out" ||
  { printf '%s\n' "$out"; fail "validate with a root-only server.token_file exited $rc, want 1 naming server.token_file"; }
chown 65532:65532 "$work/secrets/reconcile_token"
as65532 "$bin" config validate --config "$work/config.yaml" >/dev/null ||
  fail "validate with a readable server.token_file and require_token failed"
printf 'bogus_key: 1\n' >>"$work/config.yaml"
rc=0; as65532 "$bin" config validate --config "$work/config.yaml" >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "validate of an invalid config exited $rc, want 1"
echo "unreadable API token, root-only server.token_file and unknown key all exit 1"

step "compose: deploy/docker/compose.yaml against the Compose specification"
# compose-go is the loader Docker Compose itself uses; a tiny throwaway module
# wraps it, built once and cached (no Docker Compose needed on the machine).
cc_version=v2.16.2
cc=$cache/compose-check-$cc_version
if [ ! -x "$cc" ]; then
  m=$work/compose-check
  mkdir -p "$m"
  cat >"$m/main.go" <<'EOF'
// compose-check loads a compose file as Docker Compose does (schema,
// interpolation, consistency) and exits 1 with the error if it is invalid.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	opts, err := cli.NewProjectOptions(os.Args[1:], cli.WithConsistency(true))
	if err == nil {
		_, err = opts.LoadProject(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
EOF
  (cd "$m" && env GOFLAGS= GOWORK=off go mod init compose-check >/dev/null 2>&1 &&
    env GOFLAGS= GOWORK=off go get "github.com/compose-spec/compose-go/v2@$cc_version" >/dev/null 2>&1 &&
    env GOFLAGS= GOWORK=off go mod tidy >/dev/null 2>&1 &&
    env GOFLAGS= GOWORK=off go build -o "$cc.tmp" .) || fail "could not build the compose validator"
  mv "$cc.tmp" "$cc"
fi
# Loaded from a copy with a placeholder token file beside it, as a user has.
cdir=$work/compose
mkdir -p "$cdir"
cp deploy/docker/compose.yaml deploy/docker/config.yaml "$cdir/"
printf 'dummy-token' >"$cdir/cloudflare_token"
"$cc" "$cdir/compose.yaml" || fail "compose.yaml is invalid"
sed 's/^\( *\)cap_drop:/\1cap_dorp:/' "$cdir/compose.yaml" >"$cdir/typo.yaml"
if "$cc" "$cdir/typo.yaml" >/dev/null 2>&1; then fail "canary: the compose validator accepted cap_dorp"; fi
echo "compose.yaml ok; canary ok: a misspelt key (cap_dorp) is caught"

# --- (c) docker ----------------------------------------------------------------------
step "docker build"
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  docker build -f "$dockerfile" --build-arg VERSION="$version" -t flarewarden:deploy-check .
  docker run --rm --read-only --cap-drop ALL --security-opt no-new-privileges:true \
    flarewarden:deploy-check version
else
  echo "skipped: no Docker engine is reachable here (docker info fails); steps above cover the build flags, context and user"
fi

step "deploy-check passed in $((SECONDS - start))s"
