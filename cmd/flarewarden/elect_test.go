package main

import (
	"context"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/providers/leader"
)

// TestLeaderElectFollowerThenLeader drives run's election wiring with a
// fake election: a follower serves and is ready without touching
// Cloudflare; once leading, it runs the daemon.
func TestLeaderElectFollowerThenLeader(t *testing.T) {
	w := newWorld(t)
	promote := make(chan struct{})
	var got leader.Config
	elect := func(ctx context.Context, c leader.Config, lead func(context.Context), onChange func(bool, string)) error {
		got = c
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
