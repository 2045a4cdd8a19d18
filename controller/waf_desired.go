package controller

import "net/netip"

// SourceResult is what one configured WAF source resolved to.
type SourceResult struct {
	Source   string         `json:"source"`
	Prefixes []netip.Prefix `json:"prefixes,omitempty"`
	// Stale is set when a hostname failed to resolve and its last known
	// addresses (Prefixes) were used; the pass warns about it.
	Stale bool `json:"stale,omitempty"`
	// Err says why the source did not resolve.
	Err string `json:"error,omitempty"`
}

// SourceSet is a resolved list of WAF sources.
type SourceSet struct {
	// Prefixes is the union of the sources, sorted and de-duplicated.
	Prefixes []netip.Prefix `json:"prefixes"`
	// Unknown, when set, says why the set cannot be trusted (a hostname
	// that never resolved, "self" while detection is unknown): rules built
	// from it are kept as they are, not rewritten.
	Unknown string         `json:"unknown,omitempty"`
	Sources []SourceResult `json:"sources"`
}

// usable returns why rules cannot be built from the set, or "". An empty
// set is never usable: it would yield an expression that matches nothing.
func (s SourceSet) usable() string {
	switch {
	case s.Unknown != "":
		return s.Unknown
	case len(s.Prefixes) == 0:
		return "the sources resolve to no address"
	}
	return ""
}

// DesiredSkipRule is one configured skip rule for one zone.
type DesiredSkipRule struct {
	Name string
	Set  SourceSet
	Skip SkipParams
	Log  bool
}

// Ref is the rule's stable identity in the ruleset.
func (d DesiredSkipRule) Ref() string { return RefPrefix + d.Name }

// rule builds the rule to send; the set must be usable.
func (d DesiredSkipRule) rule() Rule {
	skip := d.Skip
	return Rule{Ref: d.Ref(), Description: "flarewarden: " + d.Name + " (managed, edits are reverted)",
		Expression: SkipExpression(d.Set.Prefixes), Action: "skip", Skip: &skip, Enabled: true, Logging: d.Log}
}

// DesiredAccessRule is one configured set of allow IP Access Rules for one zone.
type DesiredAccessRule struct {
	Name string
	Set  SourceSet
}

// DesiredIPList is one configured account IP list.
type DesiredIPList struct {
	AccountID string
	Name      string
	Set       SourceSet
}
