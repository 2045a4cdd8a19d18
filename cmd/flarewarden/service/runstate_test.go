package service

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
	follower := func(leader string) LeaderView { return LeaderView{Enabled: true, Identity: "pod-a", Leader: leader} }
	tests := []struct {
		name  string
		v     RunView
		ready bool
		want  string
	}{
		{"token check within grace", RunView{Cfg: cfg, StartedAt: now.Add(-30 * time.Second)}, true, "starting"},
		{"token check past grace", RunView{Cfg: cfg, StartedAt: now.Add(-90 * time.Second)}, false,
			"starting for 1m30s: the api token check has not succeeded yet"},
		{"leader starting past grace", RunView{Cfg: cfg, StartedAt: now.Add(-time.Hour),
			Election: LeaderView{Enabled: true, IsLeader: true, Leader: "pod-a"}}, false, "api token check"},
		{"running daemon, no pass yet", RunView{Cfg: cfg, Snap: &daemon.Status{}, StartedAt: now.Add(-time.Hour)}, true, "ok"},
		{"follower of a leader", RunView{Cfg: cfg, Election: follower("pod-b"), leaderlessSince: now.Add(-time.Hour)}, true,
			"follower of pod-b"},
		{"follower without leader within grace", RunView{Cfg: cfg, Election: follower(""), leaderlessSince: now.Add(-time.Second)},
			true, "within ready_grace"},
		{"follower without leader past grace", RunView{Cfg: cfg, Election: follower(""), leaderlessSince: now.Add(-2 * time.Minute)},
			false, "follower with no leader known for 2m0s"},
	}
	for _, tt := range tests {
		ok, reason := Readiness(tt.v, now, grace)
		if ok != tt.ready || !strings.Contains(reason, tt.want) {
			t.Errorf("%s: ready = %v (%s), want %v (%s)", tt.name, ok, reason, tt.ready, tt.want)
		}
	}
}

func TestRunStateTracksLeaderlessSince(t *testing.T) {
	before := time.Now()
	s := NewRunState(&config.Config{}, LeaderView{Enabled: true, Identity: "pod-a"})
	start := s.view().leaderlessSince
	if start.Before(before) {
		t.Fatalf("leaderlessSince = %v, want the process start", start)
	}
	s.SetLeader(false, "")
	if got := s.view().leaderlessSince; !got.Equal(start) {
		t.Errorf("no leader yet: leaderlessSince moved to %v", got)
	}
	s.SetLeader(false, "pod-b")
	time.Sleep(time.Millisecond)
	lost := time.Now()
	s.SetLeader(false, "")
	if got := s.view().leaderlessSince; got.Before(lost) {
		t.Errorf("leader lost at %v: leaderlessSince = %v", lost, got)
	}
}

func TestRunStateStartingThenDaemon(t *testing.T) {
	s := NewRunState(&config.Config{}, LeaderView{})
	at := time.Now().Add(-time.Hour)
	s.starting(at)
	if v := s.view(); v.daemon != nil || !v.StartedAt.Equal(at) {
		t.Fatalf("starting: daemon %v, startedAt %v", v.daemon, v.StartedAt)
	}
	if ok, reason := Readiness(s.view(), time.Now(), time.Minute); ok || !strings.Contains(reason, "token check") {
		t.Errorf("starting an hour ago: ready = %v (%s)", ok, reason)
	}
}
