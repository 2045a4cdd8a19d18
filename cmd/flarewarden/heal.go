package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/health"
	"github.com/flarewarden/flarewarden/providers/netwatch"
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
func newNotifiers(n config.Notify, a *app) ([]controller.Notifier, error) {
	opts := n.NotifierOptions()
	opts.Logger = a.log.Named("notify")
	nt, err := notify.New(opts)
	if err != nil {
		return nil, err
	}
	var out []controller.Notifier
	for _, t := range nt.PerTarget() {
		out = append(out, t)
	}
	return out, nil
}

// ifaceWatch returns a netlink watch over the interfaces of iface: IP
// sources, or nil when there are none.
func ifaceWatch(d config.Detect) func(context.Context, func()) error {
	var names []string
	for _, f := range []config.Family{d.IPv4, d.IPv6} {
		if !f.On() {
			continue
		}
		for _, s := range f.Sources {
			if name, ok := strings.CutPrefix(strings.TrimSpace(s), "iface:"); ok {
				names = append(names, name)
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	return func(ctx context.Context, changed func()) error { return netwatch.Watch(ctx, names, changed) }
}

// takeoverModes splits the names by takeover mode, for the healer.
func takeoverModes(recs []config.Record) (onFailure, never map[string]bool) {
	onFailure, never = map[string]bool{}, map[string]bool{}
	for _, r := range recs {
		name := controller.NormalizeName(r.Name)
		switch r.Takeover() {
		case config.TakeoverOnFailure:
			onFailure[name] = true
		case config.TakeoverNever:
			never[name] = true
		}
	}
	return onFailure, never
}

// selfScope says where the skip rules list this host's own address: the
// zones they name, and whether one names none (every managed zone).
func selfScope(w config.WAF) controller.SelfScope {
	var s controller.SelfScope
	for _, r := range w.SkipRules {
		if !slices.ContainsFunc(r.Sources.Sources, isSelf) {
			continue
		}
		if len(r.Zones) == 0 {
			s.Managed = true
		}
		s.Zones = append(s.Zones, r.Zones...)
	}
	return s
}

// isSelf reports whether a configured source is "self".
func isSelf(src string) bool { return strings.EqualFold(strings.TrimSpace(src), "self") }
