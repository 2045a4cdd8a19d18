package controller

import (
	"net/netip"
)

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

// Detection is the verdict for both families.
type Detection struct {
	V4 FamilyResult `json:"ipv4"`
	V6 FamilyResult `json:"ipv6"`
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
	return d.V4.State == o.V4.State && d.V4.Addr == o.V4.Addr &&
		d.V6.State == o.V6.State && d.V6.Addr == o.V6.Addr
}
