package main

import (
	"sync"
	"time"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

// runState is what the HTTP endpoint reads about the running service: the
// daemon of the current config (nil while none runs, as on a follower or
// while the api token is checked) and the leader election's view. It is
// safe for concurrent use.
type runState struct {
	mu              sync.Mutex
	cfg             *config.Config
	daemon          *daemon.Daemon
	startedAt       time.Time // when the daemon started starting (token check included); zero: none
	election        leaderView
	leaderlessSince time.Time // since when no leader is known (the process start at first)
	// leadingSince is when this replica last started leading (the process
	// start without election); lastOK the last successful pass of any
	// daemon this process ran. Both outlive a reload's daemon restart, so
	// a reload does not restart ready_grace.
	leadingSince time.Time
	lastOK       time.Time
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
	cfg             *config.Config
	daemon          *daemon.Daemon
	snap            *daemon.Status // the daemon's snapshot; nil without a daemon
	startedAt       time.Time
	election        leaderView
	leaderlessSince time.Time
	leadingSince    time.Time
	lastOK          time.Time // the last success of the daemons replaced so far
}

// grace is server.ready_grace of the view's config (0 without one).
func (v runView) grace() time.Duration {
	if v.cfg == nil {
		return 0
	}
	return time.Duration(v.cfg.Server.ReadyGrace)
}

// newRunState returns the state of a process starting now with cfg.
func newRunState(cfg *config.Config, election leaderView) *runState {
	if !election.Enabled {
		election.IsLeader = true
	}
	now := time.Now()
	return &runState{cfg: cfg, election: election, leaderlessSince: now, leadingSince: now}
}

// keepLastOK remembers the last success of the daemon about to be
// replaced. The caller holds s.mu.
func (s *runState) keepLastOK() {
	if s.daemon == nil {
		return
	}
	if ok := s.daemon.Snapshot().LastOKAt; ok.After(s.lastOK) {
		s.lastOK = ok
	}
}

// starting records that a daemon started starting at at (its token is
// being checked): none runs yet.
func (s *runState) starting(at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keepLastOK()
	s.daemon, s.startedAt = nil, at
}

// setDaemon records the daemon now running with cfg, started at at (d
// nil: none runs).
func (s *runState) setDaemon(d *daemon.Daemon, cfg *config.Config, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keepLastOK()
	s.daemon, s.startedAt = d, at
	if cfg != nil {
		s.cfg = cfg
	}
}

// setLeader records a leader election change; leader "" means none is
// known, from now on if one was known before.
func (s *runState) setLeader(isLeader bool, leader string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if leader == "" && s.election.Leader != "" {
		s.leaderlessSince = time.Now()
	}
	if isLeader && !s.election.IsLeader {
		s.leadingSince = time.Now()
	}
	s.election.IsLeader, s.election.Leader = isLeader, leader
}

func (s *runState) view() runView {
	s.mu.Lock()
	v := runView{cfg: s.cfg, daemon: s.daemon, startedAt: s.startedAt, election: s.election,
		leaderlessSince: s.leaderlessSince, leadingSince: s.leadingSince, lastOK: s.lastOK}
	s.mu.Unlock()
	if v.daemon != nil {
		st := v.daemon.Snapshot()
		v.snap = &st
	}
	return v
}

// readiness says whether this replica is ready, and why. It is not ready
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
func readiness(v runView, now time.Time, grace time.Duration) (bool, string) {
	switch {
	case v.cfg == nil:
		return false, "config not loaded"
	case v.election.Enabled && !v.election.IsLeader:
		return followerReadiness(v, now, grace)
	case v.snap == nil:
		return startingReadiness(v, now, grace)
	}
	st := v.snap
	if st.LastPassErr == "" {
		return true, "ok"
	}
	since := v.leadingSince
	for _, ok := range []time.Time{v.lastOK, st.LastOKAt} {
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
func followerReadiness(v runView, now time.Time, grace time.Duration) (bool, string) {
	if v.election.Leader != "" {
		return true, "follower of " + v.election.Leader
	}
	if v.leaderlessSince.IsZero() || now.Sub(v.leaderlessSince) <= grace {
		return true, "follower, no leader known yet, within ready_grace"
	}
	return false, "follower with no leader known for " + age(now, v.leaderlessSince) +
		": the lease cannot be read or nobody can acquire it"
}

// startingReadiness is readiness while no daemon runs where one should.
func startingReadiness(v runView, now time.Time, grace time.Duration) (bool, string) {
	if v.startedAt.IsZero() || now.Sub(v.startedAt) <= grace {
		return true, "starting"
	}
	return false, "starting for " + age(now, v.startedAt) + ": the api token check has not succeeded yet"
}

// age is how long ago since was, to the second.
func age(now, since time.Time) string { return now.Sub(since).Round(time.Second).String() }
