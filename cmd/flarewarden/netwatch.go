package main

import (
	"context"
	"strings"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
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
