package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
)

// codeNoEntrypoint is the code of a 404 for a phase without entrypoint ruleset.
const codeNoEntrypoint = 10003

// actionSkip is the action of skip rules, the only ones whose action
// parameters are read.
const actionSkip = "skip"

// Entrypoint returns the zone's custom rules entrypoint ruleset
// (GET /zones/{id}/rulesets/phases/http_request_firewall_custom/entrypoint)
// with all its rules, foreign ones included, in the API's order. A zone
// without one (HTTP 404 with code 10003) gives
// Ruleset{ID: ""} and no error. An answer without ruleset id, with
// "rules": null, without a rules field (unless it is otherwise a whole
// entrypoint: see checkRules), with a rule without id or with a rule the
// SDK's cf.RulesetRule cannot decode is a temporary malformed-answer error
// naming the zone: a bad answer never leads to writes.
//
// SDK defect worked around: GetEntrypointRuleset returns only a
// cf.Ruleset, whose Rules reads "rules": null and no rules field alike
// (nil), while checkRules must refuse the one and accept the other
// (TestSDKRulesetCannotTellNullRules); so the answer is fetched raw and
// decoded into cf.Ruleset here.
func (c *Client) Entrypoint(ctx context.Context, zone controller.Zone) (controller.Ruleset, error) {
	const op = "read custom rules"
	if err := checkZone(op, zone); err != nil {
		return controller.Ruleset{}, err
	}
	r, err := c.call(ctx, http.MethodGet, entrypointPath(zone.ID), nil)
	if err != nil {
		e := c.apiError(err, op, zoneLabel(zone), "")
		if noEntrypoint(e) {
			return controller.Ruleset{}, nil
		}
		c.zoneGone(e)
		return controller.Ruleset{}, e
	}
	rs, err := decodeEntrypoint(r.Result)
	if err != nil {
		return controller.Ruleset{}, c.apiError(err, op, zoneLabel(zone), "")
	}
	return rs, nil
}

// noEntrypoint reports whether an answer means "this phase has no
// entrypoint": a 404 with code 10003 only. Any other 404 (a proxy's page,
// an answer without code) is an error: taking it for a missing entrypoint
// would lead to a PUT that replaces every rule of the zone.
func noEntrypoint(e *APIError) bool {
	return e.Status == http.StatusNotFound && e.hasCode(codeNoEntrypoint)
}

// decodeEntrypoint decodes the entrypoint answer a plan is made from: as
// decodeRuleset, and its rules field must be trustworthy (checkRules).
func decodeEntrypoint(raw json.RawMessage) (controller.Ruleset, error) {
	var rs wireRuleset
	if err := decode(raw, &rs); err != nil {
		return controller.Ruleset{}, err
	}
	var field struct {
		Rules json.RawMessage `json:"rules"`
	}
	if err := json.Unmarshal(raw, &field); err != nil {
		return controller.Ruleset{}, fmt.Errorf("%w: %w", errMalformed, err)
	}
	if err := checkRules(rs.Ruleset, field.Rules); err != nil {
		return controller.Ruleset{}, err
	}
	return rulesetOf(rs)
}

// checkRules refuses a rules field (rules, as answered) that cannot be
// trusted to list every rule: "rules": null, or no field in an answer that
// is not otherwise a whole entrypoint of the custom phase. The API leaves
// the field out for an entrypoint without rules (one whose last rule was
// deleted), with its phase and version: only that is read as empty. An
// answer that lost its rules would else be read as empty and get a second
// copy of a rule the zone has.
func checkRules(rs cf.Ruleset, rules json.RawMessage) error {
	switch {
	case rs.ID == "":
		return nil // rulesetOf refuses it
	case string(rules) == "null":
		return fmt.Errorf("%w: ruleset %s answered \"rules\": null instead of its list of rules", errMalformed, rs.ID)
	case rules == nil && (rs.Phase != controller.CustomRulesPhase || rs.Version == nil || *rs.Version == ""):
		return fmt.Errorf("%w: ruleset %s answered no \"rules\" field, and no phase %s and version that an entrypoint without rules has",
			errMalformed, rs.ID, controller.CustomRulesPhase)
	}
	return nil
}

// decodeRuleset decodes a ruleset answer; a ruleset without id or a rule
// without id makes it malformed. It is used for the answers of writes,
// which decide nothing: a missing rules field reads as no rules.
func decodeRuleset(raw json.RawMessage) (controller.Ruleset, error) {
	var rs wireRuleset
	if err := decode(raw, &rs); err != nil {
		return controller.Ruleset{}, err
	}
	return rulesetOf(rs)
}

// wireRuleset is a ruleset answer: the SDK's cf.Ruleset, its rules kept
// raw (this field hides cf.Ruleset's) to be decoded one by one (ruleFrom).
type wireRuleset struct {
	cf.Ruleset
	Rules []json.RawMessage `json:"rules"`
}

// rulesetOf converts a decoded ruleset.
func rulesetOf(a wireRuleset) (controller.Ruleset, error) {
	if a.ID == "" {
		return controller.Ruleset{}, fmt.Errorf("%w: ruleset without id", errMalformed)
	}
	rs := controller.Ruleset{ID: a.ID, Rules: make([]controller.Rule, 0, len(a.Rules))}
	for i, raw := range a.Rules {
		r, err := ruleFrom(raw)
		if err != nil {
			return controller.Ruleset{}, fmt.Errorf("rule %d: %w", i+1, err)
		}
		if r.ID == "" {
			return controller.Ruleset{}, fmt.Errorf("rule %d: %w: rule without id", i+1, errMalformed)
		}
		rs.Rules = append(rs.Rules, ruleOf(r))
	}
	return rs, nil
}

// ruleFrom decodes one rule into the SDK's cf.RulesetRule. The SDK's typed
// action_parameters follow the API late (parameters of other actions are
// added and retyped: cloudflare-go#4312, #4359), so a foreign rule whose
// parameters it cannot decode is read without them: flarewarden needs only
// its id, ref and place, and never sends it back. An owned rule, or any
// skip rule, must decode whole.
func ruleFrom(raw json.RawMessage) (cf.RulesetRule, error) {
	var r cf.RulesetRule
	err := json.Unmarshal(raw, &r)
	if err == nil {
		return r, nil
	}
	var bare struct {
		cf.RulesetRule
		ActionParameters json.RawMessage `json:"action_parameters"` // hides the SDK's
	}
	if json.Unmarshal(raw, &bare) != nil || (controller.Rule{Ref: bare.Ref}).Owned() || bare.Action == actionSkip {
		return cf.RulesetRule{}, fmt.Errorf("%w: %w", errMalformed, err)
	}
	return bare.RulesetRule, nil
}

// ruleOf converts a rule: enabled absent means true (the API's default);
// a skip rule always gets Skip (empty when it has no parameters), other
// actions never do. Products are read and written as the strings the API
// answers and flarewarden configures (controller.SkipProducts), never as
// the SDK's RulesetActionParameterProduct constants, which spell
// zoneLockdown, uaBlock and rateLimit in lower case: README "WAF" records
// the API refusing those with code 20119 (TestSDKSkipProductConstants).
func ruleOf(r cf.RulesetRule) controller.Rule {
	rule := controller.Rule{ID: r.ID, Ref: r.Ref, Description: r.Description, Expression: r.Expression,
		Action: r.Action, Enabled: r.Enabled == nil || *r.Enabled,
		Logging: r.Logging != nil && r.Logging.Enabled != nil && *r.Logging.Enabled}
	if r.Action != actionSkip {
		return rule
	}
	p := r.ActionParameters
	if p == nil {
		p = &cf.RulesetRuleActionParameters{}
	}
	rule.Skip = &controller.SkipParams{Ruleset: p.Ruleset, Phases: p.Phases, Products: p.Products}
	return rule
}

// entrypointPath is the API path of a zone's custom rules entrypoint.
func entrypointPath(zoneID string) string {
	return zonePath(zoneID) + "/rulesets/phases/" + controller.CustomRulesPhase + "/entrypoint"
}

// rulesPath is the API path of the rules of a zone ruleset.
func rulesPath(zoneID, rulesetID string) string {
	return zonePath(zoneID) + "/rulesets/" + url.PathEscape(rulesetID) + "/rules"
}
