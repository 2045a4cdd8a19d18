package service

import (
	"sync"
	"time"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

// RunState is what the HTTP endpoint reads about the running service: the
// Daemon of the current config (nil while none runs, as on a follower or
// while the api token is checked) and the leader election's view. It is
// safe for concurrent use.
type RunState struct {
	mu              sync.Mutex
	Cfg             *config.Config
	daemon          *daemon.Daemon
	startedAt       time.Time // when the daemon started starting (token check included); zero: none
	Election        LeaderView
	leaderlessSince time.Time // since when no leader is known (the process start at first)
	// leadingSince is when this replica last started leading (the process
	// start without election); lastOK the last successful pass of any
	// Daemon this process ran. Both outlive a reload's daemon restart, so
	// a reload does not restart ready_grace.
	leadingSince time.Time
	lastOK       time.Time
}

// LeaderView is this replica's view of the leader election.
type LeaderView struct {
	Enabled  bool   `json:"enabled"`
	IsLeader bool   `json:"is_leader"`
	Identity string `json:"identity,omitempty"`
	Leader   string `json:"leader,omitempty"`
}

// RunView is a consistent copy of a runState.
type RunView struct {
	Cfg             *config.Config
	daemon          *daemon.Daemon
	Snap            *daemon.Status // the daemon's snapshot; nil without a daemon
	StartedAt       time.Time
	Election        LeaderView
	leaderlessSince time.Time
	LeadingSince    time.Time
	LastOK          time.Time // the last success of the daemons replaced so far
}

// grace is server.ready_grace of the view's config (0 without one).
func (v RunView) grace() time.Duration {
	if v.Cfg == nil {
		return 0
	}
	return time.Duration(v.Cfg.Server.ReadyGrace)
}

// NewRunState returns the state of a process starting now with cfg.
func NewRunState(cfg *config.Config, election LeaderView) *RunState {
	if !election.Enabled {
		election.IsLeader = true
	}
	now := time.Now()
	return &RunState{Cfg: cfg, Election: election, leaderlessSince: now, leadingSince: now}
}

// keepLastOK remembers the last success of the daemon about to be
// replaced. The caller holds s.mu.
func (s *RunState) keepLastOK() {
	if s.daemon == nil {
		return
	}
	if ok := s.daemon.Snapshot().LastOKAt; ok.After(s.lastOK) {
		s.lastOK = ok
	}
}

// starting records that a daemon started starting at at (its token is
// being checked): none runs yet.
func (s *RunState) starting(at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keepLastOK()
	s.daemon, s.startedAt = nil, at
}

// SetDaemon records the daemon now running with cfg, started at at (d
// nil: none runs).
func (s *RunState) SetDaemon(d *daemon.Daemon, cfg *config.Config, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keepLastOK()
	s.daemon, s.startedAt = d, at
	if cfg != nil {
		s.Cfg = cfg
	}
}

// SetLeader records a leader election change; leader "" means none is
// known, from now on if one was known before.
func (s *RunState) SetLeader(isLeader bool, leader string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if leader == "" && s.Election.Leader != "" {
		s.leaderlessSince = time.Now()
	}
	if isLeader && !s.Election.IsLeader {
		s.leadingSince = time.Now()
	}
	s.Election.IsLeader, s.Election.Leader = isLeader, leader
}

func (s *RunState) view() RunView {
	s.mu.Lock()
	v := RunView{Cfg: s.Cfg, daemon: s.daemon, StartedAt: s.startedAt, Election: s.Election,
		leaderlessSince: s.leaderlessSince, LeadingSince: s.leadingSince, LastOK: s.lastOK}
	s.mu.Unlock()
	if v.daemon != nil {
		st := v.daemon.Snapshot()
		v.Snap = &st
	}
	return v
}

// Readiness says whether this replica is ready, and why. It is not ready
// without a config. Otherwise:
//   - a leader-election follower is ready when it knows the current
//     leader, or when it has known none for at most grace (since the
//     process start, or since it lost sight of the last leader);
//   - a replica whose daemon is starting (its api token not yet accepted)
//     is ready for grace after that start;
//   - a running daemon is ready when no pass has failed since the last
//     success, or the later of the last success of any daemon of this
//     process and the time this replica started leading (the process
//     start without election) is at most grace old: a reload does not
//     restart the grace.
//
// A reason never holds a token.
func Readiness(v RunView, now time.Time, grace time.Duration) (bool, string) {
	switch {
	case v.Cfg == nil:
		return false, "config not loaded"
	case v.Election.Enabled && !v.Election.IsLeader:
		return followerReadiness(v, now, grace)
	case v.Snap == nil:
		return startingReadiness(v, now, grace)
	}
	st := v.Snap
	if st.LastPassErr == "" {
		return true, "ok"
	}
	since := v.LeadingSince
	for _, ok := range []time.Time{v.LastOK, st.LastOKAt} {
		if ok.After(since) {
			since = ok
		}
	}
	if now.Sub(since) <= grace {
		return true, "last pass failed, within ready_grace"
	}
	return false, "no successful pass since " + since.UTC().Format(time.RFC3339) + ": " + st.LastPassErr
}

// followerReadiness is readiness on a follower.
func followerReadiness(v RunView, now time.Time, grace time.Duration) (bool, string) {
	if v.Election.Leader != "" {
		return true, "follower of " + v.Election.Leader
	}
	if v.leaderlessSince.IsZero() || now.Sub(v.leaderlessSince) <= grace {
		return true, "follower, no leader known yet, within ready_grace"
	}
	return false, "follower with no leader known for " + age(now, v.leaderlessSince) +
		": the lease cannot be read or nobody can acquire it"
}

// startingReadiness is readiness while no daemon runs where one should.
func startingReadiness(v RunView, now time.Time, grace time.Duration) (bool, string) {
	if v.StartedAt.IsZero() || now.Sub(v.StartedAt) <= grace {
		return true, "starting"
	}
	return false, "starting for " + age(now, v.StartedAt) + ": the api token check has not succeeded yet"
}

// age is how long ago since was, to the second.
func age(now, since time.Time) string { return now.Sub(since).Round(time.Second).String() }
