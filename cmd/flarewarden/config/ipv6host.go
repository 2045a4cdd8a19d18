package config

import (
	"fmt"
	"net/netip"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/sources"
)

// The delegated prefix lengths a record's ipv6_host may be joined to.
const (
	minIPv6PrefixLength = 48
	maxIPv6PrefixLength = 64
)

// validatePrefixLength accepts a prefix length on IPv6 only, /48 to /64;
// field is the detect section the families are in.
func validatePrefixLength(field string, v4, v6 Family, add adder) {
	if v4.PrefixLength != 0 {
		add(field+".ipv4.prefix_length", "only %s.ipv6 has a delegated prefix", field)
	}
	if p := v6.PrefixLength; p != 0 && (p < minIPv6PrefixLength || p > maxIPv6PrefixLength) {
		add(field+".ipv6.prefix_length", "%d must be between %d and %d", p, minIPv6PrefixLength, maxIPv6PrefixLength)
	}
}

// validateIPv6Host requires an interface identifier that fits under the
// IPv6 family's prefix, and that family on.
func (r Record) validateIPv6Host(field string, v6 Family, add adder) {
	if r.IPv6Host == "" {
		return
	}
	field += ".ipv6_host"
	id, err := netip.ParseAddr(r.IPv6Host)
	if err != nil || !id.Is6() || id.Is4In6() || id.Zone() != "" {
		add(field, "%q is not an IPv6 interface identifier (e.g. \"::1234:5678:9abc:def0\")", r.IPv6Host)
		return
	}
	if !v6.On() {
		add(field, "needs detect.ipv6 on: the host id is joined to the detected IPv6 prefix")
		return
	}
	if v6.PrefixLength < minIPv6PrefixLength || v6.PrefixLength > maxIPv6PrefixLength {
		return // detect.ipv6.prefix_length says why
	}
	if err := r.IPv6HostIn(v6).Check(); err != nil {
		add(field, "%v", err)
	}
}

// IPv6HostIn returns the record's interface identifier under the IPv6
// family's prefix; the zero value when it has none.
func (r Record) IPv6HostIn(v6 Family) controller.IPv6Host {
	id, err := netip.ParseAddr(r.IPv6Host)
	if err != nil {
		return controller.IPv6Host{}
	}
	return controller.IPv6Host{ID: id, PrefixLen: v6.PrefixLength}
}

// validateSelfPrefix checks the WAF entries that list self_prefix (the
// delegated IPv6 prefix): the IPv6 family must be on, and IP Access Rules,
// which take IPv6 ranges of /32, /48 or /64 only, need a prefix of those.
func (c *Config) validateSelfPrefix(add adder) {
	c.eachWAFSource(func(field string, sp sources.Spec, access bool) {
		if sp.Kind != sources.KindSelfPrefix {
			return
		}
		switch p := c.Detect.IPv6.PrefixLength; {
		case !c.Detect.IPv6.On():
			add(field, "self_prefix needs detect.ipv6 on: it is the delegated prefix of the detected IPv6 address")
		case access && p != 48 && p != 64:
			add(field, "self_prefix is a /%d (detect.ipv6.prefix_length), and IP Access Rules take IPv6 /32, /48 or /64 ranges only", p)
		}
	})
}

// validateManagedSources checks that every host:NAME source of the WAF
// names a managed name: a record or an uplink's canary.
func (c *Config) validateManagedSources(add adder) {
	managed := map[string]bool{}
	for _, r := range c.Records {
		managed[controller.NormalizeName(r.Name)] = true
	}
	for _, u := range c.Uplinks {
		managed[controller.NormalizeName(u.Canary.Name)] = true
	}
	c.eachWAFSource(func(field string, sp sources.Spec, _ bool) {
		if sp.Kind == sources.KindName && !managed[sp.Host] {
			add(field, "%s is not a name of records or an uplink's canary: host: stands for a managed name's addresses", sp.Host)
		}
	})
}

// eachWAFSource calls fn with every WAF source that parses, its field
// ("waf.skip_rules[0].sources[1]") and whether it is an IP Access Rule's.
func (c *Config) eachWAFSource(fn func(field string, sp sources.Spec, access bool)) {
	each := func(field string, s Sources, access bool) {
		for j, raw := range s.Sources {
			if sp, err := sources.Parse(raw, s.AllowBroad); err == nil {
				fn(fmt.Sprintf("%s.sources[%d]", field, j), sp, access)
			}
		}
	}
	for i, r := range c.WAF.SkipRules {
		each(fmt.Sprintf("waf.skip_rules[%d]", i), r.Sources, false)
	}
	for i, a := range c.WAF.AccessRules {
		each(fmt.Sprintf("waf.access_rules[%d]", i), a.Sources, true)
	}
	for i, l := range c.WAF.IPLists {
		each(fmt.Sprintf("waf.ip_lists[%d]", i), l.Sources, false)
	}
}
