package main

import (
	"context"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/controller/history"
	"github.com/flarewarden/flarewarden/providers/metrics"
)

func newRunCmd(c *cli) *cobra.Command {
	var ef electFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run as a daemon: a pass at start, then on the schedule",
		Long: `Run as a daemon: a pass at start, then on the cron schedule ("@every 5m" by
default; any five-field cron spec or descriptor). Soft errors (429, 5xx,
timeouts) are retried with exponential backoff and jitter. SIGINT/SIGTERM stop
it cleanly: the pass in flight is cancelled, and every write is atomic per zone.
SIGHUP, or a change of the config file, reloads the config: a valid one
replaces the running daemon, an invalid one is logged and ignored.
The HTTP endpoint (server.listen) serves /healthz, /readyz, /metrics, /status
and POST /reconcile. With --leader-elect only the replica holding the
Kubernetes Lease runs the daemon.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return c.run(cmd.Context(), ef) },
	}
	ef.register(cmd)
	return cmd
}

func (c *cli) run(ctx context.Context, ef electFlags) error {
	hups, stopHups := c.catchHangups()
	defer stopHups()
	path, err := c.configFile()
	if err != nil {
		return err
	}
	// The reload poll compares with the file as it was before loading, so
	// an edit made while starting up is reloaded, not missed. Unreadable
	// now, the zero version makes the first readable one a change.
	ver := service.NewConfigVersion(path)
	m, h := metrics.New(), history.New(time.Now)
	build := func() (*service.App, error) {
		a, err := c.newInstrumentedApp(m)
		if a != nil {
			a.History = h
		}
		return a, err
	}
	a, err := build()
	if err != nil {
		return err
	}
	defer a.Close()
	lc := ef.config(c.env, a.Log)
	state := service.NewRunState(a.Cfg, service.LeaderView{Enabled: ef.enabled, Identity: lc.Identity})
	m.SetLeader(!ef.enabled)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ep, err := c.startEndpoint(ctx, cancel, a, state, m, h)
	if err != nil {
		return err
	}
	sup := service.NewSupervisor(a, func() (*service.App, error) { ver.Refresh(); return build() }, state)
	sup.SetLevel = c.level.SetLevel
	go sup.WatchReloads(ctx, c.reloadTriggers(ctx, hups, ver, a.Log))
	if ef.enabled {
		err = service.RunElected(ctx, c.electFunc(), lc, sup, state, m)
	} else {
		err = sup.Run(ctx)
	}
	cancel()
	if epErr := ep.Wait(); err == nil {
		err = epErr
	}
	return err
}

// startEndpoint starts the HTTP endpoint unless server.listen is empty
// (nil). A failure to listen is returned at once; the endpoint stops when
// ctx ends. An endpoint that fails while serving ends the run through
// cancel.
func (c *cli) startEndpoint(ctx context.Context, cancel context.CancelFunc, a *service.App, state *service.RunState, m *metrics.Metrics, h *history.History) (*service.Background, error) {
	srv := a.Cfg.Server
	if srv.Listen == "" {
		return nil, nil
	}
	token, err := srv.ResolveToken(c.env, os.ReadFile)
	if err != nil {
		return nil, err
	}
	e := &service.Endpoint{State: state, Metrics: m, History: h, Token: token, RequireToken: srv.RequireToken,
		Log: a.Log.Named("http"), Now: time.Now}
	ln, err := service.Listen(srv.Listen)
	if err != nil {
		return nil, err
	}
	if c.onListen != nil {
		c.onListen(ln.Addr())
	}
	return service.ServeInBackground(ctx, ln, e.Handler(), e.Log, cancel), nil
}
