package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/controller/history"
	"github.com/flarewarden/flarewarden/controller/redact"
	"github.com/flarewarden/flarewarden/providers/cloudflare"
	"github.com/flarewarden/flarewarden/providers/health"
	"github.com/flarewarden/flarewarden/providers/metrics"
)

// App is the wired program: configuration, logger and components, built
// by cmd/flarewarden from a config.
type App struct {
	Cfg    *config.Config
	Log    *zap.Logger
	CF     *cloudflare.Client
	Rec    *controller.Reconciler
	Prober *health.Prober // nil without health checks
	// Uplinks ties each uplink to its canary's check (nil without uplinks).
	Uplinks   []daemon.UplinkCheck
	Notifiers []daemon.Notifier // one per notification target
	Metrics   *metrics.Metrics  // nil when not instrumented
	// History, when set, records the daemon's passes and health rounds
	// (the status page's); it outlives reloads.
	History   *history.History
	Level     zapcore.Level // the config's log level (--log-level applied)
	LogFormat string        // the log.format setting the process's loggers follow: the first config's
	// watch reports address changes of the iface: IP sources (nil when
	// there are none); self is where the skip rules list this host.
	Watch func(ctx context.Context, changed func()) error
	Self  daemon.SelfScope
}

// Verify checks the token before anything is written. When the API gave
// no answer at all, the error says where it was looked for and which
// settings say so, rather than leaving the token suspected.
func (a *App) Verify(ctx context.Context) error {
	if err := a.CF.Verify(ctx); err != nil {
		var e *cloudflare.APIError
		if errors.As(err, &e) && e.Status == 0 && ctx.Err() == nil {
			return fmt.Errorf("%w: the Cloudflare API at %s did not answer (set by cloudflare.api_base_url or %s; the token was not checked)",
				err, redact.URL(a.Cfg.Cloudflare.APIBaseURL), config.EnvBaseURL)
		}
		return err
	}
	a.Log.Debug("api token verified")
	return nil
}

// Close flushes the logger; a failed flush at exit has no remedy.
func (a *App) Close() { _ = a.Log.Sync() }

// Daemon assembles the service from the app.
func (a *App) daemon(sched daemon.Schedule, backoff daemon.Backoff, h *daemon.Healer) *daemon.Daemon {
	h.NotifyHold = time.Duration(a.Cfg.Health.NotifyHold) // no daemon uses h now: the previous one has stopped
	d := &daemon.Daemon{Reconciler: a.Rec, Schedule: sched, Backoff: backoff,
		DetectInterval: time.Duration(a.Cfg.Detect.Interval), Watch: a.Watch,
		Healer: h, Self: a.Self, Notifiers: a.Notifiers, Log: a.Log}
	d.OnFailure, d.NoTakeover = daemon.TakeoverModes(a.Rec.Names)
	if a.Prober != nil {
		d.Prober, d.HealthInterval = a.Prober, time.Duration(a.Cfg.Health.Interval)
	}
	if len(a.Uplinks) > 0 {
		d.Uplinks = daemon.NewUplinkTracker(a.Uplinks)
	}
	var observers daemon.PassObservers
	if a.Metrics != nil {
		observers = append(observers, a.Metrics)
		if d.Prober != nil {
			d.Prober = a.Metrics.Prober(d.Prober)
		}
	}
	if a.History != nil {
		observers = append(observers, a.History)
		if d.Prober != nil {
			d.Prober = a.History.Prober(d.Prober)
		}
	}
	if len(observers) > 0 {
		d.Observer = observers
	}
	return d
}
