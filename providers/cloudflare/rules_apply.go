package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
)

// entrypointName is the name of an entrypoint ruleset flarewarden creates.
const entrypointName = "default"

// entrypointOp names the creation of an entrypoint in errors.
const entrypointOp = "create custom rules entrypoint with"

// entrypointBody is the body of PUT .../phases/http_request_firewall_custom/entrypoint.
// SDK defect worked around: UpdateEntrypointRulesetParams has no name and
// leaves out an empty description (TestSDKEntrypointParamsHaveNoName), so
// the entrypoint is created with call and this body.
type entrypointBody struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Rules       []ruleBody `json:"rules"`
}

// ruleBody is one owned rule as flarewarden writes it: in the entrypoint
// PUT, and as the body of a single-rule POST or PATCH (the full rule, so a
// PATCH leaves nothing of the old rule behind). Its parameters and logging
// are the SDK's types. SDK defect worked around: cf.RulesetRule has no
// position and leaves out an empty ref or description, and v0.119 has no
// call that creates or updates one rule (TestSDKRulesetRuleHasNoPosition).
type ruleBody struct {
	Ref              string                          `json:"ref"`
	Description      string                          `json:"description"`
	Expression       string                          `json:"expression"`
	Action           string                          `json:"action"`
	ActionParameters *cf.RulesetRuleActionParameters `json:"action_parameters,omitempty"`
	Enabled          bool                            `json:"enabled"`
	Logging          cf.RulesetRuleLogging           `json:"logging"`
	Position         *rulePosition                   `json:"position,omitempty"`
}

// rulePosition places a rule before another; Before "" means at the top,
// so the key is always sent.
type rulePosition struct {
	Before string `json:"before"`
}

// ApplyRules writes a zone's custom rule changes, in order. Its contract:
//   - every change is checked first (zone, action, rule id, and that its
//     rule is flarewarden's: its ref has controller.RefPrefix); an invalid
//     one fails ApplyRules before anything is written, so no body ever
//     carries a foreign rule;
//   - changes with RulesetID "" must all be creates: they become ONE
//     PUT of the entrypoint holding exactly their rules, in order. As that
//     PUT would replace an existing entrypoint, the entrypoint is read just
//     before: if it exists by now, nothing is written and the error is
//     temporary (the next pass reads it again);
//   - other changes are single-rule calls: POST .../rulesets/{rs}/rules,
//     PATCH or DELETE .../rules/{rule_id}, with the position when the change
//     has one. Each answer must decode as a ruleset; it decides nothing.
//     The DELETE is not the SDK's DeleteRulesetRule either, which takes any
//     answer with a body for an error, while the API answers the ruleset
//     (TestSDKDeleteRulesetRuleRefusesTheAnswer);
//   - it stops at the first failed change, with an error naming the zone
//     and the rule ref. A refusal because the zone's plan allows no more
//     custom rules (code 20217, or a message saying "exceeded maximum
//     number of rules") wraps controller.ErrRuleLimit and says so plainly.
func (c *Client) ApplyRules(ctx context.Context, zone controller.Zone, changes []controller.RuleChange) error {
	if len(changes) == 0 {
		return nil
	}
	if err := checkRuleChanges(zone, changes); err != nil {
		return err
	}
	if changes[0].RulesetID == "" {
		return c.createEntrypoint(ctx, zone, changes)
	}
	for _, ch := range changes {
		if err := c.writeRule(ctx, zone, ch); err != nil {
			return err
		}
	}
	return nil
}

// createEntrypoint creates the zone's entrypoint holding the changes'
// rules, unless the zone has one by now. The PUT goes through call, as the
// SDK's UpdateEntrypointRuleset cannot send its name (entrypointBody).
func (c *Client) createEntrypoint(ctx context.Context, zone controller.Zone, changes []controller.RuleChange) error {
	refs := ruleRefs(changes)
	existing, err := c.Entrypoint(ctx, zone)
	if err != nil {
		return err
	}
	if existing.ID != "" {
		return &APIError{Op: entrypointOp, Zone: zoneLabel(zone), Record: refs,
			Err: fmt.Errorf("%w: the zone has a custom rules entrypoint by now (ruleset %s), which is never replaced", errChanged, existing.ID)}
	}
	body := entrypointBody{Name: entrypointName, Rules: make([]ruleBody, 0, len(changes))}
	for _, ch := range changes {
		body.Rules = append(body.Rules, bodyOf(ch.Rule, nil))
	}
	r, err := c.call(ctx, http.MethodPut, entrypointPath(zone.ID), body)
	if err == nil {
		_, err = decodeRuleset(r.Result)
	}
	if err != nil {
		return c.ruleError(err, entrypointOp, zone, refs, "add")
	}
	return nil
}

// writeRule applies one change to an existing ruleset.
func (c *Client) writeRule(ctx context.Context, zone controller.Zone, ch controller.RuleChange) error {
	method, path, body := ruleCall(zone.ID, ch)
	r, err := c.call(ctx, method, path, body)
	if err == nil {
		_, err = decodeRuleset(r.Result)
	}
	if err != nil {
		verb := "add"
		if ch.Action != controller.ActionCreate {
			verb = "change"
		}
		return c.ruleError(err, ruleOp(ch.Action), zone, ch.Rule.Ref, verb)
	}
	return nil
}

// ruleCall returns the single-rule request of a valid change, for call:
// the SDK has no call that creates or updates one rule
// (TestSDKRulesetRuleHasNoPosition), and its DeleteRulesetRule refuses the
// API's answer (TestSDKDeleteRulesetRuleRefusesTheAnswer).
func ruleCall(zoneID string, ch controller.RuleChange) (method, path string, body any) {
	rules := rulesPath(zoneID, ch.RulesetID)
	switch ch.Action {
	case controller.ActionDelete:
		return http.MethodDelete, rules + "/" + url.PathEscape(ruleID(ch)), nil
	case controller.ActionUpdate:
		return http.MethodPatch, rules + "/" + url.PathEscape(ruleID(ch)), bodyOf(ch.Rule, ch.Position)
	default:
		return http.MethodPost, rules, bodyOf(ch.Rule, ch.Position)
	}
}

// bodyOf builds the wire form of a rule, placed at pos when not nil.
func bodyOf(r controller.Rule, pos *controller.Position) ruleBody {
	b := ruleBody{Ref: r.Ref, Description: r.Description, Expression: r.Expression, Action: r.Action,
		Enabled: r.Enabled, Logging: cf.RulesetRuleLogging{Enabled: &r.Logging}}
	if r.Skip != nil && (r.Skip.Ruleset != "" || len(r.Skip.Phases) > 0 || len(r.Skip.Products) > 0) {
		b.ActionParameters = &cf.RulesetRuleActionParameters{Ruleset: r.Skip.Ruleset, Phases: r.Skip.Phases, Products: r.Skip.Products}
	}
	if pos != nil {
		b.Position = &rulePosition{Before: pos.Before}
	}
	return b
}

// checkRuleChanges returns an error for the first change that cannot be sent.
func checkRuleChanges(zone controller.Zone, changes []controller.RuleChange) *APIError {
	if err := checkZone("apply rules", zone); err != nil {
		return err
	}
	fresh := changes[0].RulesetID == ""
	for _, ch := range changes {
		reason := checkRuleTarget(zone, ch, fresh)
		if reason == "" {
			reason = checkRuleAction(ch)
		}
		if reason != "" {
			return &APIError{Op: ruleOp(ch.Action), Zone: zoneLabel(zone), Record: ch.Rule.Ref,
				Err: fmt.Errorf("%w: %s", errInvalid, reason)}
		}
	}
	return nil
}

// checkRuleTarget returns why a change may not touch the zone's ruleset, or "".
func checkRuleTarget(zone controller.Zone, ch controller.RuleChange, fresh bool) string {
	switch {
	case ch.Zone.ID != "" && ch.Zone.ID != zone.ID:
		return "change belongs to zone " + zoneLabel(ch.Zone)
	case (ch.RulesetID == "") != fresh:
		return "changes mix a new entrypoint with an existing ruleset"
	case fresh && ch.Action != controller.ActionCreate:
		return "a new entrypoint can only be created with new rules"
	case !ch.Rule.Owned():
		return fmt.Sprintf("rule ref %q is not flarewarden's (%s...): foreign rules are never written", ch.Rule.Ref, controller.RefPrefix)
	}
	return ""
}

// checkRuleAction returns why a change's rule cannot be sent, or "".
func checkRuleAction(ch controller.RuleChange) string {
	switch ch.Action {
	case controller.ActionCreate:
		return checkRuleBody(ch.Rule)
	case controller.ActionUpdate:
		if ruleID(ch) == "" {
			return "update without a rule id"
		}
		return checkRuleBody(ch.Rule)
	case controller.ActionDelete:
		if ruleID(ch) == "" {
			return "delete without a rule id"
		}
	default:
		return fmt.Sprintf("unknown action %q", ch.Action)
	}
	return ""
}

// checkRuleBody returns why a rule cannot be written, or "".
func checkRuleBody(r controller.Rule) string {
	if r.Expression == "" || r.Action == "" {
		return "rule without expression or action"
	}
	return ""
}

// ruleID is the id of the rule a change updates or deletes.
func ruleID(ch controller.RuleChange) string {
	if ch.Rule.ID != "" {
		return ch.Rule.ID
	}
	if ch.Before != nil {
		return ch.Before.ID
	}
	return ""
}

// ruleOp names a rule change in errors: "create rule", "update rule", ...
func ruleOp(a controller.Action) string { return string(a) + " rule" }

// ruleRefs names the rules of changes: "flarewarden_a, flarewarden_b".
func ruleRefs(changes []controller.RuleChange) string {
	refs := make([]string, len(changes))
	for i, ch := range changes {
		refs[i] = ch.Rule.Ref
	}
	return strings.Join(refs, ", ")
}
