package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode"

	"github.com/flarewarden/flarewarden/controller"
)

// maxInterfaceLen is the longest interface name Linux takes (IFNAMSIZ-1).
const maxInterfaceLen = 15

// validateUplinks checks the uplinks (defaulted), then what the records
// say of them. The ipdetect provider checks an uplink's sources and
// quorum when main's Check builds its detector.
func (c *Config) validateUplinks(add adder) {
	records := make(map[string]int, len(c.Records))
	for i, r := range c.Records {
		if n := controller.NormalizeName(r.Name); n != "" {
			if _, dup := records[n]; !dup {
				records[n] = i
			}
		}
	}
	names, canaries := map[string]int{}, map[string]int{}
	for i, u := range c.Uplinks {
		field := fmt.Sprintf("uplinks[%d]", i)
		if u.Name == "" {
			add(field+".name", "required")
		} else {
			checkName(field, u.Name, setNameRE, "lower-case letters, digits, _ and -", names, i, add)
		}
		u.Bind.validate(field+".bind", add)
		u.validateDetect(field, add)
		u.Canary.validate(field+".canary", i, canaries, records, add)
	}
	configured := c.uplinkNames()
	for i, r := range c.Records {
		r.validateUplinks(fmt.Sprintf("records[%d]", i), configured, add)
	}
}

// validate requires exactly one of an interface name and an IP address.
func (b UplinkBind) validate(field string, add adder) {
	switch {
	case b.Interface == "" && b.Address == "":
		add(field, "set interface or address")
	case b.Interface != "" && b.Address != "":
		add(field, "set interface or address, not both")
	case b.Address != "":
		if _, err := netip.ParseAddr(b.Address); err != nil {
			add(field+".address", "%q is not an IP address", b.Address)
		}
	case len(b.Interface) > maxInterfaceLen || strings.ContainsFunc(b.Interface, isSlashOrSpace):
		add(field+".interface", "%q must be 1 to %d characters without / or spaces", b.Interface, maxInterfaceLen)
	}
}

func isSlashOrSpace(r rune) bool { return r == '/' || unicode.IsSpace(r) }

// validateDetect requires a family on, and a bind address of the family
// of every family on: detection cannot leave from an address of the other.
func (u Uplink) validateDetect(field string, add adder) {
	v4, v6 := u.Detect.families()
	validateFamilies(field+".detect", v4, v6, add)
	a, err := netip.ParseAddr(u.Bind.Address)
	if err != nil || u.Bind.Interface != "" {
		return // bind says why, or binds no address
	}
	is, other, otherOn := "IPv4", "ipv6", v6.On()
	if !a.Unmap().Is4() {
		is, other, otherOn = "IPv6", "ipv4", v4.On()
	}
	if otherOn {
		add(field+".bind.address", "%s is %s, the uplink's %s detection cannot go out through it", u.Bind.Address, is, other)
	}
}

// families returns the uplink's families, the zero Family for one unset.
func (d UplinkDetect) families() (v4, v6 Family) {
	if d.IPv4 != nil {
		v4 = *d.IPv4
	}
	if d.IPv6 != nil {
		v6 = *d.IPv6
	}
	return v4, v6
}

// validate checks the canary of uplinks[i]: its name (a hostname, no
// wildcard, the canary of one uplink, not a managed record; its zone is
// found with the token's zones) and the probe settings. canaries maps the
// names seen to their uplink, records the records' names to their index.
func (c Canary) validate(field string, i int, canaries, records map[string]int, add adder) {
	name := controller.NormalizeName(c.Name)
	switch {
	case name == "":
		add(field+".name", "required")
	case strings.HasPrefix(name, "*."):
		add(field+".name", "%q: a canary cannot be a wildcard", c.Name)
	case !hostnameRE.MatchString(name):
		add(field+".name", "%q is not a valid DNS name", c.Name)
	default:
		if j, dup := canaries[name]; dup {
			add(field+".name", "%s is already the canary of uplinks[%d]", name, j)
		} else {
			canaries[name] = i
		}
		if j, managed := records[name]; managed {
			add(field+".name", "%s is also records[%d]: a canary is a record of its own", name, j)
		}
	}
	if c.Scheme != "https" && c.Scheme != "http" {
		add(field+".scheme", "%q is not one of https, http", c.Scheme)
	}
	if !strings.HasPrefix(c.Path, "/") {
		add(field+".path", "%q must start with /", c.Path)
	}
	for j, s := range c.ExpectStatus {
		if s < 100 || s > 599 {
			add(fmt.Sprintf("%s.expect_status[%d]", field, j), "%d is not an HTTP status (100..599)", s)
		}
	}
	if c.Timeout <= 0 {
		add(field+".timeout", "must be positive")
	}
	checkRange(field+".fail_after", c.FailAfter, 1, 100, add)
	checkRange(field+".recover_after", c.RecoverAfter, 1, 100, add)
	if c.Origin != nil {
		checkRange(field+".origin.port", c.Origin.Port, 1, 65535, add)
	}
}

// checkRange requires lo <= v <= hi.
func checkRange(field string, v, lo, hi int, add adder) {
	if v < lo || v > hi {
		add(field, "%d must be between %d and %d", v, lo, hi)
	}
}

// validateUplinks checks the record's uplinks and uplink_mode against the
// configured uplinks' names.
func (r Record) validateUplinks(field string, configured []string, add adder) {
	if len(configured) == 0 {
		if len(r.Uplinks) > 0 {
			add(field+".uplinks", "no uplinks are configured")
		}
		if r.UplinkMode != "" {
			add(field+".uplink_mode", "no uplinks are configured")
		}
		return
	}
	for j, n := range r.Uplinks {
		f := fmt.Sprintf("%s.uplinks[%d]", field, j)
		switch k := slices.Index(r.Uplinks, n); {
		case !slices.Contains(configured, n):
			add(f, "%q is not a configured uplink (%s)", n, strings.Join(configured, ", "))
		case k < j:
			add(f, "%s is already uplinks[%d]", n, k)
		}
	}
	switch controller.UplinkMode(r.UplinkMode) {
	case controller.UplinkFailover, controller.UplinkAll:
	default:
		add(field+".uplink_mode", "%q is not one of failover, all", r.UplinkMode)
	}
}
