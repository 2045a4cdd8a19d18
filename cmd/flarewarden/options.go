package main

import (
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller/daemon"
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
	return ipdetect.Config{V4: familyConfig(d.IPv4), V6: familyConfig(d.IPv6), Timeout: time.Duration(d.Timeout)}
}

func familyConfig(f config.Family) ipdetect.FamilyConfig {
	return ipdetect.FamilyConfig{Enabled: f.On(), Sources: f.Sources, Quorum: f.Quorum, AllowPrivate: f.AllowPrivate}
}

// uplinksConfig converts the uplinks for the ipdetect provider: each
// uplink's families (defaulted from detect by config) bound to it, with
// detect's timeout.
func uplinksConfig(cfg *config.Config) []ipdetect.Uplink {
	out := make([]ipdetect.Uplink, 0, len(cfg.Uplinks))
	for _, u := range cfg.Uplinks {
		c := ipdetect.Config{Timeout: time.Duration(cfg.Detect.Timeout), Bind: ipdetect.Bind{Interface: u.Bind.Interface}}
		c.Bind.Address, _ = netip.ParseAddr(u.Bind.Address) // config checked it
		if f := u.Detect.IPv4; f != nil {
			c.V4 = familyConfig(*f)
		}
		if f := u.Detect.IPv6; f != nil {
			c.V6 = familyConfig(*f)
		}
		out = append(out, ipdetect.Uplink{Name: u.Name, Config: c})
	}
	return out
}

// proberOptions converts the health section, and each uplink's canary,
// for the health provider. An origin address without a port gets
// origin.port.
func proberOptions(cfg *config.Config) health.Options {
	h := cfg.Health
	opts := health.Options{DNSServer: h.DNSServer}
	for _, c := range h.Checks {
		hc := health.Check{Name: c.Name, URL: c.URL, ExpectStatus: c.ExpectStatus, Timeout: time.Duration(c.Timeout),
			EdgeAddress: c.EdgeAddress, Headers: c.Headers}
		if o := c.Origin; o != nil {
			hc.Origin = &health.OriginCheck{Port: o.Port, TLS: o.TLS, Address: originHostPort(*o)}
		}
		opts.Checks = append(opts.Checks, hc)
	}
	vias := uplinkRoutes(cfg)
	for _, u := range cfg.Uplinks {
		c := u.Canary
		hc := health.Check{Name: canaryCheck(u.Name), URL: c.URL(), ExpectStatus: c.ExpectStatus, EdgeAddress: c.EdgeAddress,
			Timeout: time.Duration(c.Timeout), Uplink: u.Name, EdgeVia: vias}
		if o := c.Origin; o != nil {
			hc.Origin = &health.OriginCheck{Port: o.Port, TLS: o.TLS, Address: originHostPort(*o)}
		}
		opts.Checks = append(opts.Checks, hc)
	}
	return opts
}

// uplinkRoutes are the routes to the edge through each uplink, in config
// order: a canary is probed through them when the default route's uplink
// is dead.
func uplinkRoutes(cfg *config.Config) []health.Via {
	var out []health.Via
	for _, u := range uplinksConfig(cfg) {
		out = append(out, health.Via{Name: "uplink " + u.Name, Dial: u.Config.Bind.DialContext})
	}
	return out
}

// canaryCheck names the health check of an uplink's canary: "uplink:"
// cannot begin a configured check's name.
func canaryCheck(uplink string) string { return "uplink:" + uplink }

// uplinkChecks ties each uplink to its canary's check, for the tracker.
func uplinkChecks(ups []config.Uplink) []daemon.UplinkCheck {
	out := make([]daemon.UplinkCheck, 0, len(ups))
	for _, u := range ups {
		out = append(out, daemon.UplinkCheck{Uplink: u.Name, Check: canaryCheck(u.Name),
			FailAfter: u.Canary.FailAfter, RecoverAfter: u.Canary.RecoverAfter})
	}
	return out
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
	if e := n.Email; e != nil {
		opts.Email = &notify.Email{Host: e.Host, Port: e.Port, Username: e.Username, PasswordFile: e.PasswordFile,
			From: e.From, To: e.To, TLS: e.TLS}
	}
	return opts
}
