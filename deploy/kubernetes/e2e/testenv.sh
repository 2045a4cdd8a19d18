#!/usr/bin/env bash
# testenv.sh: a real, throwaway Kubernetes API (etcd + kube-apiserver) on loopback for flarewarden's
# e2e tests. No scheduler or kubelet: it exercises the API, RBAC, Leases and server-side validation.
#
#   testenv.sh build       build (once) and cache kube-apiserver, kubectl and helm; install etcd,
#                          curl and openssl (Debian packages) if missing
#   testenv.sh start DIR   start etcd and kube-apiserver on free 127.0.0.1 ports, wait for /readyz,
#                          write DIR/admin.kubeconfig, DIR/flarewarden.kubeconfig and DIR/env
#   testenv.sh stop DIR    stop what `start DIR` started (by the pids it recorded)
#   testenv.sh bin         print the directory holding kube-apiserver, kubectl and helm
#
# Binaries are cached under $HOME/.cache/flarewarden-k8s/, keyed by version: a cold build takes
# about 6 minutes on 2 cores, a warm one nothing. Every step is bounded in time. DIR/env holds
# shell assignments (KUBECTL, HELM, ports) for scripts; the Go tests read the kubeconfigs.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.36.3}"         # k8s.io/kubernetes
STAGING_VERSION="${STAGING_VERSION:-v0.36.3}" # every k8s.io/<staging> module
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
CACHE="${FLAREWARDEN_K8S_CACHE:-$HOME/.cache/flarewarden-k8s}"
BIN="$CACHE/$K8S_VERSION-helm-$HELM_VERSION/bin"
BUILD_TIMEOUT="${BUILD_TIMEOUT:-1800}" # seconds, per build step
READY_TIMEOUT="${READY_TIMEOUT:-90}"   # seconds, for etcd and /readyz
SA_USER="system:serviceaccount:flarewarden:flarewarden"

log() { printf 'testenv: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- build

# staging_modules prints the k8s.io/<staging> modules that kubernetes' own go.mod replaces.
staging_modules() {
	local gomod
	gomod=$(timeout 600 go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
		sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
	[ -f "$gomod" ] || die "no go.mod for k8s.io/kubernetes@$K8S_VERSION"
	sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$gomod"
}

# write_build_module DIR writes the throwaway module that builds kube-apiserver and, as a tool of
# the same module graph, k8s.io/kubernetes/cmd/kubectl.
write_build_module() {
	local dir=$1 mods m
	mods=$(staging_modules)
	[ -n "$mods" ] || die "found no staging modules in kubernetes' go.mod"
	{
		echo "module flarewarden.local/k8sbuild"
		echo
		echo "go $(go env GOVERSION | sed 's/^go//')"
		echo
		echo "require k8s.io/kubernetes $K8S_VERSION"
		echo
		echo "tool k8s.io/kubernetes/cmd/kubectl"
		echo
		echo "replace ("
		for m in $mods; do echo "	$m => $m $STAGING_VERSION"; done
		echo ")"
	} >"$dir/go.mod"
	mkdir -p "$dir/kube-apiserver"
	cat >"$dir/kube-apiserver/main.go" <<'EOF'
// Command kube-apiserver is the upstream API server, built from the module proxy.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
EOF
}

# build_k8s builds kube-apiserver and kubectl into $BIN unless both are cached.
build_k8s() {
	[ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kubectl" ] && return 0
	local work
	work=$(mktemp -d)
	log "building kube-apiserver and kubectl $K8S_VERSION (cold build: several minutes)"
	write_build_module "$work"
	(cd "$work" && timeout "$BUILD_TIMEOUT" go mod tidy) || die "go mod tidy of the build module failed"
	mkdir -p "$BIN"
	(cd "$work" && timeout "$BUILD_TIMEOUT" go build -trimpath -ldflags='-s -w' \
		-o "$BIN/kube-apiserver.tmp" ./kube-apiserver) || die "building kube-apiserver failed"
	(cd "$work" && timeout "$BUILD_TIMEOUT" go build -trimpath -ldflags='-s -w' \
		-o "$BIN/kubectl.tmp" k8s.io/kubernetes/cmd/kubectl) || die "building kubectl failed"
	mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
	mv "$BIN/kubectl.tmp" "$BIN/kubectl"
	rm -rf "$work"
}

# build_helm installs helm into $BIN unless cached.
build_helm() {
	[ -x "$BIN/helm" ] && return 0
	log "building helm $HELM_VERSION"
	mkdir -p "$BIN"
	GOBIN="$BIN" timeout "$BUILD_TIMEOUT" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" ||
		die "installing helm failed"
}

# need COMMAND DEBIAN_PACKAGE installs the package when COMMAND is not on PATH (a fresh Debian
# machine has Go, gcc and git; `start` also uses curl, openssl and etcd). apt-get update runs once.
apt_updated=
need() {
	command -v "$1" >/dev/null && return 0
	[ "$(id -u)" = 0 ] || die "$1 is missing: install the Debian package $2"
	log "installing $2 (Debian) for $1"
	export DEBIAN_FRONTEND=noninteractive
	if [ -z "$apt_updated" ]; then
		timeout 600 apt-get update -qq || die "apt-get update failed"
		apt_updated=1
	fi
	timeout 600 apt-get install -y -qq --no-install-recommends "$2" >/dev/null || die "apt-get install $2 failed"
	command -v "$1" >/dev/null || die "$2 installed no $1"
}

# ensure_tools installs what `start` runs besides the cached binaries.
ensure_tools() {
	need etcd etcd-server
	need curl curl
	need openssl openssl
}

cmd_build() {
	ensure_tools
	build_k8s
	build_helm
	log "binaries in $BIN"
}

# ---------------------------------------------------------------- start / stop

# free_port prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free port found"
}

# wait_for DESC SECONDS CMD... retries CMD until it succeeds or SECONDS pass.
wait_for() {
	local desc=$1 secs=$2 deadline
	shift 2
	deadline=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || die "$desc not ready after ${secs}s"
		sleep 0.5
	done
}

# write_kubeconfig FILE PORT USER TOKEN CA writes a kubeconfig using a bearer token.
write_kubeconfig() {
	local file=$1 port=$2 user=$3 token=$4 ca=$5
	cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $ca
users:
- name: $user
  user:
    token: $token
contexts:
- name: testenv
  context: {cluster: testenv, user: $user}
current-context: testenv
EOF
	chmod 600 "$file"
}

start_etcd() {
	local dir=$1 client peer
	client=$(free_port)
	peer=$(free_port)
	etcd --name testenv --data-dir "$dir/etcd" \
		--listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
		--listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
		--initial-cluster "testenv=http://127.0.0.1:$peer" \
		>"$dir/etcd.log" 2>&1 &
	echo $! >"$dir/etcd.pid"
	echo "$client" >"$dir/etcd.port"
	wait_for etcd "$READY_TIMEOUT" curl -fsS "http://127.0.0.1:$client/health"
}

start_apiserver() {
	local dir=$1 etcd_port port
	etcd_port=$(cat "$dir/etcd.port")
	port=$(free_port)
	openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
	openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
	local admin_token fw_token
	admin_token=$(openssl rand -hex 16)
	fw_token=$(openssl rand -hex 16)
	{
		echo "$admin_token,admin,admin,system:masters"
		echo "$fw_token,$SA_USER,flarewarden-sa,\"system:serviceaccounts,system:serviceaccounts:flarewarden\""
	} >"$dir/tokens.csv"
	chmod 600 "$dir/tokens.csv"
	"$BIN/kube-apiserver" \
		--etcd-servers="http://127.0.0.1:$etcd_port" --bind-address=127.0.0.1 \
		--advertise-address=127.0.0.1 --secure-port="$port" --cert-dir "$dir/certs" \
		--token-auth-file "$dir/tokens.csv" --authorization-mode=RBAC \
		--service-account-issuer=https://kubernetes.default.svc.cluster.local \
		--service-account-key-file "$dir/sa.pub" --service-account-signing-key-file "$dir/sa.key" \
		--service-cluster-ip-range=10.0.0.0/24 --endpoint-reconciler-type=none \
		>"$dir/kube-apiserver.log" 2>&1 &
	echo $! >"$dir/kube-apiserver.pid"
	echo "$port" >"$dir/kube-apiserver.port"
	wait_for "kube-apiserver certificate" "$READY_TIMEOUT" test -s "$dir/certs/apiserver.crt"
	local ca="$dir/certs/apiserver.crt"
	wait_for "kube-apiserver /readyz" "$READY_TIMEOUT" curl -fsS --cacert "$ca" \
		-H "Authorization: Bearer $admin_token" "https://127.0.0.1:$port/readyz"
	write_kubeconfig "$dir/admin.kubeconfig" "$port" admin "$admin_token" "$ca"
	write_kubeconfig "$dir/flarewarden.kubeconfig" "$port" flarewarden "$fw_token" "$ca"
}

cmd_start() {
	local dir=${1:?usage: testenv.sh start DIR}
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/kubectl" ] && [ -x "$BIN/helm" ] || cmd_build
	ensure_tools
	trap 'cmd_stop "$dir"' EXIT # a failed start leaves nothing running
	start_etcd "$dir"
	start_apiserver "$dir"
	trap - EXIT
	cat >"$dir/env" <<EOF
KUBECTL=$BIN/kubectl
HELM=$BIN/helm
KUBE_APISERVER_PORT=$(cat "$dir/kube-apiserver.port")
ETCD_PORT=$(cat "$dir/etcd.port")
EOF
	log "ready: $dir/admin.kubeconfig, $dir/flarewarden.kubeconfig"
}

# stop_pid FILE stops the process whose pid FILE records: TERM, then KILL after 10 s.
stop_pid() {
	local file=$1 pid i
	[ -f "$file" ] || return 0
	pid=$(cat "$file")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 1 20); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$file"
}

cmd_stop() {
	local dir=${1:?usage: testenv.sh stop DIR}
	stop_pid "$dir/kube-apiserver.pid"
	stop_pid "$dir/etcd.pid"
	log "stopped $dir"
}

case "${1:-}" in
build) cmd_build ;;
start) cmd_start "${2:-}" ;;
stop) cmd_stop "${2:-}" ;;
bin) echo "$BIN" ;;
*) die "usage: testenv.sh build | start DIR | stop DIR | bin" ;;
esac
