package sim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
)

// Handlers of the zone rulesets endpoints. Every answer that succeeds
// carries the whole ruleset; every write bumps its version.

// phasePattern is the shape of a phase name in the path; any such phase is
// served, but only http_request_firewall_custom has its rules validated
// beyond expression and action shape.
var phasePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ruleInput is a rule in a request body (an element of a PUT's rules, or
// a POST/PATCH body). Read-only fields clients echo back (version,
// last_updated, categories) and unknown fields are ignored; id is read only
// in a PUT.
type ruleInput struct {
	ID               string                    `json:"id"`
	Ref              optional[string]          `json:"ref"`
	Action           optional[string]          `json:"action"`
	ActionParameters optional[json.RawMessage] `json:"action_parameters"`
	Expression       optional[string]          `json:"expression"`
	Description      optional[string]          `json:"description"`
	Enabled          optional[bool]            `json:"enabled"`
	Logging          optional[*RuleLogging]    `json:"logging"`
	Position         json.RawMessage           `json:"position"`
}

// overlay returns base with the fields present in the input replaced.
func (in ruleInput) overlay(base Rule) Rule {
	r := base
	setIf(&r.Ref, in.Ref)
	setIf(&r.Action, in.Action)
	setIf(&r.ActionParameters, in.ActionParameters)
	setIf(&r.Expression, in.Expression)
	setIf(&r.Description, in.Description)
	setIf(&r.Enabled, in.Enabled)
	setIf(&r.Logging, in.Logging)
	return r
}

// newRuleBase is what a new rule's absent fields default to.
var newRuleBase = Rule{Enabled: true}

// rulesetInput is the body of PUT .../entrypoint. An absent (or empty) name
// and an absent description keep the current ones ("default" and "" for a
// new ruleset); absent rules means no rules. An "id" is ignored.
type rulesetInput struct {
	Name        optional[string] `json:"name"`
	Description optional[string] `json:"description"`
	Rules       []ruleInput      `json:"rules"`
}

func errNoEntrypoint(phase string) *apiError {
	return newError(http.StatusNotFound, codeNoEntrypoint, "could not find entrypoint ruleset in the %s phase", phase)
}

// getEntrypoint answers GET /zones/{zone}/rulesets/phases/{phase}/entrypoint:
// 404 (code 10003) when the zone has none.
func (s *Server) getEntrypoint(c *call) (reply, *apiError) {
	rs := c.zone.rulesets[c.params["phase"]]
	if rs == nil {
		return reply{}, errNoEntrypoint(c.params["phase"])
	}
	return reply{result: rs.clone()}, nil
}

// putEntrypoint answers PUT .../entrypoint: it creates the entrypoint
// ruleset (version 1) or replaces its rules (bumping the version), all or
// nothing.
func (s *Server) putEntrypoint(c *call) (reply, *apiError) {
	phase := c.params["phase"]
	if !phasePattern.MatchString(phase) {
		return reply{}, badValue("", phase, "phase")
	}
	var in rulesetInput
	if err := decodeBody(c.body, &in); err != nil {
		return reply{}, err
	}
	now := s.now()
	rs := c.zone.rulesets[phase]
	if rs == nil {
		rs = newRuleset(c.zone, phase, now)
	}
	rules := make([]Rule, 0, len(in.Rules))
	for _, ri := range in.Rules {
		r := ri.overlay(newRuleBase)
		r.ID = ri.ID
		rules = append(rules, r)
	}
	out, err := s.replaceRules(rs, rules, now)
	if err != nil {
		return reply{}, err
	}
	if in.Name.value != "" {
		rs.Name = in.Name.value
	}
	setIf(&rs.Description, in.Description)
	rs.Rules = out
	bumpRuleset(rs, now)
	c.zone.rulesets[phase] = rs
	return reply{result: rs.clone()}, nil
}

// createRule answers POST /zones/{zone}/rulesets/{ruleset}/rules: the body
// is a rule plus an optional position (default: at the end).
func (s *Server) createRule(c *call) (reply, *apiError) {
	rs, in, pos, err := s.ruleCall(c)
	if err != nil {
		return reply{}, err
	}
	if _, err := s.insertRule(rs, in.overlay(newRuleBase), pos, s.now()); err != nil {
		return reply{}, err
	}
	return reply{result: rs.clone()}, nil
}

// patchRule answers PATCH .../rules/{rule}: the fields present change, and
// a position moves the rule. The rule's version is bumped.
func (s *Server) patchRule(c *call) (reply, *apiError) {
	rs, in, pos, err := s.ruleCall(c)
	if err != nil {
		return reply{}, err
	}
	i, err := ruleAt(rs, c.params["rule"])
	if err != nil {
		return reply{}, err
	}
	if _, err := s.replaceRule(rs, i, in.overlay(rs.Rules[i].clone()), pos, s.now()); err != nil {
		return reply{}, err
	}
	return reply{result: rs.clone()}, nil
}

// deleteRule answers DELETE .../rules/{rule} with the ruleset as it now is
// (HTTP 200). A body, if any, is ignored.
func (s *Server) deleteRule(c *call) (reply, *apiError) {
	rs, err := rulesetByID(c.zone, c.params["ruleset"])
	if err != nil {
		return reply{}, err
	}
	i, err := ruleAt(rs, c.params["rule"])
	if err != nil {
		return reply{}, err
	}
	rs.Rules = slices.Delete(rs.Rules, i, i+1)
	bumpRuleset(rs, s.now())
	return reply{result: rs.clone()}, nil
}

// ruleCall resolves the ruleset of a single-rule write and decodes its body.
func (s *Server) ruleCall(c *call) (*Ruleset, ruleInput, *position, *apiError) {
	rs, err := rulesetByID(c.zone, c.params["ruleset"])
	if err != nil {
		return nil, ruleInput{}, nil, err
	}
	var in ruleInput
	if err := decodeBody(c.body, &in); err != nil {
		return nil, ruleInput{}, nil, err
	}
	pos, err := parsePosition(in.Position)
	if err != nil {
		return nil, ruleInput{}, nil, err
	}
	return rs, in, pos, nil
}

// ruleAt is the index of rule id in rs: 404, code 10005 if absent.
func ruleAt(rs *Ruleset, id string) (int, *apiError) {
	if i := ruleIndex(rs, id); i >= 0 {
		return i, nil
	}
	return 0, newError(http.StatusNotFound, codeRuleNotFound, "could not find rule %s in ruleset %s", id, rs.ID)
}
