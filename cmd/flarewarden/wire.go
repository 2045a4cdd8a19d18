package main

import (
	"fmt"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/service"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/providers/health"
	"github.com/flarewarden/flarewarden/providers/notify"
)

// newProber builds the health prober, or nil when no check is configured.
func newProber(h config.Health) (*health.Prober, error) {
	if len(h.Checks) == 0 {
		return nil, nil
	}
	p, err := health.New(h.ProberOptions())
	if err != nil {
		return nil, fmt.Errorf("health: %w", err)
	}
	return p, nil
}

// newNotifiers builds one notifier per configured target, so that each
// is delivered to through a queue of its own.
func newNotifiers(n config.Notify, a *service.App) ([]daemon.Notifier, error) {
	opts := n.NotifierOptions()
	opts.Logger = a.Log.Named("notify")
	nt, err := notify.New(opts)
	if err != nil {
		return nil, err
	}
	var out []daemon.Notifier
	for _, t := range nt.PerTarget() {
		out = append(out, t)
	}
	return out, nil
}
