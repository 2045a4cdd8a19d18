#!/usr/bin/env bash
# Peak RSS of a one-shot pass of 10 names: builds the release binary, starts
# `flarewarden sim` on loopback and runs `reconcile` three times (the first
# creates the 10 records, the others find nothing to do) under
# /usr/bin/time -v (Debian package `time`), printing each peak.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'kill "$sim" 2>/dev/null || true; rm -rf "$dir"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$dir/flarewarden" ./cmd/flarewarden
"$dir/flarewarden" sim --listen 127.0.0.1:0 >"$dir/sim.out" &
sim=$!
for _ in $(seq 50); do grep -q listening "$dir/sim.out" && break; sleep 0.1; done
api=$(awk '/listening/ { print $NF; exit }' "$dir/sim.out")
{
  printf 'cloudflare: {api_base_url: "%s"}\n' "$api"
  printf 'detect: {ipv4: {sources: ["static:203.0.113.7"], quorum: 1}}\nrecords:\n'
  for i in $(seq 10); do printf '  - {name: h%d.example.com}\n' "$i"; done
} >"$dir/config.yaml"
for run in 1 2 3; do
  CLOUDFLARE_API_TOKEN=sim-token /usr/bin/time -v "$dir/flarewarden" reconcile --config "$dir/config.yaml" \
    >/dev/null 2>"$dir/time.out"
  awk -v run="$run" '/Maximum resident set size/ { printf "pass %d: peak RSS %.1f MiB\n", run, $NF / 1024 }' "$dir/time.out"
done
