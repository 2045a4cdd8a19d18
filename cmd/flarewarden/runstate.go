package main

import (
	"sync"
	"time"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller"
)

// runState is what the HTTP endpoint reads about the running service: the
// daemon of the current config (nil while none runs, as on a follower) and
// the leader election's view. It is safe for concurrent use.
type runState struct {
	mu        sync.Mutex
	cfg       *config.Config
	daemon    *controller.Daemon
	startedAt time.Time
	election  leaderView
}

// leaderView is this replica's view of the leader election.
type leaderView struct {
	Enabled  bool   `json:"enabled"`
	IsLeader bool   `json:"is_leader"`
	Identity string `json:"identity,omitempty"`
	Leader   string `json:"leader,omitempty"`
}

// runView is a consistent copy of a runState.
type runView struct {
	cfg       *config.Config
	daemon    *controller.Daemon
	snap      *controller.Status // the daemon's snapshot; nil without a daemon
	startedAt time.Time
	election  leaderView
}

func newRunState(cfg *config.Config, election leaderView) *runState {
	if !election.Enabled {
		election.IsLeader = true
	}
	return &runState{cfg: cfg, election: election}
}

// setDaemon records the daemon now running with cfg (d nil: none runs).
func (s *runState) setDaemon(d *controller.Daemon, cfg *config.Config, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.daemon, s.startedAt = d, at
	if cfg != nil {
		s.cfg = cfg
	}
}

// setLeader records a leader election change.
func (s *runState) setLeader(isLeader bool, leader string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.election.IsLeader, s.election.Leader = isLeader, leader
}

func (s *runState) view() runView {
	s.mu.Lock()
	v := runView{cfg: s.cfg, daemon: s.daemon, startedAt: s.startedAt, election: s.election}
	s.mu.Unlock()
	if v.daemon != nil {
		st := v.daemon.Snapshot()
		v.snap = &st
	}
	return v
}

// readiness says whether this replica is ready, and why: the config is
// loaded and either it is a leader-election follower, or no pass has
// failed since the last success, or the last success (the daemon's start
// when there was none) is at most grace old.
func readiness(v runView, now time.Time, grace time.Duration) (bool, string) {
	switch {
	case v.cfg == nil:
		return false, "config not loaded"
	case v.election.Enabled && !v.election.IsLeader:
		return true, "follower"
	case v.snap == nil:
		return true, "starting"
	}
	st := v.snap
	if st.LastPassErr == "" {
		return true, "ok"
	}
	since := st.LastOKAt
	if since.IsZero() {
		since = v.startedAt
	}
	if now.Sub(since) <= grace {
		return true, "last pass failed, within ready_grace"
	}
	return false, "no successful pass since " + since.UTC().Format(time.RFC3339) + ": " + st.LastPassErr
}
