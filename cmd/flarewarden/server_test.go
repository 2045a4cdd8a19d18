package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/providers/metrics"
)

func TestReadiness(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cfg := &config.Config{}
	grace := 15 * time.Minute
	failing := func(lastOK time.Time) *daemon.Status {
		return &daemon.Status{LastPassErr: "list zones: HTTP 500", LastOKAt: lastOK, ConsecFailed: 3}
	}
	tests := []struct {
		name  string
		v     service.RunView
		ready bool
	}{
		{"no config", service.RunView{}, false},
		{"starting", service.RunView{Cfg: cfg}, true},
		{"no pass yet", service.RunView{Cfg: cfg, Snap: &daemon.Status{}}, true},
		{"last pass ok", service.RunView{Cfg: cfg, Snap: &daemon.Status{LastOKAt: now.Add(-time.Hour)}}, true},
		{"failing within grace", service.RunView{Cfg: cfg, Snap: failing(now.Add(-time.Minute))}, true},
		{"failing past grace", service.RunView{Cfg: cfg, Snap: failing(now.Add(-time.Hour))}, false},
		{"never ok, started long ago", service.RunView{Cfg: cfg, Snap: failing(time.Time{}), LeadingSince: now.Add(-time.Hour)}, false},
		{"never ok, started recently", service.RunView{Cfg: cfg, Snap: failing(time.Time{}), LeadingSince: now.Add(-time.Minute)}, true},
		{"failing since before a reload", service.RunView{Cfg: cfg, Snap: failing(time.Time{}), StartedAt: now.Add(-time.Minute),
			LeadingSince: now.Add(-2 * time.Hour), LastOK: now.Add(-time.Hour)}, false},
		{"ok before a reload, within grace", service.RunView{Cfg: cfg, Snap: failing(time.Time{}), StartedAt: now.Add(-time.Minute),
			LeadingSince: now.Add(-2 * time.Hour), LastOK: now.Add(-5 * time.Minute)}, true},
		{"new leader, failing, within grace", service.RunView{Cfg: cfg, Snap: failing(time.Time{}), LeadingSince: now.Add(-time.Minute),
			LastOK: now.Add(-time.Hour), Election: service.LeaderView{Enabled: true, IsLeader: true}}, true},
		{"follower", service.RunView{Cfg: cfg, Election: service.LeaderView{Enabled: true, Leader: "pod-b"}}, true},
		{"leader failing", service.RunView{Cfg: cfg, Snap: failing(now.Add(-time.Hour)),
			Election: service.LeaderView{Enabled: true, IsLeader: true}}, false},
	}
	for _, tt := range tests {
		if ok, reason := service.Readiness(tt.v, now, grace); ok != tt.ready || reason == "" {
			t.Errorf("%s: ready = %v (%s), want %v", tt.name, ok, reason, tt.ready)
		}
	}
}

func TestReadyzAnswers503WithReason(t *testing.T) {
	e := testEndpoint(t, "")
	e.State.Cfg.Server.ReadyGrace = config.Duration(time.Minute)
	e.State.SetDaemon(&daemon.Daemon{Log: zap.NewNop()}, nil, time.Now())
	e.Now = func() time.Time { return time.Now().Add(time.Hour) }
	// A daemon that never ran has no failed pass: ready.
	if rec := call(e, "GET", "/readyz", "127.0.0.1:1", ""); rec.Code != http.StatusOK {
		t.Fatalf("/readyz = %d %s", rec.Code, rec.Body)
	}
	e.State.SetDaemon(nil, nil, time.Time{})
	e.State.Cfg = nil
	rec := call(e, "GET", "/readyz", "127.0.0.1:1", "")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "config not loaded") {
		t.Fatalf("/readyz = %d %s", rec.Code, rec.Body)
	}
}

func TestReconcileAccess(t *testing.T) {
	const token = "srv-token-0a1b2c"
	e := testEndpoint(t, token)
	e.State.SetDaemon(&daemon.Daemon{Log: zap.NewNop()}, nil, time.Now())
	tests := []struct {
		name, method, remote, auth string
		want                       int
	}{
		{"loopback v4", "POST", "127.0.0.1:5000", "", http.StatusAccepted},
		{"loopback v6", "POST", "[::1]:5000", "", http.StatusAccepted},
		{"remote without token", "POST", "203.0.113.9:5000", "", http.StatusForbidden},
		{"remote with wrong token", "POST", "203.0.113.9:5000", "Bearer nope", http.StatusForbidden},
		{"remote with token", "POST", "203.0.113.9:5000", "Bearer " + token, http.StatusAccepted},
		{"remote with token as basic", "POST", "203.0.113.9:5000", "Basic " + token, http.StatusForbidden},
		{"GET", "GET", "127.0.0.1:5000", "", http.StatusMethodNotAllowed},
		{"PUT", "PUT", "127.0.0.1:5000", "", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		e.State.SetDaemon(&daemon.Daemon{Log: zap.NewNop()}, nil, time.Now()) // a fresh rate limit
		if rec := call(e, tt.method, "/reconcile", tt.remote, tt.auth); rec.Code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.want)
		}
	}
	noToken := testEndpoint(t, "")
	noToken.State.SetDaemon(&daemon.Daemon{Log: zap.NewNop()}, nil, time.Now())
	if rec := call(noToken, "POST", "/reconcile", "203.0.113.9:5000", "Bearer "); rec.Code != http.StatusForbidden {
		t.Errorf("empty token accepted: %d", rec.Code)
	}
}

// With require_token, loopback is no exemption: behind a sidecar or a
// reverse proxy every client looks like loopback.
func TestReconcileRequireToken(t *testing.T) {
	const token = "srv-token-0a1b2c"
	e := testEndpoint(t, token)
	e.RequireToken = true
	e.State.SetDaemon(&daemon.Daemon{Log: zap.NewNop()}, nil, time.Now())
	tests := []struct {
		name, remote, auth string
		want               int
	}{
		{"loopback v4 without token", "127.0.0.1:5000", "", http.StatusForbidden},
		{"loopback v6 without token", "[::1]:5000", "", http.StatusForbidden},
		{"loopback with wrong token", "127.0.0.1:5000", "Bearer nope", http.StatusForbidden},
		{"loopback with token", "127.0.0.1:5000", "Bearer " + token, http.StatusAccepted},
		{"remote without token", "203.0.113.9:5000", "", http.StatusForbidden},
		{"remote with token", "203.0.113.9:5000", "Bearer " + token, http.StatusAccepted},
	}
	for _, tt := range tests {
		e.State.SetDaemon(&daemon.Daemon{Log: zap.NewNop()}, nil, time.Now()) // a fresh rate limit
		rec := call(e, "POST", "/reconcile", tt.remote, tt.auth)
		if rec.Code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.want)
		}
		if rec.Code == http.StatusForbidden && !strings.Contains(rec.Body.String(), "require_token") {
			t.Errorf("%s: the refusal does not name server.require_token: %s", tt.name, rec.Body)
		}
	}
}

func TestReconcileRateLimited(t *testing.T) {
	e := testEndpoint(t, "")
	e.State.SetDaemon(&daemon.Daemon{Log: zap.NewNop()}, nil, time.Now())
	if rec := call(e, "POST", "/reconcile", "127.0.0.1:5000", ""); rec.Code != http.StatusAccepted {
		t.Fatalf("first request: %d %s", rec.Code, rec.Body)
	}
	rec := call(e, "POST", "/reconcile", "127.0.0.1:5000", "")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "30" {
		t.Fatalf("second request at once: %d (Retry-After %q), want 429 and 30", rec.Code, rec.Header().Get("Retry-After"))
	}
}

func TestReconcileOnFollowerIsUnavailable(t *testing.T) {
	e := testEndpoint(t, "")
	e.State.Election = service.LeaderView{Enabled: true, Leader: "pod-b"}
	if rec := call(e, "POST", "/reconcile", "127.0.0.1:5000", ""); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("follower: %d", rec.Code)
	}
}

func testEndpoint(t *testing.T, token string) *service.Endpoint {
	t.Helper()
	cfg, err := config.Parse([]byte("records: [{name: home.example.com}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	return &service.Endpoint{State: service.NewRunState(cfg, service.LeaderView{}), Metrics: metrics.New(), Token: token, Log: zap.NewNop(),
		Now: time.Now}
}

func call(e *service.Endpoint, method, path, remote, auth string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	req.RemoteAddr = remote
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, req)
	return rec
}

// `config validate` reads server.token_file as `run` does at start, so that
// a file the service cannot read fails validation (ExecStartPre) instead of
// every start (a restart loop).
func TestConfigValidateReadsServerToken(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "reconcile_token")
	cases := []struct {
		name, server, want string
		code               int
	}{
		{"missing", `server: {listen: "127.0.0.1:0", token_file: ` + tokenFile + `}`, "server.token_file: read token file", exitError},
		{"require_token without a file", `server: {listen: "127.0.0.1:0", require_token: true}`, "server.require_token: needs server.token_file", exitError},
		{"readable", `server: {listen: "127.0.0.1:0", token_file: ` + tokenFile + `, require_token: true}`, "require_token: true", 0},
		{"endpoint disabled", `server: {listen: "", token_file: ` + filepath.Join(dir, "nonexistent") + `}`, "policy: sync", 0},
	}
	for i, tc := range cases {
		if i == 2 {
			writeFile(t, tokenFile, "s3cret-reconcile\n")
		}
		w.writeConfig(`["url:`+w.ip.URL+`/a", "url:`+w.ip.URL+`/b"]`, tc.server)
		r := w.run("config", "validate")
		if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d with %q\n%s%s", tc.name, r.code, tc.code, tc.want, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "s3cret-reconcile") {
			t.Errorf("%s: the reconcile token leaked into the output", tc.name)
		}
	}
	writeFile(t, tokenFile, " \n")
	w.writeConfig(`["url:`+w.ip.URL+`/a", "url:`+w.ip.URL+`/b"]`, `server: {listen: "127.0.0.1:0", token_file: `+tokenFile+`}`)
	if r := w.run("config", "validate"); r.code != exitError || !strings.Contains(r.stderr, "is empty") {
		t.Errorf("empty token file: exit %d\n%s", r.code, r.stderr)
	}
}

// requireServerToken writes token to a new server.token_file and a config
// whose endpoint, on loopback, requires it; it returns the file's path.
func (w *world) requireServerToken(token string) string {
	w.t.Helper()
	tokenFile := filepath.Join(w.t.TempDir(), "reconcile_token")
	writeFile(w.t, tokenFile, token)
	w.writeConfig(`["url:`+w.ip.URL+`/a", "url:`+w.ip.URL+`/b"]`,
		`server: {listen: "127.0.0.1:0", token_file: `+tokenFile+`, require_token: true}`)
	return tokenFile
}

// `run` refuses an empty server.token_file at start, before any pass: the
// Kubernetes example Secret ships its reconcile-token empty so that no
// placeholder can become a working bearer token.
func TestRunRefusesEmptyServerToken(t *testing.T) {
	w := newWorld(t)
	tokenFile := w.requireServerToken("")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := w.cli(ctx, testToken, "run")
	if r.code != exitError || !strings.Contains(r.stderr, "server.token_file: token file "+tokenFile+" is empty") {
		t.Errorf("run with an empty server.token_file: exit %d, want %d naming the empty file\n%s%s", r.code, exitError, r.stdout, r.stderr)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("run with an empty server.token_file wrote %v", got)
	}
}

// `run` with server.require_token: a loopback POST /reconcile needs the
// token from server.token_file too.
func TestRunRequireTokenRefusesLoopback(t *testing.T) {
	w := newWorld(t)
	w.requireServerToken("reconcile-0a1b2c\n")
	r := w.startRun(&cli{})
	r.waitPassOK()
	post := func(auth string) int {
		req, err := http.NewRequest(http.MethodPost, r.base+"/reconcile", nil)
		if err != nil {
			t.Fatal(err)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(""); code != http.StatusForbidden {
		t.Errorf("loopback POST without the token: %d, want 403", code)
	}
	if code := post("Bearer reconcile-0a1b2c"); code != http.StatusAccepted {
		t.Errorf("loopback POST with the token: %d, want 202", code)
	}
}
