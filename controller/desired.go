package controller

import "net/netip"

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
}

// Desired is what the managed names should look like.
type Desired struct {
	Names []DesiredName
	// Addrs holds the verdict per family; a family absent from the map is
	// treated as disabled.
	Addrs map[Family]Target
}

// Target is the address a family's records should carry.
type Target struct {
	State AddressState
	Addr  netip.Addr
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
