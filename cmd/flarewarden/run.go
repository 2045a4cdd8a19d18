package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller"
)

func newRunCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Run as a daemon: a pass at start, then on the schedule",
		Long: `Run as a daemon: a pass at start, then on the cron schedule ("@every 5m" by
default; any five-field cron spec or descriptor). Soft errors (429, 5xx,
timeouts) are retried with exponential backoff and jitter. SIGINT/SIGTERM stop
it cleanly: the pass in flight is cancelled, and every write is atomic per zone.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return c.run(cmd.Context()) },
	}
}

func (c *cli) run(ctx context.Context) error {
	a, err := c.newApp()
	if err != nil {
		return err
	}
	defer a.close()
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
	a.log.Info("daemon started", zap.String("schedule", a.cfg.Schedule), zap.Int("records", len(a.cfg.Records)),
		zap.String("policy", a.cfg.Policy), zap.Int("health_checks", len(a.cfg.Health.Checks)),
		zap.Bool("address_watch", d.Watch != nil))
	err = d.Run(ctx)
	a.log.Info("daemon stopped")
	return err
}

// daemon assembles the service from the app.
func (a *app) daemon(sched controller.Schedule, backoff controller.Backoff) *controller.Daemon {
	d := &controller.Daemon{Reconciler: a.rec, Schedule: sched, Backoff: backoff,
		DetectInterval: time.Duration(a.cfg.Detect.Interval), Watch: ifaceWatch(a.cfg.Detect),
		Healer: &controller.Healer{}, SelfCovered: selfCovered(a.cfg.WAF), Notifier: a.notifier, Log: a.log}
	d.OnFailure, d.NoTakeover = takeoverModes(a.cfg.Records)
	if a.prober != nil {
		d.Prober, d.HealthInterval = a.prober, time.Duration(a.cfg.Health.Interval)
	}
	return d
}
