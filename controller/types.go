package controller

import (
	"fmt"
	"net/netip"
	"strings"
)

// Family is an IP address family.
type Family int

// The two address families flarewarden manages.
const (
	IPv4 Family = 4
	IPv6 Family = 6
)

// Families lists the families in the order flarewarden handles them.
var Families = []Family{IPv4, IPv6}

// String returns "ipv4" or "ipv6".
func (f Family) String() string {
	if f == IPv6 {
		return "ipv6"
	}
	return "ipv4"
}

// RecordType returns the DNS record type that carries addresses of f.
func (f Family) RecordType() string {
	if f == IPv6 {
		return TypeAAAA
	}
	return TypeA
}

// Matches reports whether addr belongs to family f.
func (f Family) Matches(addr netip.Addr) bool {
	if f == IPv6 {
		return addr.Is6() && !addr.Is4In6()
	}
	return addr.Is4()
}

// DNS record types flarewarden reads or writes.
const (
	TypeA     = "A"
	TypeAAAA  = "AAAA"
	TypeCNAME = "CNAME"
)

// MaxCommentLen is Cloudflare's limit on a DNS record comment (Free plan), in characters.
const MaxCommentLen = 100

// Zone is a Cloudflare zone.
type Zone struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Status is the zone's status as listed (ZoneActive, "pending",
	// "initializing", "moved"); it decides between zones listed under one
	// name (see ChooseZones) and is left out of plans and reports.
	Status string `json:"-"`
}

// ZoneActive is the status of a zone Cloudflare serves.
const ZoneActive = "active"

// Record is a DNS record as Cloudflare holds it. Name is a lower-case FQDN
// without a trailing dot.
type Record struct {
	ID      string   `json:"id,omitempty"`
	ZoneID  string   `json:"zone_id,omitempty"`
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Content string   `json:"content"`
	Proxied bool     `json:"proxied"`
	TTL     int      `json:"ttl"`
	Comment string   `json:"comment,omitempty"`
	Tags    []string `json:"tags,omitempty"`
}

// String renders r for logs and errors: "home.example.com A 203.0.113.7".
func (r Record) String() string {
	return fmt.Sprintf("%s %s %s", r.Name, r.Type, r.Content)
}

// NormalizeName lower-cases a DNS name and strips a trailing dot.
func NormalizeName(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

// InZone reports whether name is the zone apex or a name below it.
func InZone(name, zone string) bool {
	name, zone = NormalizeName(name), NormalizeName(zone)
	return name == zone || strings.HasSuffix(name, "."+zone)
}

// Action is what a change does to a record.
type Action string

// The actions a plan can contain.
const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
)

// Change is one planned write. Before is nil for a create, After is nil for a
// delete; an update carries both (After.ID == Before.ID).
type Change struct {
	Action Action  `json:"action"`
	Zone   Zone    `json:"zone"`
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Before *Record `json:"before,omitempty"`
	After  *Record `json:"after,omitempty"`
	Reason string  `json:"reason"`
}

// Old returns the content before the change, or "" for a create.
func (c Change) Old() string {
	if c.Before == nil {
		return ""
	}
	return c.Before.Content
}

// New returns the content after the change, or "" for a delete.
func (c Change) New() string {
	if c.After == nil {
		return ""
	}
	return c.After.Content
}

// AddressState says what detection concluded for one family.
type AddressState string

// Address states. Unknown means detection failed: records of that family
// are kept as they are, never emptied. Disabled means the family is not
// configured: flarewarden does not create records of that type.
const (
	StateKnown    AddressState = "known"
	StateUnknown  AddressState = "unknown"
	StateDisabled AddressState = "disabled"
)

// SourceAnswer is what one IP source said during a detection.
type SourceAnswer struct {
	Source string     `json:"source"`
	Addr   netip.Addr `json:"addr,omitzero"`
	Err    string     `json:"error,omitempty"`
	// Rejected is set when the source answered an address that validation
	// refused (private, Cloudflare's, wrong family); Err says why.
	Rejected bool `json:"rejected,omitempty"`
}

// FamilyResult is the detection verdict for one family.
type FamilyResult struct {
	Family  Family         `json:"-"`
	State   AddressState   `json:"state"`
	Addr    netip.Addr     `json:"addr,omitzero"`
	Quorum  int            `json:"quorum"`
	Answers []SourceAnswer `json:"answers,omitempty"`
	// Reason explains an unknown verdict (disagreement, too few answers).
	Reason string `json:"reason,omitempty"`
}

// Detection is the verdict for both families. With uplinks configured it
// holds each uplink's verdict too, and V4 and V6 are those of the first
// uplink that knows the family (the address of this host's own requests
// is one of the uplinks').
type Detection struct {
	V4      FamilyResult      `json:"ipv4"`
	V6      FamilyResult      `json:"ipv6"`
	Uplinks []UplinkDetection `json:"uplinks,omitempty"`
}

// Get returns the result for family f.
func (d Detection) Get(f Family) FamilyResult {
	if f == IPv6 {
		return d.V6
	}
	return d.V4
}

// Equal reports whether d and o carry the same verdicts (state and address
// per family), ignoring the individual answers.
func (d Detection) Equal(o Detection) bool {
	if !sameVerdict(d.V4, o.V4) || !sameVerdict(d.V6, o.V6) || len(d.Uplinks) != len(o.Uplinks) {
		return false
	}
	for i, u := range d.Uplinks {
		v := o.Uplinks[i]
		if u.Name != v.Name || !sameVerdict(u.V4, v.V4) || !sameVerdict(u.V6, v.V6) {
			return false
		}
	}
	return true
}

func sameVerdict(a, b FamilyResult) bool { return a.State == b.State && a.Addr == b.Addr }

// Known returns every known address of d, keyed by family ("ipv4") and,
// for an uplink's, by uplink and family ("lte ipv4").
func (d Detection) Known() map[string]netip.Addr {
	out := map[string]netip.Addr{}
	add := func(prefix string, v4, v6 FamilyResult) {
		for _, r := range []FamilyResult{v4, v6} {
			if r.State == StateKnown {
				out[prefix+familyOf(r.Addr).String()] = r.Addr
			}
		}
	}
	add("", d.V4, d.V6)
	for _, u := range d.Uplinks {
		add(u.Name+" ", u.V4, u.V6)
	}
	return out
}

// familyOf is the family of addr.
func familyOf(addr netip.Addr) Family {
	if IPv6.Matches(addr) {
		return IPv6
	}
	return IPv4
}
