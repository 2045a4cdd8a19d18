#!/usr/bin/env bash
# Kubernetes e2e: a real kube-apiserver and etcd on loopback (deploy/kubernetes/e2e/testenv.sh,
# binaries built once and cached under $HOME/.cache/flarewarden-k8s), then the env-gated tests:
# server-side dry runs of the kustomize output and the Helm chart, helm lint, and leader election
# with the ServiceAccount's RBAC against the Cloudflare simulator, with replicas in-process and as
# processes (a leader paused with SIGSTOP past its lease must not touch the Lease or write once
# resumed). The environment is always stopped. Extra arguments go to `go test`, e.g.
# `-run TestE2EHandoverTimes -v` with FLAREWARDEN_K8S_E2E_HANDOVER_TRIALS=N to measure N takeovers
# after SIGTERM and SIGKILL with the default lease timings (not run by CI: ~30 s per trial).
set -euo pipefail
cd "$(dirname "$0")/.."

export GOFLAGS="${GOFLAGS:--buildvcs=false}"
testenv=deploy/kubernetes/e2e/testenv.sh

# The cold build takes several minutes; later runs reuse the cache.
timeout 3600 bash "$testenv" build
PATH="$(bash "$testenv" bin):$PATH"
export PATH

dir=$(mktemp -d "${TMPDIR:-/tmp}/flarewarden-k8s-e2e.XXXXXX")
cleanup() {
	bash "$testenv" stop "$dir" || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

timeout 300 bash "$testenv" start "$dir"
if ! FLAREWARDEN_K8S_E2E_DIR="$dir" timeout 900 go test -race -count=1 -run E2E ./providers/leader/ "$@"; then
	echo "== kube-apiserver log (last lines)"
	tail -n 40 "$dir/kube-apiserver.log" || true
	exit 1
fi
