package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

// reloadVerifyTimeout bounds the api token check of a reloaded config
// (soft errors are retried until then).
const reloadVerifyTimeout = 30 * time.Second

// supervisor runs the daemon of the current config and swaps configs on
// reload: a new config is loaded and validated, and its api token
// verified, first; only then does it stop the running daemon (gracefully)
// and start the next.
type supervisor struct {
	load          func() (*app, error) // loads, validates and wires the config file
	state         *runState
	log           *zap.Logger
	verifyTimeout time.Duration // bounds a reloaded config's token check
	// healer outlives the daemons of successive configs and terms, so a
	// transition is reported once, not again after every reload.
	healer *daemon.Healer

	mu      sync.Mutex
	current *app
	// verified is the app whose token a reload checked at verifiedAt, until
	// a daemon takes it: a daemon taking it within verifiedFresh need not
	// check it again (a follower may take it hours later, when it leads).
	verified   *app
	verifiedAt time.Time
	// setLevel, when set, applies a reloaded config's log level to every
	// logger of the process (zap.AtomicLevel.SetLevel).
	setLevel func(zapcore.Level)
	changed  chan struct{} // a new current app is waiting (coalesced); sent and drained under mu
}

// verifiedFresh is how long a reload's token check spares the next daemon
// its own.
const verifiedFresh = time.Minute

func newSupervisor(first *app, load func() (*app, error), state *runState) *supervisor {
	return &supervisor{load: load, state: state, log: first.log, verifyTimeout: reloadVerifyTimeout,
		healer: &daemon.Healer{}, current: first, changed: make(chan struct{}, 1)}
}

// watchReloads reloads on every trigger until ctx ends. An invalid config,
// or one whose api token is rejected or cannot be checked, is logged with
// every problem and the running one is kept.
func (s *supervisor) watchReloads(ctx context.Context, triggers <-chan string) {
	for {
		select {
		case <-ctx.Done():
			return
		case why := <-triggers:
			s.reload(ctx, why)
		}
	}
}

// reload loads the config file and, if it is valid and its token is
// accepted, makes it the current one.
func (s *supervisor) reload(ctx context.Context, why string) {
	next, err := s.load()
	if err == nil {
		err = s.verify(ctx, next)
	}
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		s.log.Error("config reload rejected, keeping the running config", zap.String("trigger", why),
			zap.Strings("problems", problems(err)))
		return
	}
	if s.setLevel != nil {
		s.setLevel(next.level)
	}
	old := s.swap(next)
	if old.cfg.Server.RestartNeeded(next.cfg.Server) {
		s.log.Warn("server listen, token_file or require_token changed, restart to apply it")
	}
	if next.cfg.Log.Format != next.logFormat {
		s.log.Warn("log format changed, restart to apply it")
	}
	s.log.Info("config reloaded", zap.String("trigger", why))
}

// verify checks next's api token, retrying soft errors for at most
// s.verifyTimeout.
func (s *supervisor) verify(ctx context.Context, next *app) error {
	vctx, cancel := context.WithTimeout(ctx, s.verifyTimeout)
	defer cancel()
	err := daemon.RetrySoft(vctx, retryBackoff(next), next.log, "verify reloaded api token", next.verify)
	if err != nil && ctx.Err() == nil && vctx.Err() != nil {
		return fmt.Errorf("cloudflare api token not verified within %v (the api stayed unreachable)", s.verifyTimeout)
	}
	return err
}

// swap makes next the current app, signals the running daemon and
// returns the app it replaced.
func (s *supervisor) swap(next *app) (old *app) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, s.current, s.verified, s.verifiedAt = s.current, next, next, time.Now()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return old
}

// problems lists a config error's problems, one per field.
func problems(err error) []string {
	var p *config.Problems
	if !errors.As(err, &p) {
		return []string{err.Error()}
	}
	out := make([]string, len(p.Errs))
	for i, e := range p.Errs {
		out[i] = e.Error()
	}
	return out
}

func (s *supervisor) app() *app {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// take returns the current app for a daemon about to start, and whether a
// reload has just verified its token. It drops a pending change signal:
// that daemon already runs the newest config (a reload queued while no
// daemon ran, as on a follower, must not restart the next term's first
// daemon).
func (s *supervisor) take() (a *app, verified bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.changed:
	default:
	}
	verified = s.verified == s.current && time.Since(s.verifiedAt) < verifiedFresh
	s.verified = nil
	return s.current, verified
}

// run runs the daemon of the current config until ctx ends (nil) or a
// daemon fails for good (a rejected token), restarting it on each reload.
func (s *supervisor) run(ctx context.Context) error {
	for {
		a, verified := s.take()
		dctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- runDaemon(dctx, a, verified, s.healer, s.state) }()
		select {
		case err := <-done:
			stop()
			return err
		case <-s.changed:
			stop()
			if err := <-done; err != nil {
				return err
			}
			s.log.Info("daemon restarting with the reloaded config")
		}
	}
}

// retryBackoff is a's backoff for soft errors.
func retryBackoff(a *app) daemon.Backoff {
	return daemon.Backoff{Base: time.Duration(a.cfg.Retry.Base), Max: time.Duration(a.cfg.Retry.Max)}
}

// runDaemon verifies the token (unless verified says a reload just did),
// then runs a's daemon (with h, which only one daemon may use at a time)
// until ctx ends, publishing it in state while it runs. state knows the daemon is
// starting from before the token check, so /readyz can tell a check that
// never succeeds.
func runDaemon(ctx context.Context, a *app, verified bool, h *daemon.Healer, state *runState) error {
	start := time.Now()
	state.starting(start)
	defer state.setDaemon(nil, nil, time.Time{})
	backoff := retryBackoff(a)
	// At boot the network may not be up yet: retry soft failures; a
	// rejected token ends the daemon before anything is written.
	if !verified {
		if err := daemon.RetrySoft(ctx, backoff, a.log, "verify api token", a.verify); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
	sched, err := config.CronParser.Parse(a.cfg.Schedule)
	if err != nil {
		return err
	}
	d := a.daemon(sched, backoff, h)
	if a.metrics != nil {
		a.metrics.ResetHealth()
	}
	state.setDaemon(d, a.cfg, start)
	a.log.Info("daemon started", zap.String("schedule", a.cfg.Schedule), zap.Int("records", len(a.cfg.Records)),
		zap.String("policy", a.cfg.Policy), zap.Int("health_checks", len(a.cfg.Health.Checks)),
		zap.Bool("address_watch", d.Watch != nil))
	err = d.Run(ctx)
	a.log.Info("daemon stopped")
	return err
}
