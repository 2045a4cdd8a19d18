package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/flarewarden/flarewarden/controller"
)

// codeNoEntrypoint is the code of a 404 for a phase without entrypoint ruleset.
const codeNoEntrypoint = 10003

// actionSkip is the action of skip rules, the only ones whose action
// parameters are read.
const actionSkip = "skip"

// apiRuleset is a ruleset as the rulesets endpoints answer it: the
// entrypoint GET and PUT, and every single-rule write. Rules stays raw so
// that a missing field (nil) and "rules": null can be told apart; Phase
// and Version tell the API's answer for an entrypoint without rules, which
// leaves the field out, from an answer that lost it.
type apiRuleset struct {
	ID      string          `json:"id"`
	Phase   string          `json:"phase"`
	Version string          `json:"version"`
	Rules   json.RawMessage `json:"rules"`
}

// apiRule is a rule as the API returns it. ActionParameters stays raw: only
// those of skip rules are read, other actions have other shapes.
type apiRule struct {
	ID               string          `json:"id"`
	Ref              string          `json:"ref"`
	Description      string          `json:"description"`
	Expression       string          `json:"expression"`
	Action           string          `json:"action"`
	ActionParameters json.RawMessage `json:"action_parameters"`
	Enabled          *bool           `json:"enabled"` // absent means true, the API's default
	Logging          *ruleLogging    `json:"logging"`
}

// ruleLogging is a rule's logging object.
type ruleLogging struct {
	Enabled bool `json:"enabled"`
}

// skipParams are a skip rule's action parameters on the wire; empty fields
// are omitted, values are sent exactly as given.
type skipParams struct {
	Ruleset  string   `json:"ruleset,omitempty"`
	Phases   []string `json:"phases,omitempty"`
	Products []string `json:"products,omitempty"`
}

// Entrypoint returns the zone's custom rules entrypoint ruleset
// (GET /zones/{id}/rulesets/phases/http_request_firewall_custom/entrypoint)
// with all its rules, foreign ones included, in the API's order. A zone
// without one (HTTP 404 with code 10003) gives
// Ruleset{ID: ""} and no error. An answer without ruleset id, with
// "rules": null, without a rules field (unless it is otherwise a whole
// entrypoint: see checkRules), with a rule without id or with undecodable
// skip parameters is a temporary malformed-answer error naming the zone: a
// bad answer never leads to writes.
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
	var a apiRuleset
	if err := decode(raw, &a); err != nil {
		return controller.Ruleset{}, err
	}
	if err := a.checkRules(); err != nil {
		return controller.Ruleset{}, err
	}
	return a.toRuleset()
}

// checkRules refuses a rules field that cannot be trusted to list every
// rule: "rules": null, or no field in an answer that is not otherwise a
// whole entrypoint of the custom phase. The API leaves the field out for an
// entrypoint without rules (one whose last rule was deleted), with its
// phase and version: only that is read as empty. An answer that lost its
// rules would else be read as empty and get a second copy of a rule the
// zone has.
func (a apiRuleset) checkRules() error {
	switch {
	case a.ID == "":
		return nil // toRuleset refuses it
	case string(a.Rules) == "null":
		return fmt.Errorf("%w: ruleset %s answered \"rules\": null instead of its list of rules", errMalformed, a.ID)
	case a.Rules == nil && (a.Phase != controller.CustomRulesPhase || a.Version == ""):
		return fmt.Errorf("%w: ruleset %s answered no \"rules\" field, and no phase %s and version that an entrypoint without rules has",
			errMalformed, a.ID, controller.CustomRulesPhase)
	}
	return nil
}

// decodeRuleset decodes a ruleset answer; a ruleset without id or a rule
// without id makes it malformed. It is used for the answers of writes,
// which decide nothing: a missing rules field reads as no rules.
func decodeRuleset(raw json.RawMessage) (controller.Ruleset, error) {
	var a apiRuleset
	if err := decode(raw, &a); err != nil {
		return controller.Ruleset{}, err
	}
	return a.toRuleset()
}

// toRuleset converts a decoded answer.
func (a apiRuleset) toRuleset() (controller.Ruleset, error) {
	if a.ID == "" {
		return controller.Ruleset{}, fmt.Errorf("%w: ruleset without id", errMalformed)
	}
	var rules []apiRule
	if len(a.Rules) > 0 {
		if err := json.Unmarshal(a.Rules, &rules); err != nil {
			return controller.Ruleset{}, fmt.Errorf("%w: rules of ruleset %s: %w", errMalformed, a.ID, err)
		}
	}
	rs := controller.Ruleset{ID: a.ID, Rules: make([]controller.Rule, 0, len(rules))}
	for i, r := range rules {
		rule, err := r.toRule()
		if err != nil {
			return controller.Ruleset{}, fmt.Errorf("rule %d: %w", i+1, err)
		}
		rs.Rules = append(rs.Rules, rule)
	}
	return rs, nil
}

// toRule converts an API rule; a skip rule always gets Skip (empty when it
// has no parameters), other actions never do.
func (r apiRule) toRule() (controller.Rule, error) {
	if r.ID == "" {
		return controller.Rule{}, fmt.Errorf("%w: rule without id", errMalformed)
	}
	rule := controller.Rule{ID: r.ID, Ref: r.Ref, Description: r.Description, Expression: r.Expression,
		Action: r.Action, Enabled: r.Enabled == nil || *r.Enabled, Logging: r.Logging != nil && r.Logging.Enabled}
	if r.Action != actionSkip {
		return rule, nil
	}
	var p skipParams
	if len(r.ActionParameters) > 0 && string(r.ActionParameters) != "null" {
		if err := json.Unmarshal(r.ActionParameters, &p); err != nil {
			return controller.Rule{}, fmt.Errorf("%w: skip parameters of rule %s: %w", errMalformed, r.ID, err)
		}
	}
	rule.Skip = &controller.SkipParams{Ruleset: p.Ruleset, Phases: p.Phases, Products: p.Products}
	return rule, nil
}

// entrypointPath is the API path of a zone's custom rules entrypoint.
func entrypointPath(zoneID string) string {
	return zonePath(zoneID) + "/rulesets/phases/" + controller.CustomRulesPhase + "/entrypoint"
}

// rulesPath is the API path of the rules of a zone ruleset.
func rulesPath(zoneID, rulesetID string) string {
	return zonePath(zoneID) + "/rulesets/" + url.PathEscape(rulesetID) + "/rules"
}
