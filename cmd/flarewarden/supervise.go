package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/metrics"
)

// supervisor runs the daemon of the current config and swaps configs on
// reload: a new config is loaded and validated first, and only a valid
// one stops the running daemon (gracefully) and starts the next.
type supervisor struct {
	load    func() (*app, error) // loads, validates and wires the config file
	state   *runState
	metrics *metrics.Metrics
	log     *zap.Logger

	mu      sync.Mutex
	current *app
	changed chan struct{} // a new current app is waiting (coalesced)
}

func newSupervisor(first *app, load func() (*app, error), state *runState, m *metrics.Metrics) *supervisor {
	return &supervisor{load: load, state: state, metrics: m, log: first.log, current: first,
		changed: make(chan struct{}, 1)}
}

// watchReloads reloads on every trigger until ctx ends. An invalid config
// is logged with every field at fault and the running one is kept.
func (s *supervisor) watchReloads(ctx context.Context, triggers <-chan string) {
	for {
		select {
		case <-ctx.Done():
			return
		case why := <-triggers:
			s.reload(why)
		}
	}
}

func (s *supervisor) reload(why string) {
	next, err := s.load()
	if err != nil {
		s.log.Error("config reload rejected, keeping the running config", zap.String("trigger", why),
			zap.Strings("problems", problems(err)))
		return
	}
	s.mu.Lock()
	old := s.current
	s.current = next
	s.mu.Unlock()
	if old.cfg.Server != next.cfg.Server {
		s.log.Warn("server section changed, restart to apply it")
	}
	s.log.Info("config reloaded", zap.String("trigger", why))
	select {
	case s.changed <- struct{}{}:
	default:
	}
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

// run runs the daemon of the current config until ctx ends (nil) or a
// daemon fails for good (a rejected token), restarting it on each reload.
func (s *supervisor) run(ctx context.Context) error {
	for {
		a := s.app()
		dctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- runDaemon(dctx, a, s.state, s.metrics) }()
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

// runDaemon verifies the token, then runs a's daemon until ctx ends,
// publishing it in state while it runs.
func runDaemon(ctx context.Context, a *app, state *runState, m *metrics.Metrics) error {
	backoff := controller.Backoff{Base: time.Duration(a.cfg.Retry.Base), Max: time.Duration(a.cfg.Retry.Max)}
	// At boot the network may not be up yet: retry soft failures; a
	// rejected token ends the daemon before anything is written.
	if err := controller.RetrySoft(ctx, backoff, a.log, "verify api token", a.verify); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	sched, err := config.CronParser.Parse(a.cfg.Schedule)
	if err != nil {
		return err
	}
	d := a.daemon(sched, backoff)
	if m != nil {
		m.ResetHealth()
	}
	state.setDaemon(d, a.cfg, time.Now())
	defer state.setDaemon(nil, nil, time.Time{})
	a.log.Info("daemon started", zap.String("schedule", a.cfg.Schedule), zap.Int("records", len(a.cfg.Records)),
		zap.String("policy", a.cfg.Policy), zap.Int("health_checks", len(a.cfg.Health.Checks)),
		zap.Bool("address_watch", d.Watch != nil))
	err = d.Run(ctx)
	a.log.Info("daemon stopped")
	return err
}
