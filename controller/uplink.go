package controller

import (
	"fmt"
	"net/netip"
	"strings"
)

// UplinkMode says how a name follows its uplinks.
type UplinkMode string

// The uplink modes. Failover gives the name the address of the first
// uplink (in its order) that is up; All gives it one record per uplink that
// is up, which Cloudflare's proxy spreads visitors across. Pinned is a
// canary's: the uplink's address whatever its health, so the canary shows
// when the uplink works again.
const (
	UplinkFailover UplinkMode = "failover"
	UplinkAll      UplinkMode = "all"
	UplinkPinned   UplinkMode = "pinned"
)

// UplinkDetection is the detection of one uplink: its sources asked
// through it.
type UplinkDetection struct {
	Name string       `json:"name"`
	V4   FamilyResult `json:"ipv4"`
	V6   FamilyResult `json:"ipv6"`
}

// Get returns the result for family f.
func (u UplinkDetection) Get(f Family) FamilyResult {
	if f == IPv6 {
		return u.V6
	}
	return u.V4
}

// UplinkView is one uplink as a pass plans with it: its detected targets
// and whether health checks hold it up (Reason says why not).
type UplinkView struct {
	Name   string
	Up     bool
	Reason string
	Addrs  map[Family]Target
}

// UplinkViews builds the views of the detected uplinks; down maps the
// uplinks health checks hold down to why. An uplink absent from down is up.
func UplinkViews(d Detection, down map[string]string) []UplinkView {
	out := make([]UplinkView, 0, len(d.Uplinks))
	for _, u := range d.Uplinks {
		why, isDown := down[u.Name]
		out = append(out, UplinkView{Name: u.Name, Up: !isDown, Reason: why,
			Addrs: DesiredFromDetection(Detection{V4: u.V4, V6: u.V6})})
	}
	return out
}

// uplinkTargets returns the per-family targets of a name that follows
// uplinks, and which uplinks it follows and why, in words for a change's
// reason and the report. A name whose every uplink is down keeps its
// records: every family is unknown.
func uplinkTargets(names []string, mode UplinkMode, views []UplinkView) (map[Family]Target, string) {
	byName := make(map[string]UplinkView, len(views))
	for _, v := range views {
		byName[v.Name] = v
	}
	var up []UplinkView
	var down []string
	for _, n := range names {
		v, ok := byName[n]
		switch {
		case !ok:
			down = append(down, n+" is not detected")
		case mode == UplinkPinned || v.Up:
			up = append(up, v)
		default:
			down = append(down, v.Name+" is down ("+v.Reason+")")
		}
	}
	if len(up) == 0 {
		return allUnknown(), uplinksDownPrefix + ": " + strings.Join(down, "; ")
	}
	if mode != UplinkAll {
		up = up[:1]
	}
	if mode == UplinkPinned {
		return mergeTargets(up), canaryOf + up[0].Name
	}
	why := "follows " + joinNames(up)
	if len(down) > 0 {
		why += ": " + strings.Join(down, "; ")
	}
	return mergeTargets(up), why
}

// allUnknown is the targets of a name whose records are kept as they are.
func allUnknown() map[Family]Target {
	return map[Family]Target{IPv4: {State: StateUnknown}, IPv6: {State: StateUnknown}}
}

func joinNames(vs []UplinkView) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}

// mergeTargets joins the targets of uplinks, per family: the addresses of
// every uplink that knows it; unknown when one of them does not (its
// records are then kept); disabled when none enables it.
func mergeTargets(vs []UplinkView) map[Family]Target {
	out := make(map[Family]Target, 2)
	for _, f := range Families {
		t := Target{State: StateDisabled}
		for _, v := range vs {
			vt := v.Addrs[f]
			switch vt.State {
			case StateUnknown:
				t = Target{State: StateUnknown}
			case StateKnown:
				if t.State != StateUnknown {
					t = t.with(vt.Addr)
				}
			}
			if t.State == StateUnknown {
				break
			}
		}
		out[f] = t
	}
	return out
}

// with returns t known, with addr added (once).
func (t Target) with(addr netip.Addr) Target {
	if t.State != StateKnown {
		return Target{State: StateKnown, Addr: addr}
	}
	for _, a := range t.All() {
		if a == addr {
			return t
		}
	}
	t.More = append(t.More[:len(t.More):len(t.More)], addr)
	return t
}

// All returns the addresses of a known target: Addr, then More.
func (t Target) All() []netip.Addr {
	if t.State != StateKnown {
		return nil
	}
	return append([]netip.Addr{t.Addr}, t.More...)
}

// UplinkOf returns the uplink whose detected address of family f is addr,
// or "".
func UplinkOf(views []UplinkView, f Family, addr string) string {
	for _, v := range views {
		if t := v.Addrs[f]; t.State == StateKnown && sameAddress(addr, t.Addr.String()) {
			return v.Name
		}
	}
	return ""
}

// canaryOf starts the reason of a canary's changes.
const canaryOf = "canary of "

// uplinksDownPrefix starts the reason of a name whose every uplink is down.
const uplinksDownPrefix = "records kept: every uplink is down"

// withMove returns the reason of a change of a name that follows uplinks:
// a move to another uplink in place of "stale address" or "duplicate",
// which would mislead; else the plan's reason and why.
func withMove(c Change, views []UplinkView, why string) string {
	move := moveReason(c, views, why)
	switch {
	case move == why || strings.HasPrefix(why, canaryOf): // a canary does not move: it holds its uplink's address
		return c.Reason + "; " + why
	case c.Reason == "stale address" || c.Action == ActionDelete:
		return move
	}
	return c.Reason + "; " + move
}

// moveReason words why a change of a name that follows uplinks is made:
// "moved from fiber 198.51.100.7 to lte 203.0.113.9: fiber is down (...)"
// for an address that changes uplink, "removed fiber 198.51.100.7: ..."
// for the record of an uplink no longer followed, else why as it is.
func moveReason(c Change, views []UplinkView, why string) string {
	f := IPv4
	if c.Type == TypeAAAA {
		f = IPv6
	}
	from, to := UplinkOf(views, f, c.Old()), UplinkOf(views, f, c.New())
	_, detail, cut := strings.Cut(why, ": ")
	switch {
	case c.Action == ActionDelete && from != "":
		return fmt.Sprintf("removed %s %s: %s", from, c.Old(), detail)
	case c.Action != ActionUpdate || to == "" || from == to || sameAddress(c.Old(), c.New()):
		return why
	case !cut:
		detail = to + " is up and preferred"
	}
	if from == "" {
		return fmt.Sprintf("moved from %s to %s %s: %s", c.Old(), to, c.New(), detail)
	}
	return fmt.Sprintf("moved from %s %s to %s %s: %s", from, c.Old(), to, c.New(), detail)
}

// UplinkReport is one uplink as a pass saw it.
type UplinkReport struct {
	Name   string `json:"name"`
	Up     bool   `json:"up"`
	Reason string `json:"reason,omitempty"`
	IPv4   string `json:"ipv4,omitempty"`
	IPv6   string `json:"ipv6,omitempty"`
}

func uplinkReports(views []UplinkView) []UplinkReport {
	var out []UplinkReport
	for _, v := range views {
		r := UplinkReport{Name: v.Name, Up: v.Up, Reason: v.Reason}
		if t := v.Addrs[IPv4]; t.State == StateKnown {
			r.IPv4 = t.Addr.String()
		}
		if t := v.Addrs[IPv6]; t.State == StateKnown {
			r.IPv6 = t.Addr.String()
		}
		out = append(out, r)
	}
	return out
}
