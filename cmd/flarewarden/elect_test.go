package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/providers/leader"
)

// TestLeaderElectFollowerThenLeader drives run's election wiring with a
// fake election: a follower serves and is ready without touching
// Cloudflare; once leading, it runs the daemon.
func TestLeaderElectFollowerThenLeader(t *testing.T) {
	w := newWorld(t)
	promote := make(chan struct{})
	var got leader.Config
	elect := promotedElection(promote, &got)
	r := w.startRun(&cli{elect: elect, reload: make(chan struct{})}, "--leader-elect", "--leader-elect-identity", "pod-a",
		"--leader-elect-name", "fw")
	r.waitFor("the follower state", func() bool {
		l := r.status()["leader"].(map[string]any)
		return l["leader"] == "pod-b"
	})
	if code, body := r.get("/readyz"); code != 200 || !strings.Contains(body, "follower") {
		t.Fatalf("follower /readyz: %d %s", code, body)
	}
	if _, m := r.get("/metrics"); !strings.Contains(m, "flarewarden_leader 0") {
		t.Error("follower reports flarewarden_leader != 0")
	}
	if n := len(w.sim.Writes()); n != 0 {
		t.Fatalf("a follower wrote %d times", n)
	}
	close(promote)
	r.waitPassOK()
	l := r.status()["leader"].(map[string]any)
	if l["is_leader"] != true || l["identity"] != "pod-a" || l["enabled"] != true {
		t.Errorf("leader status: %v", l)
	}
	if _, m := r.get("/metrics"); !strings.Contains(m, "flarewarden_leader 1") {
		t.Error("leader reports flarewarden_leader != 1")
	}
	if code := r.stop(); code != exitOK {
		t.Fatalf("run exited %d:\n%s", code, r.stderr.String())
	}
	if got.Namespace != "default" || got.Name != "fw" || got.LeaseDuration != leader.DefaultLeaseDuration {
		t.Errorf("leader config: %+v", got)
	}
}

// TestFollowerWithoutLeaderIsNotReady: a follower that never observes a
// leader (the Lease unreadable, e.g. the Role missing) is ready only
// within server.ready_grace, then answers 503 with the reason; once it
// observes a leader it is ready again.
func TestFollowerWithoutLeaderIsNotReady(t *testing.T) {
	w := newWorld(t)
	w.writeConfig(`["url:`+w.ip.URL+`/a", "url:`+w.ip.URL+`/b"]`, `server: {listen: "127.0.0.1:0", ready_grace: 1s}`)
	seen := make(chan struct{})
	elect := func(ctx context.Context, _ leader.Config, _ func(context.Context), onChange func(bool, string)) error {
		select {
		case <-ctx.Done():
			return nil
		case <-seen:
		}
		onChange(false, "pod-b")
		<-ctx.Done()
		return nil
	}
	start := time.Now()
	r := w.startRun(&cli{elect: elect, reload: make(chan struct{})}, "--leader-elect")
	if code, body := r.get("/readyz"); code != 200 {
		t.Fatalf("/readyz within ready_grace: %d %s", code, body)
	}
	body := r.waitNotReady()
	if waited := time.Since(start); waited < time.Second || !strings.Contains(body, "no leader known") {
		t.Fatalf("/readyz 503 after %v: %q", waited, body)
	}
	close(seen)
	r.waitFor("ready as a follower", func() bool { code, _ := r.get("/readyz"); return code == 200 })
	if _, body := r.get("/readyz"); !strings.Contains(body, "follower of pod-b") {
		t.Errorf("/readyz: %q", body)
	}
	if n := len(w.sim.Writes()); n != 0 {
		t.Fatalf("a follower wrote %d times", n)
	}
}

// promotedElection is a fake leader.Run: this replica follows pod-b until
// promote is closed or sent to, then leads until ctx ends. It stores the
// config it was given in got, when got is not nil.
func promotedElection(promote <-chan struct{}, got *leader.Config) func(context.Context, leader.Config, func(context.Context), func(bool, string)) error {
	return func(ctx context.Context, c leader.Config, lead func(context.Context), onChange func(bool, string)) error {
		if got != nil {
			*got = c
		}
		onChange(false, "pod-b")
		select {
		case <-ctx.Done():
			return nil
		case <-promote:
		}
		onChange(true, c.Identity)
		lead(ctx)
		onChange(false, "")
		return nil
	}
}
