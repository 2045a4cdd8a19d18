package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// The Cloudflare API is unreachable from the start: /readyz says
// "starting" within server.ready_grace, then 503 with the reason (never
// the token), while the process keeps retrying.
func TestReadyzWhileTokenCheckNeverSucceeds(t *testing.T) {
	w := newWorld(t)
	w.writeConfig(`["url:`+w.ip.URL+`/a", "url:`+w.ip.URL+`/b"]`, `server: {listen: "127.0.0.1:0", ready_grace: 1s}`)
	w.api.Close() // connection refused: a soft error, retried
	start := time.Now()
	r := w.startRun(&cli{})
	if code, body := r.get("/readyz"); code != 200 || !strings.Contains(body, "starting") {
		t.Fatalf("/readyz at start: %d %q", code, body)
	}
	body := r.waitNotReady()
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("503 after %v, within ready_grace", waited)
	}
	if !strings.Contains(body, "the api token check has not succeeded yet") {
		t.Errorf("/readyz reason: %q", body)
	}
	w.assertNoToken(testToken, body, r.stderr.String())
	if code := r.stop(); code != exitOK {
		t.Fatalf("run exited %d", code)
	}
}

// A reloaded config whose token the API rejects is logged and ignored:
// the running daemon keeps its config and the process keeps running.
func TestReloadWithRejectedTokenKeepsRunningConfig(t *testing.T) {
	w := newWorld(t)
	other := httptest.NewServer(sim.New()) // knows no token: rejects ours
	defer other.Close()
	reload := make(chan struct{})
	r := w.startRun(&cli{reload: reload, configPoll: time.Hour})
	r.waitPassOK()
	valid := readFile(t, w.config)
	writeFile(t, w.config, strings.Replace(valid, w.api.URL, other.URL, 1))
	reload <- struct{}{}
	r.waitFor("the rejection", func() bool { return strings.Contains(r.stderr.String(), "config reload rejected") })
	log := r.stderr.String()
	if !strings.Contains(log, "token") || strings.Contains(log, "daemon restarting") || strings.Contains(log, "daemon stopped") {
		t.Fatalf("want the token named and the daemon kept:\n%s", log)
	}
	if code, body := r.get("/readyz"); code != 200 {
		t.Fatalf("/readyz after a rejected reload: %d %s", code, body)
	}
	select {
	case code := <-r.done:
		t.Fatalf("run exited %d after a reload with a rejected token", code)
	case <-time.After(200 * time.Millisecond):
	}
	if code := r.stop(); code != exitOK {
		t.Fatalf("run exited %d", code)
	}
}

// A reloaded config whose token cannot be checked (API unreachable) within
// the bound is not applied.
func TestReloadVerifyIsBounded(t *testing.T) {
	down := httptest.NewServer(nil)
	down.Close()
	first, next := testApp(t, "http://127.0.0.1:1"), testApp(t, down.URL)
	core, logs := observer.New(zap.InfoLevel)
	first.Log = zap.New(core)
	s := service.NewSupervisor(first, func() (*service.App, error) { return next, nil }, service.NewRunState(first.Cfg, service.LeaderView{}))
	s.VerifyTimeout = 300 * time.Millisecond
	start := time.Now()
	s.Reload(context.Background(), "test")
	if took := time.Since(start); took > 5*s.VerifyTimeout {
		t.Errorf("reload took %v with a %v bound", took, s.VerifyTimeout)
	}
	if s.App() != first || len(s.Changed) != 0 {
		t.Fatal("an unverified config replaced the running one")
	}
	rej := logs.FilterMessage("config reload rejected, keeping the running config").All()
	if len(rej) != 1 || !strings.Contains(fmt.Sprint(rej[0].ContextMap()["problems"]), "not verified within") {
		t.Fatalf("rejection logs: %v", logs.All())
	}
}

// testApp is an app with a minimal config against the API at base.
func testApp(t *testing.T, base string) *service.App {
	t.Helper()
	cfg, err := config.Parse([]byte("cloudflare: {api_base_url: " + base + "/client/v4}\n" +
		"records: [{name: home.example.com}]\nretry: {base: 10ms, max: 50ms}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := buildApp(cfg, testToken, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A reload applied while this replica follows must not restart the first
// daemon of its next term: that daemon already runs the reloaded config.
func TestReloadWhileFollowingDoesNotRestartNextTerm(t *testing.T) {
	w := newWorld(t)
	promote := make(chan struct{})
	elect := promotedElection(promote, nil)
	reload := make(chan struct{})
	r := w.startRun(&cli{elect: elect, reload: reload, configPoll: time.Hour}, "--leader-elect", "--leader-elect-identity", "pod-a")
	valid := readFile(t, w.config)
	writeFile(t, w.config, strings.Replace(valid, "  - {name: vpn.example.com}", "  - {name: vpn.example.com}\n  - {name: new.example.com}", 1))
	reload <- struct{}{}
	r.waitFor("the reload", func() bool { return strings.Contains(r.stderr.String(), "config reloaded") })
	close(promote)
	r.waitPassOK()
	if got := w.record("new.example.com", "A"); got != "203.0.113.7" {
		t.Errorf("new.example.com = %q: the term did not run the reloaded config", got)
	}
	time.Sleep(100 * time.Millisecond)
	log := r.stderr.String()
	if n := strings.Count(log, `"daemon started"`); n != 1 || strings.Contains(log, "daemon restarting") {
		t.Fatalf("daemon started %d times (want 1, no restart):\n%s", n, log)
	}
	if code := r.stop(); code != exitOK {
		t.Fatalf("run exited %d", code)
	}
}

// A reload's token check spares the next daemon its own only while fresh:
// a follower that leads hours after a reload checks the token again.
func TestTakeTrustsOnlyAFreshReloadCheck(t *testing.T) {
	first, next := &service.App{Cfg: &config.Config{}, Log: zap.NewNop()}, &service.App{Cfg: &config.Config{}, Log: zap.NewNop()}
	s := service.NewSupervisor(first, nil, service.NewRunState(first.Cfg, service.LeaderView{}))
	if _, verified := s.Take(); verified {
		t.Fatal("the first app counts as verified by a reload")
	}
	s.Swap(next)
	if a, verified := s.Take(); a != next || !verified {
		t.Fatalf("just after a reload: app %p verified %v, want %p and true", a, verified, next)
	}
	s.Swap(first)
	s.VerifiedAt = s.VerifiedAt.Add(-2 * service.VerifiedFresh)
	if _, verified := s.Take(); verified {
		t.Fatal("a reload's token check long ago still spares the daemon its own")
	}
}
