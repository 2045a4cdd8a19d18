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

// accessRulesPerPage is the page size of the IP Access Rule listing.
const accessRulesPerPage = 1000

// accessRuleBody is the body of POST .../firewall/access_rules/rules.
// SDK defect worked around: cf.AccessRule, the body of the SDK's
// CreateZoneAccessRule and UpdateZoneAccessRule, sends "scope": {} and
// zero created_on and modified_on times and leaves out empty notes, so a
// PATCH could never clear them (TestSDKAccessRuleBody): creates and
// updates are sent with call and these bodies.
type accessRuleBody struct {
	Mode          string                     `json:"mode"`
	Configuration cf.AccessRuleConfiguration `json:"configuration"`
	Notes         string                     `json:"notes"`
}

// accessPatchBody is the body of PATCH .../firewall/access_rules/rules/{id}.
type accessPatchBody struct {
	Mode  string `json:"mode"`
	Notes string `json:"notes"`
}

// AccessRules returns every IP Access Rule of the zone, whatever its mode
// (the planner must see a hand-made block or challenge rule for an address
// it would allow, as the API refuses a second rule for the same value):
// GET /zones/{id}/firewall/access_rules/rules, 1,000 a page, every page. A
// rule without id, mode, target or value, or an answer that cannot be
// decoded or lost items, fails the whole listing with a temporary error
// naming the zone. It pages itself (listPages): the SDK's
// ListZoneAccessRules and ListIPAccessRules fetch one page and read a null
// result as an empty page (TestSDKListsReadNullResultAsEmpty).
func (c *Client) AccessRules(ctx context.Context, zone controller.Zone) ([]controller.AccessRule, error) {
	const op = "list ip access rules"
	if err := checkZone(op, zone); err != nil {
		return nil, err
	}
	var rules []controller.AccessRule
	err := c.listPages(ctx, accessRulesPath(zone.ID), accessRulesPerPage, func(raw json.RawMessage) (int, error) {
		var page []cf.AccessRule
		if err := decode(raw, &page); err != nil {
			return 0, err
		}
		for _, r := range page {
			if r.ID == "" || r.Mode == "" || r.Configuration.Target == "" || r.Configuration.Value == "" {
				return 0, fmt.Errorf("%w: ip access rule without id, mode, target or value", errMalformed)
			}
			rules = append(rules, controller.AccessRule{ID: r.ID, Mode: r.Mode, Target: r.Configuration.Target,
				Value: r.Configuration.Value, Notes: r.Notes})
		}
		return len(page), nil
	})
	if err != nil {
		return nil, c.zoneError(err, op, zone, "")
	}
	return rules, nil
}

// ApplyAccessRules writes a zone's IP Access Rule changes in order: a
// create is POST /zones/{id}/firewall/access_rules/rules with the rule's
// mode, target, value and notes as given (its answer must carry the new
// rule's id); an update is PATCH .../rules/{id} with the mode and notes
// (the API changes nothing else); a delete is DELETE .../rules/{id},
// without body. Every change
// is checked before anything is written; it stops at the first failure,
// with an *APIError naming the zone and the rule's value.
func (c *Client) ApplyAccessRules(ctx context.Context, zone controller.Zone, changes []controller.AccessRuleChange) error {
	if len(changes) == 0 {
		return nil
	}
	if err := checkAccessChanges(zone, changes); err != nil {
		return err
	}
	for _, ch := range changes {
		if err := c.writeAccessRule(ctx, zone, ch); err != nil {
			return c.zoneError(err, accessOp(ch.Action), zone, ch.Rule.Value)
		}
	}
	return nil
}

// writeAccessRule makes the call of one valid change: a delete is the
// SDK's DeleteZoneAccessRule, a create or update is sent with call (see
// accessRuleBody).
func (c *Client) writeAccessRule(ctx context.Context, zone controller.Zone, ch controller.AccessRuleChange) error {
	rulePath := accessRulesPath(zone.ID) + "/" + url.PathEscape(ch.Rule.ID)
	switch ch.Action {
	case controller.ActionDelete:
		_, err := c.api.DeleteZoneAccessRule(ctx, url.PathEscape(zone.ID), url.PathEscape(ch.Rule.ID))
		return err
	case controller.ActionUpdate:
		r, err := c.call(ctx, http.MethodPatch, rulePath, accessPatchBody{Mode: ch.Rule.Mode, Notes: ch.Rule.Notes})
		if err != nil {
			return err
		}
		return checkAccessAnswer(r.Result, "updated")
	}
	body := accessRuleBody{Mode: ch.Rule.Mode, Notes: ch.Rule.Notes,
		Configuration: cf.AccessRuleConfiguration{Target: ch.Rule.Target, Value: ch.Rule.Value}}
	r, err := c.call(ctx, http.MethodPost, accessRulesPath(zone.ID), body)
	if err != nil {
		return err
	}
	return checkAccessAnswer(r.Result, "created")
}

// checkAccessAnswer checks that a write's answer is a rule with an id.
func checkAccessAnswer(raw json.RawMessage, verb string) error {
	var rule cf.AccessRule
	if err := decode(raw, &rule); err != nil {
		return err
	}
	if rule.ID == "" {
		return fmt.Errorf("%w: %s ip access rule without id", errMalformed, verb)
	}
	return nil
}

// checkAccessChanges returns an error for the first change that cannot be sent.
func checkAccessChanges(zone controller.Zone, changes []controller.AccessRuleChange) *APIError {
	if err := checkZone("apply ip access rules", zone); err != nil {
		return err
	}
	for _, ch := range changes {
		if reason := checkAccessChange(zone, ch); reason != "" {
			return &APIError{Op: accessOp(ch.Action), Zone: zoneLabel(zone), Record: ch.Rule.Value,
				Err: fmt.Errorf("%w: %s", errInvalid, reason)}
		}
	}
	return nil
}

// checkAccessChange returns why a change cannot be sent, or "".
func checkAccessChange(zone controller.Zone, ch controller.AccessRuleChange) string {
	if ch.Zone.ID != "" && ch.Zone.ID != zone.ID {
		return "change belongs to zone " + zoneLabel(ch.Zone)
	}
	switch ch.Action {
	case controller.ActionCreate:
		if ch.Rule.Mode == "" || ch.Rule.Target == "" || ch.Rule.Value == "" {
			return "create without mode, target or value"
		}
	case controller.ActionUpdate:
		if ch.Rule.ID == "" || ch.Rule.Mode == "" {
			return "update without a rule id or mode"
		}
	case controller.ActionDelete:
		if ch.Rule.ID == "" {
			return "delete without a rule id"
		}
	default:
		return fmt.Sprintf("unknown action %q", ch.Action)
	}
	return ""
}

// accessOp names an IP Access Rule change in errors: "create access rule", ...
func accessOp(a controller.Action) string { return string(a) + " access rule" }

// accessRulesPath is the API path of a zone's IP Access Rules.
func accessRulesPath(zoneID string) string {
	return zonePath(zoneID) + "/firewall/access_rules/rules"
}
