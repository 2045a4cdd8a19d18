package controller

import (
	"fmt"
	"maps"
	"net/netip"
	"strings"
)

// Mode is the reconcile policy: how far flarewarden may go to make
// Cloudflare match the desired state.
type Mode string

// The policies. Sync creates, updates and deletes owned records (duplicates,
// a replaced CNAME, records of a disabled family). UpsertOnly never deletes.
// CreateOnly only creates missing records.
const (
	ModeSync       Mode = "sync"
	ModeUpsertOnly Mode = "upsert-only"
	ModeCreateOnly Mode = "create-only"
)

// Policy bounds what a plan may change.
type Policy struct {
	Mode Mode
	// Marker is the text in a record's comment that says flarewarden owns it.
	Marker string
}

// DesiredName is one managed DNS name, already matched to its zone.
type DesiredName struct {
	Zone Zone
	Name string
	// Proxied and TTL are nil when the config leaves them unset: existing
	// records keep theirs, new records get proxied=false and TTL 1 (auto).
	Proxied *bool
	TTL     *int
	// TakeoverCNAME lets a CNAME at this name be replaced by A/AAAA records.
	TakeoverCNAME bool
	// TakeoverOnFailure says the CNAME may be replaced once health checks
	// see its target down; a pass asked to (PassOptions.Takeover) then sets
	// TakeoverCNAME.
	TakeoverOnFailure bool
	// IPv6Host, when set, gives the AAAA the detected prefix joined to the
	// name's interface identifier.
	IPv6Host IPv6Host
	// Uplinks, when set, are the uplinks the name follows (in order of
	// preference) as UplinkMode says; the name then ignores Desired.Addrs.
	Uplinks    []string
	UplinkMode UplinkMode
}

// Desired is what the managed names should look like.
type Desired struct {
	Names []DesiredName
	// Addrs holds the verdict per family; a family absent from the map is
	// treated as disabled.
	Addrs map[Family]Target
	// Uplinks are the uplinks the names with Uplinks follow.
	Uplinks []UplinkView
}

// Target is the address a family's records should carry: Addr, and the
// addresses in More when a name has one record per uplink (UplinkAll).
type Target struct {
	State AddressState
	Addr  netip.Addr
	More  []netip.Addr
}

// DesiredFromDetection builds the per-family targets of a detection.
func DesiredFromDetection(d Detection) map[Family]Target {
	out := make(map[Family]Target, 2)
	for _, f := range Families {
		r := d.Get(f)
		state := r.State
		if state == "" {
			state = StateDisabled
		}
		out[f] = Target{State: state, Addr: r.Addr}
	}
	return out
}

// IPv6Host places a name under the delegated IPv6 prefix: its AAAA is the
// detected address's first PrefixLen bits joined to the interface
// identifier ID. The zero value (no ID) gives the detected address as is.
type IPv6Host struct {
	ID        netip.Addr
	PrefixLen int
}

// Set reports whether the name has an interface identifier.
func (h IPv6Host) Set() bool { return h.ID.IsValid() }

// Check returns why the host cannot be joined to a prefix, or nil: the ID
// must be an IPv6 address with no bit set inside the prefix.
func (h IPv6Host) Check() error {
	if !h.ID.Is6() || h.ID.Is4In6() || h.ID.Zone() != "" {
		return fmt.Errorf("%s is not an IPv6 interface identifier", h.ID)
	}
	if h.PrefixLen < 0 || h.PrefixLen > 128 {
		return fmt.Errorf("prefix length %d is not between 0 and 128", h.PrefixLen)
	}
	if p := netip.PrefixFrom(h.ID, h.PrefixLen).Masked(); p.Addr() != netip.IPv6Unspecified() {
		return fmt.Errorf("%s has bits inside the /%d prefix", h.ID, h.PrefixLen)
	}
	return nil
}

// Join returns the detected address's prefix joined to the ID.
func (h IPv6Host) Join(detected netip.Addr) netip.Addr {
	out := netip.PrefixFrom(detected.WithZone(""), h.PrefixLen).Masked().Addr().As16()
	id := h.ID.As16()
	for i := range out {
		out[i] |= id[i]
	}
	return netip.AddrFrom16(out)
}

// targets returns the per-family targets of name n, and why when it
// follows uplinks: its uplinks' addresses, or else d.Addrs; each IPv6
// address joined to n's interface identifier when it has one.
func (n DesiredName) targets(d Desired) (map[Family]Target, string) {
	addrs, why := d.Addrs, ""
	if len(n.Uplinks) > 0 {
		addrs, why = uplinkTargets(n.Uplinks, n.UplinkMode, d.Uplinks)
	}
	t, ok := addrs[IPv6]
	if !n.IPv6Host.Set() || !ok || t.State != StateKnown {
		return addrs, why
	}
	out := maps.Clone(addrs)
	joined := Target{}
	for _, a := range t.All() {
		joined = joined.with(n.IPv6Host.Join(a))
	}
	out[IPv6] = joined
	return out, why
}

// NameAddrs is what the plan gives a managed name: its addresses, or why
// they are not all known (a family whose address is unknown keeps its
// records as they are).
type NameAddrs struct {
	Addrs   []netip.Addr
	Unknown string
}

// NameAddrs returns the addresses each name of d should carry.
func (d Desired) NameAddrs() map[string]NameAddrs {
	out := make(map[string]NameAddrs, len(d.Names))
	for _, n := range d.Names {
		targets, why := n.targets(d)
		var na NameAddrs
		for _, f := range Families {
			switch t := targets[f]; t.State {
			case StateKnown:
				na.Addrs = append(na.Addrs, t.All()...)
			case StateUnknown:
				na.Unknown = f.String() + " address unknown"
				if strings.HasPrefix(why, uplinksDownPrefix) {
					na.Unknown = why
				}
			}
		}
		out[n.Name] = na
	}
	return out
}
