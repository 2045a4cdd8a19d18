package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// customPhase is the phase of a zone's custom WAF rules.
const customPhase = "http_request_firewall_custom"

// Ruleset is a zone entrypoint ruleset, in the API's JSON form. Version
// counts the writes that changed it ("1" once created).
type Ruleset struct {
	ID          string    `json:"id"` // derived from the zone and the phase
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Kind        string    `json:"kind"` // always "zone"
	Version     string    `json:"version"`
	Phase       string    `json:"phase"`
	LastUpdated time.Time `json:"last_updated"`
	Rules       []Rule    `json:"rules"` // in evaluation order, never nil
}

// Rule is a rule of a ruleset, in the API's JSON form. ActionParameters is
// kept as the JSON it was given (compacted), so parameters the simulator
// does not understand round-trip unchanged; "action_parameters",
// "description" and "logging" are omitted when empty, as in API answers.
type Rule struct {
	ID               string          `json:"id"`  // 32 lower-hex chars
	Ref              string          `json:"ref"` // defaults to ID; unique in the ruleset
	Version          string          `json:"version"`
	Action           string          `json:"action"`
	ActionParameters json.RawMessage `json:"action_parameters,omitempty"`
	Expression       string          `json:"expression"`
	Description      string          `json:"description,omitempty"`
	Enabled          bool            `json:"enabled"`
	Logging          *RuleLogging    `json:"logging,omitempty"`
	LastUpdated      time.Time       `json:"last_updated"`
}

// RuleLogging is a rule's "logging" object.
type RuleLogging struct {
	Enabled bool `json:"enabled"`
}

// clone deep-copies rs.
func (rs *Ruleset) clone() Ruleset {
	c := *rs
	c.Rules = make([]Rule, len(rs.Rules))
	for i, r := range rs.Rules {
		c.Rules[i] = r.clone()
	}
	return c
}

func (r Rule) clone() Rule {
	r.ActionParameters = bytes.Clone(r.ActionParameters)
	if r.Logging != nil {
		l := *r.Logging
		r.Logging = &l
	}
	return r
}

// sameContent reports whether a and b differ only in id, version and
// last_updated.
func sameContent(a, b Rule) bool {
	return a.Ref == b.Ref && a.Action == b.Action && bytes.Equal(a.ActionParameters, b.ActionParameters) &&
		a.Expression == b.Expression && a.Description == b.Description && a.Enabled == b.Enabled &&
		(a.Logging == nil) == (b.Logging == nil) && (a.Logging == nil || *a.Logging == *b.Logging)
}

// Ruleset returns a snapshot of the zone's entrypoint ruleset of phase, and
// whether it exists.
func (s *Server) Ruleset(zone, phase string) (Ruleset, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	z := s.zoneByName(zone)
	if z == nil || z.rulesets[phase] == nil {
		return Ruleset{}, false
	}
	return z.rulesets[phase].clone(), true
}

// AddRule appends r to the zone's http_request_firewall_custom entrypoint,
// creating the entrypoint if needed, like a rule someone made in the
// dashboard: validated and limited as by the API, not logged. r.ID, when
// set, must be 32 lower-hex chars unused by any rule; r.Ref defaults to the
// id; r.Enabled is taken as given; Version and LastUpdated are set.
func (s *Server) AddRule(zone string, r Rule) (Rule, error) {
	z, unlock, zerr := s.lockZone(zone)
	if zerr != nil {
		return Rule{}, zerr
	}
	defer unlock()
	if r.ID != "" && (!isHexID(r.ID) || s.ruleIDTaken(r.ID)) {
		return Rule{}, fmt.Errorf("cloudflare sim: rule id %q is malformed or already used", r.ID)
	}
	now := s.now()
	rs, created := z.rulesets[customPhase], false
	if rs == nil {
		rs, created = newRuleset(z, customPhase, now), true
	}
	out, err := s.insertRule(rs, r, nil, now)
	if err != nil {
		return Rule{}, err
	}
	if created {
		z.rulesets[customPhase] = rs
	}
	return out.clone(), nil
}

// AddRuleSharingRef appends r to the zone's custom rules entrypoint like
// AddRule, except that r.Ref must be the ref of a rule already there. The
// simulator's writes refuse two rules with one ref (code 20122); this
// seeds such a ruleset, for clients that must cope with one however it
// came about. It is not logged.
func (s *Server) AddRuleSharingRef(zone string, r Rule) (Rule, error) {
	z, unlock, zerr := s.lockZone(zone)
	if zerr != nil {
		return Rule{}, zerr
	}
	defer unlock()
	rs := z.rulesets[customPhase]
	if rs == nil || r.Ref == "" || !slices.ContainsFunc(rs.Rules, func(o Rule) bool { return o.Ref == r.Ref }) {
		return Rule{}, fmt.Errorf("cloudflare sim: zone %q has no custom rule with ref %q", zone, r.Ref)
	}
	r, err := prepareRule(customPhase, r, "")
	if err != nil {
		return Rule{}, err
	}
	now := s.now()
	r.ID = s.newRuleID()
	r = stamp(r, "1", now)
	rs.Rules = append(rs.Rules, r)
	bumpRuleset(rs, now)
	return r.clone(), nil
}

// MoveRule moves a rule of one of the zone's rulesets to index (1-based),
// like a reorder in the dashboard (not logged). The ruleset's version is
// bumped; the rule's is not.
func (s *Server) MoveRule(zone, ruleID string, index int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs, i, err := s.findRule(zone, ruleID)
	if err != nil {
		return err
	}
	if index < 1 || index > len(rs.Rules) {
		return fmt.Errorf("cloudflare sim: index %d outside 1..%d", index, len(rs.Rules))
	}
	r := rs.Rules[i]
	rs.Rules = slices.Insert(slices.Delete(rs.Rules, i, i+1), index-1, r)
	bumpRuleset(rs, s.now())
	return nil
}

// UpdateRule applies mutate to a copy of a rule, like an edit in the
// dashboard: validated as by the API, stored with a new version and
// last_updated, not logged. Changes to ID, Version and LastUpdated are
// ignored. mutate must not retain the pointer.
func (s *Server) UpdateRule(zone, ruleID string, mutate func(*Rule)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs, i, err := s.findRule(zone, ruleID)
	if err != nil {
		return err
	}
	r := rs.Rules[i].clone()
	if mutate != nil {
		mutate(&r)
	}
	if _, err := s.replaceRule(rs, i, r, nil, s.now()); err != nil {
		return err
	}
	return nil
}

// DeleteRule removes a rule of one of the zone's rulesets (not logged). The
// ruleset stays, possibly empty, as in the API.
func (s *Server) DeleteRule(zone, ruleID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs, i, err := s.findRule(zone, ruleID)
	if err != nil {
		return err
	}
	rs.Rules = slices.Delete(rs.Rules, i, i+1)
	bumpRuleset(rs, s.now())
	return nil
}

// findRule finds the ruleset of the zone that holds rule id, and its index.
// The caller holds s.mu.
func (s *Server) findRule(zone, id string) (*Ruleset, int, error) {
	z, zerr := s.seededZone(zone)
	if zerr != nil {
		return nil, 0, zerr
	}
	for _, rs := range z.rulesets {
		if i := ruleIndex(rs, id); i >= 0 {
			return rs, i, nil
		}
	}
	return nil, 0, fmt.Errorf("cloudflare sim: zone %q has no rule %q", zone, id)
}

// ruleIndex is the index of rule id in rs, or -1.
func ruleIndex(rs *Ruleset, id string) int {
	return slices.IndexFunc(rs.Rules, func(r Rule) bool { return r.ID == id })
}
