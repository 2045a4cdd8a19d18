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
