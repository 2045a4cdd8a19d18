package main

import (
	"net"
	"strconv"
	"time"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/providers/health"
	"github.com/flarewarden/flarewarden/providers/ipdetect"
	"github.com/flarewarden/flarewarden/providers/notify"
)

// The options of the providers that check a config section themselves,
// converted from that section. checkProviders and the app build each
// provider from the same options, so that what `config validate` accepts
// is what `run` builds.

// detectorConfig converts the detect section for the ipdetect provider.
func detectorConfig(d config.Detect) ipdetect.Config {
	fam := func(f config.Family) ipdetect.FamilyConfig {
		return ipdetect.FamilyConfig{Enabled: f.On(), Sources: f.Sources, Quorum: f.Quorum, AllowPrivate: f.AllowPrivate}
	}
	return ipdetect.Config{V4: fam(d.IPv4), V6: fam(d.IPv6), Timeout: time.Duration(d.Timeout)}
}

// proberOptions converts the health section for the health provider. An
// origin address without a port gets origin.port.
func proberOptions(h config.Health) health.Options {
	opts := health.Options{DNSServer: h.DNSServer}
	for _, c := range h.Checks {
		hc := health.Check{Name: c.Name, URL: c.URL, ExpectStatus: c.ExpectStatus, Timeout: time.Duration(c.Timeout),
			EdgeAddress: c.EdgeAddress, Headers: c.Headers}
		if o := c.Origin; o != nil {
			hc.Origin = &health.OriginCheck{Port: o.Port, TLS: o.TLS, Address: originHostPort(*o)}
		}
		opts.Checks = append(opts.Checks, hc)
	}
	return opts
}

// originHostPort is the origin's address as host:port (its port when it
// has none), or "" to probe the detected public address.
func originHostPort(o config.OriginCheck) string {
	if o.Address == "" {
		return ""
	}
	if _, _, err := net.SplitHostPort(o.Address); err == nil {
		return o.Address
	}
	return net.JoinHostPort(o.Address, strconv.Itoa(o.Port))
}

// notifierOptions converts the notify section for the notify provider,
// without a logger. Retries 0 means none.
func notifierOptions(n config.Notify) notify.Options {
	retries := -1 // notify's "none"; its zero means its default
	if n.Retries != nil && *n.Retries > 0 {
		retries = *n.Retries
	}
	opts := notify.Options{Healthchecks: n.Healthchecks, UptimeKuma: n.UptimeKuma, Shoutrrr: n.Shoutrrr,
		Timeout: time.Duration(n.Timeout), Retries: retries}
	for _, w := range n.Webhooks {
		opts.Webhooks = append(opts.Webhooks, notify.Webhook{URL: w.URL, Headers: w.Headers})
	}
	return opts
}
