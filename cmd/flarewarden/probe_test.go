package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/providers/nettest"
)

func TestProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			http.Error(w, "not ready: no pass yet", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	w := newWorld(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"alive", []string{"probe", "--address", addr}, 0, "HTTP 200 ok"},
		{"not ready", []string{"probe", "--address", addr, "--path", "/readyz"}, 1, "HTTP 503 not ready: no pass yet"},
		{"nothing listens", []string{"probe", "--address", nettest.ClosedPort(t)}, 1, ""},
		{"bad path", []string{"probe", "--address", addr, "--path", "readyz"}, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.run(tc.args...)
			if r.code != tc.wantCode || !strings.Contains(r.stdout, tc.wantOut) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d and %q", r.code, r.stdout, r.stderr, tc.wantCode, tc.wantOut)
			}
		})
	}
}

// TestProbeAgainstRun probes a real `run`'s endpoint.
func TestProbeAgainstRun(t *testing.T) {
	w := newWorld(t)
	d := w.startRun(&cli{})
	addr := strings.TrimPrefix(d.base, "http://")
	deadline := time.Now().Add(10 * time.Second)
	for w.record("home.example.com", "A") != "203.0.113.7" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // the first pass makes it ready
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if r := w.run("probe", "--address", addr, "--path", path); r.code != 0 {
			t.Fatalf("probe %s: exit %d\n%s%s", path, r.code, r.stdout, r.stderr)
		}
	}
}
