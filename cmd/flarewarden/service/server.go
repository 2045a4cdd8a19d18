package service

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/controller/history"
	"github.com/flarewarden/flarewarden/controller/redact"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/providers/metrics"
)

// shutdownTimeout bounds the graceful shutdown of the HTTP endpoint.
const shutdownTimeout = 5 * time.Second

// Endpoint serves /healthz, /readyz, /metrics, /status and /reconcile.
type Endpoint struct {
	State   *RunState
	Metrics *metrics.Metrics
	// History backs GET /status/history and the status page.
	History *history.History
	Token   string // bearer token for POST /reconcile from non-loopback clients; "" allows none
	// requireToken (server.require_token) takes loopback's exemption away:
	// behind a sidecar or reverse proxy every client is loopback.
	RequireToken bool
	Log          *zap.Logger
	Now          func() time.Time
}

// Handler routes the endpoint's paths.
func (e *Endpoint) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { text(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET /readyz", e.readyz)
	mux.Handle("GET /metrics", e.Metrics.Handler())
	mux.HandleFunc("GET /status", e.status)
	mux.HandleFunc("GET /status/history", e.history)
	mux.HandleFunc("GET /{$}", e.page)
	mux.HandleFunc("GET /status/page.css", e.pageStyle)
	mux.HandleFunc("/reconcile", e.reconcile)
	return mux
}

func (e *Endpoint) readyz(w http.ResponseWriter, _ *http.Request) {
	v := e.State.view()
	ok, reason := Readiness(v, e.Now(), v.grace())
	if !ok {
		text(w, http.StatusServiceUnavailable, string(redact.Text([]byte(reason))))
		return
	}
	text(w, http.StatusOK, reason)
}

func (e *Endpoint) status(w http.ResponseWriter, _ *http.Request) {
	e.writeJSON(w, buildStatus(e.State.view(), e.Now()))
}

// history serves what the daemon saw since the process started.
func (e *Endpoint) history(w http.ResponseWriter, _ *http.Request) {
	if e.History == nil {
		text(w, http.StatusNotFound, "no history is kept")
		return
	}
	e.writeJSON(w, e.History.Snapshot())
}

// writeJSON writes v as indented JSON, with every URL in it redacted.
func (e *Endpoint) writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		e.Log.Error("json not encoded", zap.Error(err))
		text(w, http.StatusInternalServerError, "json not encoded")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(redact.Text(buf.Bytes()))
}

// reconcile triggers a pass: POST only, with the bearer token, or from a
// loopback client unless requireToken.
func (e *Endpoint) reconcile(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		text(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	if !e.bearerOK(r.Header.Get("Authorization")) && (e.RequireToken || !loopback(r.RemoteAddr)) {
		e.Log.Warn("reconcile request refused", zap.String("remote", r.RemoteAddr))
		if e.RequireToken {
			text(w, http.StatusForbidden, "allowed only with the bearer token (server.require_token)")
		} else {
			text(w, http.StatusForbidden, "allowed only from loopback or with the bearer token")
		}
		return
	}
	d := e.State.view().daemon
	if d == nil {
		text(w, http.StatusServiceUnavailable, "no daemon runs here (follower or starting)")
		return
	}
	if !d.RequestPass("http request") {
		w.Header().Set("Retry-After", strconv.Itoa(int(daemon.DefaultTriggerGap.Seconds())))
		text(w, http.StatusTooManyRequests, "a pass was requested less than 30 s ago")
		return
	}
	text(w, http.StatusAccepted, "pass requested")
}

// bearerOK compares the header with the token in constant time.
func (e *Endpoint) bearerOK(header string) bool {
	got, ok := strings.CutPrefix(header, "Bearer ")
	return ok && e.Token != "" && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(e.Token)) == 1
}

// loopback reports whether a request's remote address is a loopback one.
func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

func text(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintln(w, msg)
}

// Listen opens the endpoint's listener.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("server.listen: %w", err)
	}
	return ln, nil
}

// Serve serves h on ln until ctx ends, then shuts down gracefully within
// shutdownTimeout. It returns nil after a clean shutdown.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *zap.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Info("http endpoint listening", zap.String("addr", ln.Addr().String()))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("http endpoint: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("http endpoint shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http endpoint: %w", err)
	}
	return nil
}
