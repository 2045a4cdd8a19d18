package controller

import (
	"errors"
	"net/netip"
)

// The WAF's domain types: the rules, IP Access Rules and IP lists that
// package waf plans and the Cloudflare adapter reads and writes, and what a
// pass reports about them (resolved sources, security levels). Planning
// them is package waf's business; a pass composes it with the DNS step.

// CustomRulesPhase is the phase of a zone's custom WAF rules entrypoint.
const CustomRulesPhase = "http_request_firewall_custom"

// RefPrefix marks the rules flarewarden owns: a rule's ref is RefPrefix
// followed by the configured rule name.
const RefPrefix = "flarewarden_"

// SecurityLevelUnderAttack is the security_level value of "I'm Under Attack" mode.
const SecurityLevelUnderAttack = "under_attack"

// Skip products exactly as the API spells them (the SDK's lower-case
// constants are rejected with code 20119).
var SkipProducts = []string{"zoneLockdown", "uaBlock", "bic", "hot", "securityLevel", "rateLimit", "waf"}

// SkipPhases are the phases a custom skip rule may skip.
var SkipPhases = []string{"http_ratelimit", "http_request_firewall_managed", "http_request_sbfm"}

// ErrRuleLimit is wrapped by errors of a rule write the API refused because
// the zone has as many custom rules as its plan allows (Free plan: 5).
var ErrRuleLimit = errors.New("custom rule limit of the zone's plan reached")

// SkipParams are the action parameters of a skip rule.
type SkipParams struct {
	Ruleset  string   `json:"ruleset,omitempty"`
	Phases   []string `json:"phases,omitempty"`
	Products []string `json:"products,omitempty"`
}

// Rule is one rule of a zone's custom rules entrypoint ruleset. Skip is
// set only for skip rules. Foreign rules are read to know their ids and
// order, and are never sent back in any write.
type Rule struct {
	ID          string      `json:"id,omitempty"`
	Ref         string      `json:"ref"`
	Description string      `json:"description,omitempty"`
	Expression  string      `json:"expression"`
	Action      string      `json:"action"`
	Skip        *SkipParams `json:"action_parameters,omitempty"`
	Enabled     bool        `json:"enabled"`
	Logging     bool        `json:"logging"`
}

// Owned reports whether flarewarden owns the rule (its ref has RefPrefix).
func (r Rule) Owned() bool { return len(r.Ref) > len(RefPrefix) && r.Ref[:len(RefPrefix)] == RefPrefix }

// Ruleset is a zone's custom rules entrypoint. ID is "" when the zone has
// none yet (the API answers 404, code 10003).
type Ruleset struct {
	ID    string `json:"id,omitempty"`
	Rules []Rule `json:"rules"`
}

// Position says where a created or moved rule goes: before the rule with
// ID Before ("" = at the top). A nil *Position appends.
type Position struct {
	Before string `json:"before"`
}

// RuleChange is one planned write to a zone's custom rules. RulesetID ""
// means the zone has no entrypoint yet: the adapter creates it holding
// exactly the rules of such changes, in order. Rule is what to send for a
// create or update, and the rule to remove for a delete.
type RuleChange struct {
	Action    Action    `json:"action"`
	Zone      Zone      `json:"zone"`
	RulesetID string    `json:"ruleset_id,omitempty"`
	Rule      Rule      `json:"rule"`
	Before    *Rule     `json:"before,omitempty"`
	Position  *Position `json:"position,omitempty"`
	Reason    string    `json:"reason"`
}

// AccessRule is a zone IP Access Rule. Target is "ip", "ip6" or "ip_range".
type AccessRule struct {
	ID     string `json:"id,omitempty"`
	Mode   string `json:"mode"`
	Target string `json:"target"`
	Value  string `json:"value"`
	Notes  string `json:"notes,omitempty"`
}

// AccessRuleChange creates, updates or deletes one IP Access Rule. An
// update sets the mode and notes of the rule with Rule.ID to Rule's.
type AccessRuleChange struct {
	Action Action     `json:"action"`
	Zone   Zone       `json:"zone"`
	Rule   AccessRule `json:"rule"`
	Reason string     `json:"reason"`
}

// IPList is an account IP list. ID is "" when no list of that name exists
// yet: the adapter creates it (kind ip) before adding items.
type IPList struct {
	AccountID string     `json:"account_id"`
	ID        string     `json:"id,omitempty"`
	Name      string     `json:"name"`
	Items     []ListItem `json:"items,omitempty"`
}

// ListItem is one item of an IP list: an address or a CIDR.
type ListItem struct {
	ID      string `json:"id,omitempty"`
	IP      string `json:"ip"`
	Comment string `json:"comment,omitempty"`
}

// ListItemChange adds or removes one item of an IP list.
type ListItemChange struct {
	Action Action   `json:"action"`
	List   IPList   `json:"list"`
	Item   ListItem `json:"item"`
	Reason string   `json:"reason"`
}

// PrefixOf returns the single-address prefix of addr (/32 or /128).
func PrefixOf(addr netip.Addr) netip.Prefix {
	return netip.PrefixFrom(addr, addr.BitLen())
}

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

// Usable returns why rules cannot be built from the set, or "". An empty
// set is never usable: it would yield an expression that matches nothing.
func (s SourceSet) Usable() string {
	switch {
	case s.Unknown != "":
		return s.Unknown
	case len(s.Prefixes) == 0:
		return "the sources resolve to no address"
	}
	return ""
}

// SecurityStatus is a zone's security level and, for each configured
// skip-rule source, whether flarewarden's rule exempts it from the
// security level challenge (Under Attack mode).
type SecurityStatus struct {
	Zone        string      `json:"zone"`
	Level       string      `json:"security_level"`
	UnderAttack bool        `json:"under_attack"`
	Exemptions  []Exemption `json:"exemptions,omitempty"`
}

// Exemption tells whether one source is exempted by its skip rule.
type Exemption struct {
	Rule     string `json:"rule"`
	Source   string `json:"source"`
	Exempted bool   `json:"exempted"`
}
