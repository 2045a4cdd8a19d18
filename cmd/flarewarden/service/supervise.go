package service

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

// Supervisor runs the daemon of the current config and swaps configs on
// reload: a new config is loaded and validated, and its api token
// verified, first; only then does it stop the running daemon (gracefully)
// and start the next.
type Supervisor struct {
	load          func() (*App, error) // loads, validates and wires the config file
	state         *RunState
	Log           *zap.Logger
	VerifyTimeout time.Duration // bounds a reloaded config's token check
	// healer outlives the daemons of successive configs and terms, so a
	// transition is reported once, not again after every reload.
	healer *daemon.Healer

	mu      sync.Mutex
	current *App
	// verified is the app whose token a reload checked at verifiedAt, until
	// a daemon takes it: a daemon taking it within verifiedFresh need not
	// check it again (a follower may take it hours later, when it leads).
	verified   *App
	VerifiedAt time.Time
	// setLevel, when set, applies a reloaded config's log level to every
	// logger of the process (zap.AtomicLevel.SetLevel).
	SetLevel func(zapcore.Level)
	Changed  chan struct{} // a new current app is waiting (coalesced); sent and drained under mu
}

// VerifiedFresh is how long a reload's token check spares the next daemon
// its own.
const VerifiedFresh = time.Minute

func NewSupervisor(first *App, load func() (*App, error), state *RunState) *Supervisor {
	return &Supervisor{load: load, state: state, Log: first.Log, VerifyTimeout: reloadVerifyTimeout,
		healer: &daemon.Healer{}, current: first, Changed: make(chan struct{}, 1)}
}

// WatchReloads reloads on every trigger until ctx ends. An invalid config,
// or one whose api token is rejected or cannot be checked, is logged with
// every problem and the running one is kept.
func (s *Supervisor) WatchReloads(ctx context.Context, triggers <-chan string) {
	for {
		select {
		case <-ctx.Done():
			return
		case why := <-triggers:
			s.Reload(ctx, why)
		}
	}
}

// Reload loads the config file and, if it is valid and its token is
// accepted, makes it the current one.
func (s *Supervisor) Reload(ctx context.Context, why string) {
	next, err := s.load()
	if err == nil {
		err = s.verify(ctx, next)
	}
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		s.Log.Error("config reload rejected, keeping the running config", zap.String("trigger", why),
			zap.Strings("problems", problems(err)))
		return
	}
	if s.SetLevel != nil {
		s.SetLevel(next.Level)
	}
	old := s.Swap(next)
	if old.Cfg.Server.RestartNeeded(next.Cfg.Server) {
		s.Log.Warn("server listen, token_file or require_token changed, restart to apply it")
	}
	if next.Cfg.Log.Format != next.LogFormat {
		s.Log.Warn("log format changed, restart to apply it")
	}
	s.Log.Info("config reloaded", zap.String("trigger", why))
}

// Verify checks next's api token, retrying soft errors for at most
// s.verifyTimeout.
func (s *Supervisor) verify(ctx context.Context, next *App) error {
	vctx, cancel := context.WithTimeout(ctx, s.VerifyTimeout)
	defer cancel()
	err := daemon.RetrySoft(vctx, retryBackoff(next), next.Log, "verify reloaded api token", next.Verify)
	if err != nil && ctx.Err() == nil && vctx.Err() != nil {
		return fmt.Errorf("cloudflare api token not verified within %v (the api stayed unreachable)", s.VerifyTimeout)
	}
	return err
}

// Swap makes next the current app, signals the running daemon and
// returns the app it replaced.
func (s *Supervisor) Swap(next *App) (old *App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, s.current, s.verified, s.VerifiedAt = s.current, next, next, time.Now()
	select {
	case s.Changed <- struct{}{}:
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

func (s *Supervisor) App() *App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// Take returns the current app for a daemon about to start, and whether a
// Reload has just verified its token. It drops a pending change signal:
// that daemon already runs the newest config (a reload queued while no
// Daemon ran, as on a follower, must not restart the next term's first
// daemon).
func (s *Supervisor) Take() (a *App, verified bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.Changed:
	default:
	}
	verified = s.verified == s.current && time.Since(s.VerifiedAt) < VerifiedFresh
	s.verified = nil
	return s.current, verified
}

// Run runs the daemon of the current config until ctx ends (nil) or a
// Daemon fails for good (a rejected token), restarting it on each reload.
func (s *Supervisor) Run(ctx context.Context) error {
	for {
		a, verified := s.Take()
		dctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- runDaemon(dctx, a, verified, s.healer, s.state) }()
		select {
		case err := <-done:
			stop()
			return err
		case <-s.Changed:
			stop()
			if err := <-done; err != nil {
				return err
			}
			s.Log.Info("daemon restarting with the reloaded config")
		}
	}
}

// retryBackoff is a's backoff for soft errors.
func retryBackoff(a *App) daemon.Backoff {
	return daemon.Backoff{Base: time.Duration(a.Cfg.Retry.Base), Max: time.Duration(a.Cfg.Retry.Max)}
}

// runDaemon verifies the token (unless verified says a reload just did),
// then runs a's daemon (with h, which only one daemon may use at a time)
// until ctx ends, publishing it in state while it runs. state knows the daemon is
// starting from before the token check, so /readyz can tell a check that
// never succeeds.
func runDaemon(ctx context.Context, a *App, verified bool, h *daemon.Healer, state *RunState) error {
	start := time.Now()
	state.starting(start)
	defer state.SetDaemon(nil, nil, time.Time{})
	backoff := retryBackoff(a)
	// At boot the network may not be up yet: retry soft failures; a
	// rejected token ends the daemon before anything is written.
	if !verified {
		if err := daemon.RetrySoft(ctx, backoff, a.Log, "verify api token", a.Verify); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
	sched, err := config.CronParser.Parse(a.Cfg.Schedule)
	if err != nil {
		return err
	}
	d := a.daemon(sched, backoff, h)
	if a.Metrics != nil {
		a.Metrics.ResetHealth()
	}
	state.SetDaemon(d, a.Cfg, start)
	a.Log.Info("daemon started", zap.String("schedule", a.Cfg.Schedule), zap.Int("records", len(a.Cfg.Records)),
		zap.String("policy", a.Cfg.Policy), zap.Int("health_checks", len(a.Cfg.Health.Checks)),
		zap.Bool("address_watch", d.Watch != nil))
	err = d.Run(ctx)
	a.Log.Info("daemon stopped")
	return err
}
