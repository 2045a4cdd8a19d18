package sim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// The functions in this file change one ruleset. HTTP handlers and the Go
// API share them, so both validate alike. Each either fails and changes
// nothing, or changes the ruleset and bumps its version. The caller holds s.mu.

// newRuleset returns an unstored, empty entrypoint ruleset of phase for z at
// version "0": the write that stores it bumps it to "1".
func newRuleset(z *zoneState, phase string, now time.Time) *Ruleset {
	return &Ruleset{
		ID: hexID("ruleset", z.zone.ID+"/"+phase), Name: "default", Kind: "zone",
		Version: "0", Phase: phase, LastUpdated: now, Rules: []Rule{},
	}
}

// bumpRuleset records a change of rs at now.
func bumpRuleset(rs *Ruleset, now time.Time) {
	rs.Version = nextVersion(rs.Version)
	rs.LastUpdated = now
}

// nextVersion increments a decimal version string (a malformed one restarts at 1).
func nextVersion(v string) string {
	n, _ := strconv.Atoi(v)
	return strconv.Itoa(n + 1)
}

// insertRule validates r as a new rule of rs (its ID, when set, is used)
// and inserts it at pos (nil = at the end).
func (s *Server) insertRule(rs *Ruleset, r Rule, pos *position, now time.Time) (Rule, *apiError) {
	if err := s.checkLimit(rs, len(rs.Rules)+1); err != nil {
		return Rule{}, err
	}
	r, err := prepareRule(rs.Phase, r, "")
	if err != nil {
		return Rule{}, err
	}
	at, err := insertionIndex(rs.Rules, pos)
	if err != nil {
		return Rule{}, err
	}
	seq := s.idSeq
	if r.ID == "" {
		r.ID = s.newRuleID()
	}
	r = stamp(r, "1", now)
	rules := slices.Insert(slices.Clone(rs.Rules), at, r)
	if err := checkUnique(rules, ""); err != nil {
		s.idSeq = seq
		return Rule{}, err
	}
	rs.Rules = rules
	bumpRuleset(rs, now)
	return r, nil
}

// replaceRule validates r as the new content of rule i of rs, moves it to
// pos when pos is set (and names another rule or an index), and bumps the
// rule's version.
func (s *Server) replaceRule(rs *Ruleset, i int, r Rule, pos *position, now time.Time) (Rule, *apiError) {
	old := rs.Rules[i]
	r.ID = old.ID
	r, err := prepareRule(rs.Phase, r, "")
	if err != nil {
		return Rule{}, err
	}
	rest := slices.Delete(slices.Clone(rs.Rules), i, i+1)
	at := i
	if pos != nil && pos.ref != old.ID {
		if at, err = insertionIndex(rest, pos); err != nil {
			return Rule{}, err
		}
	}
	r = stamp(r, nextVersion(old.Version), now)
	rules := slices.Insert(rest, at, r)
	if err := checkUnique(rules, ""); err != nil {
		return Rule{}, err
	}
	rs.Rules = rules
	bumpRuleset(rs, now)
	return r, nil
}

// replaceRules validates in as the complete new rule list of rs (a PUT of
// the entrypoint) and returns it without storing it. A rule whose id names
// a rule of rs keeps that id, and its version unless its content changed;
// other rules get new ids. On error the id counter is left untouched.
func (s *Server) replaceRules(rs *Ruleset, in []Rule, now time.Time) ([]Rule, *apiError) {
	if err := s.checkLimit(rs, len(in)); err != nil {
		return nil, err
	}
	seq := s.idSeq
	out := make([]Rule, 0, len(in))
	for i, r := range in {
		r, err := prepareRule(rs.Phase, r, fmt.Sprintf("/rules/%d", i))
		if err != nil {
			s.idSeq = seq
			return nil, err
		}
		out = append(out, s.carryOver(rs, r, now))
	}
	if err := checkUnique(out, "/rules"); err != nil {
		s.idSeq = seq
		return nil, err
	}
	return out, nil
}

// carryOver gives r (a rule of a PUT body) its id, version and last_updated:
// those of the rule of rs with the same id when the content is unchanged,
// a bumped version when it changed, and a new id at version 1 otherwise.
func (s *Server) carryOver(rs *Ruleset, r Rule, now time.Time) Rule {
	i := -1
	if r.ID != "" {
		i = ruleIndex(rs, r.ID)
	}
	if i < 0 {
		r.ID = s.newRuleID()
		return stamp(r, "1", now)
	}
	old := rs.Rules[i]
	if r.Ref == "" {
		r.Ref = r.ID
	}
	if sameContent(old, r) {
		return stamp(r, old.Version, old.LastUpdated)
	}
	return stamp(r, nextVersion(old.Version), now)
}

// stamp sets r's version and last_updated, and defaults its ref to its id.
func stamp(r Rule, version string, at time.Time) Rule {
	if r.Ref == "" {
		r.Ref = r.ID
	}
	r.Version, r.LastUpdated = version, at
	return r
}

// checkLimit refuses n rules in rs when that is more than the rule limit.
func (s *Server) checkLimit(rs *Ruleset, n int) *apiError {
	if s.ruleLimit == 0 || n <= s.ruleLimit {
		return nil
	}
	return newError(http.StatusBadRequest, codeRuleLimit,
		"exceeded maximum number of rules in the phase %s: %d out of %d", rs.Phase, s.ruleLimit, s.ruleLimit)
}

// checkUnique refuses two rules sharing an id or a ref; the error points
// at "/ref" for a single-rule call (body ""), else at body+"/N/ref".
func checkUnique(rules []Rule, body string) *apiError {
	ids, refs := map[string]bool{}, map[string]bool{}
	for i, r := range rules {
		if ids[r.ID] || refs[r.Ref] {
			ptr := "/ref"
			if body != "" {
				ptr = fmt.Sprintf("%s/%d/ref", body, i)
			}
			e := newError(http.StatusBadRequest, codeRuleDuplicate, "rules must have unique refs and ids: %q is used twice", r.Ref)
			return pointed(e, ptr)
		}
		ids[r.ID], refs[r.Ref] = true, true
	}
	return nil
}

// rulesetByID finds the zone's ruleset with that id: 404, code 10004 if none.
func rulesetByID(z *zoneState, id string) (*Ruleset, *apiError) {
	for _, rs := range z.rulesets {
		if rs.ID == id {
			return rs, nil
		}
	}
	return nil, newError(http.StatusNotFound, codeRulesetNotFound, "could not find ruleset %s", id)
}

// newRuleID returns a counter-derived rule id unused in every zone.
func (s *Server) newRuleID() string {
	for {
		if id := s.nextID("rule"); !s.ruleIDTaken(id) {
			return id
		}
	}
}

// ruleIDTaken reports whether a rule of any zone has that id.
func (s *Server) ruleIDTaken(id string) bool {
	for _, z := range s.zones {
		for _, rs := range z.rulesets {
			if ruleIndex(rs, id) >= 0 {
				return true
			}
		}
	}
	return false
}
