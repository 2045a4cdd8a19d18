package main

import (
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

func TestReadinessWhileStartingAndOnFollowers(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cfg := &config.Config{}
	const grace = time.Minute
	follower := func(leader string) leaderView { return leaderView{Enabled: true, Identity: "pod-a", Leader: leader} }
	tests := []struct {
		name  string
		v     runView
		ready bool
		want  string
	}{
		{"token check within grace", runView{cfg: cfg, startedAt: now.Add(-30 * time.Second)}, true, "starting"},
		{"token check past grace", runView{cfg: cfg, startedAt: now.Add(-90 * time.Second)}, false,
			"starting for 1m30s: the api token check has not succeeded yet"},
		{"leader starting past grace", runView{cfg: cfg, startedAt: now.Add(-time.Hour),
			election: leaderView{Enabled: true, IsLeader: true, Leader: "pod-a"}}, false, "api token check"},
		{"running daemon, no pass yet", runView{cfg: cfg, snap: &daemon.Status{}, startedAt: now.Add(-time.Hour)}, true, "ok"},
		{"follower of a leader", runView{cfg: cfg, election: follower("pod-b"), leaderlessSince: now.Add(-time.Hour)}, true,
			"follower of pod-b"},
		{"follower without leader within grace", runView{cfg: cfg, election: follower(""), leaderlessSince: now.Add(-time.Second)},
			true, "within ready_grace"},
		{"follower without leader past grace", runView{cfg: cfg, election: follower(""), leaderlessSince: now.Add(-2 * time.Minute)},
			false, "follower with no leader known for 2m0s"},
	}
	for _, tt := range tests {
		ok, reason := readiness(tt.v, now, grace)
		if ok != tt.ready || !strings.Contains(reason, tt.want) {
			t.Errorf("%s: ready = %v (%s), want %v (%s)", tt.name, ok, reason, tt.ready, tt.want)
		}
	}
}

func TestRunStateTracksLeaderlessSince(t *testing.T) {
	before := time.Now()
	s := newRunState(&config.Config{}, leaderView{Enabled: true, Identity: "pod-a"})
	start := s.view().leaderlessSince
	if start.Before(before) {
		t.Fatalf("leaderlessSince = %v, want the process start", start)
	}
	s.setLeader(false, "")
	if got := s.view().leaderlessSince; !got.Equal(start) {
		t.Errorf("no leader yet: leaderlessSince moved to %v", got)
	}
	s.setLeader(false, "pod-b")
	time.Sleep(time.Millisecond)
	lost := time.Now()
	s.setLeader(false, "")
	if got := s.view().leaderlessSince; got.Before(lost) {
		t.Errorf("leader lost at %v: leaderlessSince = %v", lost, got)
	}
}

func TestRunStateStartingThenDaemon(t *testing.T) {
	s := newRunState(&config.Config{}, leaderView{})
	at := time.Now().Add(-time.Hour)
	s.starting(at)
	if v := s.view(); v.daemon != nil || !v.startedAt.Equal(at) {
		t.Fatalf("starting: daemon %v, startedAt %v", v.daemon, v.startedAt)
	}
	if ok, reason := readiness(s.view(), time.Now(), time.Minute); ok || !strings.Contains(reason, "token check") {
		t.Errorf("starting an hour ago: ready = %v (%s)", ok, reason)
	}
}
