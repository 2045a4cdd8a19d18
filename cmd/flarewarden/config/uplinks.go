package config

import (
	"cmp"
	"slices"

	"github.com/flarewarden/flarewarden/controller"
)

// Uplink is one internet uplink of the site (fiber, LTE): its address is
// detected through it, and a proxied canary record holding that address
// is probed through Cloudflare's edge to tell whether the uplink works
// from outside.
type Uplink struct {
	Name string `yaml:"name"`
	// Bind sends the uplink's detection out through it.
	Bind UplinkBind `yaml:"bind"`
	// Detect is the uplink's detection; a family left out takes the
	// top-level detect's (its sources then go out through this uplink).
	Detect UplinkDetect `yaml:"detect,omitempty"`
	Canary Canary       `yaml:"canary"`
}

// UplinkBind is an interface or a source address (exactly one).
type UplinkBind struct {
	Interface string `yaml:"interface,omitempty"`
	Address   string `yaml:"address,omitempty"`
}

// UplinkDetect is an uplink's own detection per family.
type UplinkDetect struct {
	IPv4 *Family `yaml:"ipv4,omitempty"`
	IPv6 *Family `yaml:"ipv6,omitempty"`
}

// Canary is the proxied record that stands for an uplink at the edge.
type Canary struct {
	// Name is the canary record, e.g. fiber.home.example.com; flarewarden
	// owns it and keeps it proxied, holding the uplink's address.
	Name string `yaml:"name"`
	// Path is probed at Scheme://Name/Path through the edge.
	Path string `yaml:"path,omitempty"`
	// Scheme is https (the default) or http (an origin behind Cloudflare's
	// Flexible SSL).
	Scheme string `yaml:"scheme,omitempty"`
	// EdgeAddress, optional "host:port", pins the edge address the probe
	// connects to, as a health check's edge_address does.
	EdgeAddress  string   `yaml:"edge_address,omitempty"`
	ExpectStatus []int    `yaml:"expect_status,omitempty"`
	Timeout      Duration `yaml:"timeout,omitempty"`
	// Origin configures the direct probe of the uplink's address.
	Origin *OriginCheck `yaml:"origin,omitempty"`
	// FailAfter unreachable rounds put the uplink down; RecoverAfter
	// healthy rounds put it up again.
	FailAfter    int `yaml:"fail_after,omitempty"`
	RecoverAfter int `yaml:"recover_after,omitempty"`
}

// UplinkNames returns the uplinks a record follows: its own list, else every uplink in config order.
// It returns nil when no uplinks are configured.
func (c *Config) UplinkNames(r Record) []string {
	if len(c.Uplinks) == 0 {
		return nil
	}
	if len(r.Uplinks) > 0 {
		return slices.Clone(r.Uplinks)
	}
	return c.uplinkNames()
}

// uplinkNames returns the names of the configured uplinks, in config order.
func (c *Config) uplinkNames() []string {
	out := make([]string, len(c.Uplinks))
	for i, u := range c.Uplinks {
		out[i] = u.Name
	}
	return out
}

// applyUplinkDefaults completes each uplink from the top-level detect
// (defaulted first) and the canary defaults, and gives every record the
// failover mode unless set. Without uplinks it changes nothing.
func (c *Config) applyUplinkDefaults() {
	if len(c.Uplinks) == 0 {
		return
	}
	for i := range c.Uplinks {
		u := &c.Uplinks[i]
		u.Detect.IPv4 = inheritFamily(u.Detect.IPv4, c.Detect.IPv4, false)
		u.Detect.IPv6 = inheritFamily(u.Detect.IPv6, c.Detect.IPv6, true)
		u.Canary.applyDefaults()
	}
	for i := range c.Records {
		c.Records[i].UplinkMode = or(c.Records[i].UplinkMode, string(controller.UplinkFailover))
	}
}

// inheritFamily returns an uplink's family f completed from the top-level
// family top: a copy of top when f is nil; else f, taking top's enabled
// when it leaves enabled unset, and top's sources (and quorum, unless set)
// when it lists none. A family on still without sources gets the default
// sources and a majority quorum, and an IPv6 family on without a prefix
// length top's, else the default /64.
func inheritFamily(f *Family, top Family, v6 bool) *Family {
	if f == nil {
		cp := top.clone()
		return &cp
	}
	if f.Enabled == nil {
		on := top.On() || len(f.Sources) > 0 // listing sources turns a family on, as at the top level
		f.Enabled = &on
	}
	if len(f.Sources) == 0 {
		f.Sources = slices.Clone(top.Sources)
		f.Quorum = cmp.Or(f.Quorum, top.Quorum)
	}
	f.defaults(false) // enabled is set: fills sources and quorum when on
	if v6 && f.On() && f.PrefixLength == 0 {
		f.PrefixLength = cmp.Or(top.PrefixLength, DefaultIPv6PrefixLength)
	}
	return f
}

// clone returns a copy of f that shares nothing with it.
func (f Family) clone() Family {
	if f.Enabled != nil {
		on := *f.Enabled
		f.Enabled = &on
	}
	f.Sources = slices.Clone(f.Sources)
	return f
}

// applyDefaults fills the probe settings left unset; the direct probe of
// the uplink's address is on by default (HTTPS on 443).
func (c *Canary) applyDefaults() {
	c.Path = or(c.Path, "/")
	c.Scheme = or(c.Scheme, "https")
	if len(c.ExpectStatus) == 0 {
		c.ExpectStatus = []int{200}
	}
	c.Timeout = orDur(c.Timeout, DefaultCanaryTimeout)
	c.FailAfter = cmp.Or(c.FailAfter, DefaultCanaryFailAfter)
	c.RecoverAfter = cmp.Or(c.RecoverAfter, DefaultCanaryRecoverAfter)
	if c.Origin == nil {
		c.Origin = &OriginCheck{TLS: true}
	}
	c.Origin.applyDefaults()
}

// URL is the URL of the canary's probe through the edge.
func (c Canary) URL() string {
	return c.Scheme + "://" + c.Name + c.Path
}
