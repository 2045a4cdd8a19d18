#!/usr/bin/env bash
# Where flarewarden's bytes go: builds the linux/amd64 binary as the release
# does (static, stripped) and reports its size, then the code and read-only
# data of an unstripped build grouped by module (go tool nm; bss left out:
# it takes no bytes in the file), largest first.
# Usage: bash .ci/size-report.sh [N rows]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export CGO_ENABLED=0 GOOS=linux GOARCH=amd64
go build -trimpath -ldflags="-s -w" -o "$out/stripped" ./cmd/flarewarden
go build -trimpath -o "$out/full" ./cmd/flarewarden
size=$(stat -c %s "$out/stripped")
printf 'stripped linux/amd64 binary: %d bytes (%d.%d MiB)\n\n' "$size" $((size / 1048576)) $((size % 1048576 * 10 / 1048576))
mods=$(go list -deps -f '{{with .Module}}{{.Path}}{{end}}' ./cmd/flarewarden | sort -u)
# Symbols from runtime.bss on take no bytes in the file (bss, noptrbss).
bss=$(go tool nm "$out/full" | awk '$3 == "runtime.bss" { print $1 }')
go tool nm -size "$out/full" | awk -v mods="$mods" -v bss="$bss" '
  function hex(h,   i, v) { v = 0; h = tolower(h); for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return v }
  BEGIN { n = split(mods, m, "\n"); bssAddr = hex(bss) }
  $3 ~ /^[TtRrDd]$/ && $4 != "" && hex($1) < bssAddr {
    name = $4; sub(/^type:\*?/, "", name); sub(/^go:(itab\.)?\*?/, "", name)
    best = ""
    for (i = 1; i <= n; i++) if (index(name, m[i] "/") == 1 || index(name, m[i] ".") == 1) if (length(m[i]) > length(best)) best = m[i]
    if (best == "") { split(name, p, "."); best = (p[1] ~ /\//) ? "std: " p[1] : "std/runtime" ; sub(/\/.*/, "", best) }
    tot[best] += $2; all += $2
  }
  END { for (k in tot) printf "%9.2f MiB %5.1f%%  %s\n", tot[k]/1048576, 100*tot[k]/all, k }' | sort -rn | head -"${1:-20}"
