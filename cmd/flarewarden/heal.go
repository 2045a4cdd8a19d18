package main

import (
	"context"
	"slices"
	"strings"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/providers/netwatch"
)

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

// selfScope says where the skip rules list this host's own address: the
// zones they name, and whether one names none (every managed zone).
func selfScope(w config.WAF) daemon.SelfScope {
	var s daemon.SelfScope
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
