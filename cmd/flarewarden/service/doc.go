// Package service is flarewarden's process lifecycle under `run`: the
// wired App, the Supervisor that runs its daemon and swaps in a reloaded
// config once its token is accepted (reload.go watches the file), the
// RunState that readiness and /status are read from, and the HTTP
// Endpoint (/healthz, /readyz, /metrics, /status, POST /reconcile). It
// decides nothing about records or rules: the App's reconciler and daemon
// do; cmd/flarewarden builds the App and wires the commands.
package service
