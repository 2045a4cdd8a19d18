package cloudflare

import (
	"net/http"
	"slices"

	"github.com/flarewarden/flarewarden/controller"
)

// Identifiers of the WAF tests.
const (
	testRulesetID = "2f2feab2026849078ba485f918791bdc"
	testAccount   = "01a7362d577a6c3019a474fd6f485823"
	foreignRuleID = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0"
)

// skipRule is an owned skip rule as the planner builds it, with every skip
// product and phase as the API spells them.
func skipRule(name string) controller.Rule {
	return controller.Rule{Ref: controller.RefPrefix + name, Description: "flarewarden: " + name + " (managed, edits are reverted)",
		Expression: "(ip.src in {203.0.113.7 2001:db8::/64})", Action: "skip",
		Skip: &controller.SkipParams{Ruleset: "current", Phases: slices.Clone(controller.SkipPhases),
			Products: slices.Clone(controller.SkipProducts)},
		Enabled: true}
}

// skipBody is the JSON skipRule(name) must be sent as, before its position.
func skipBody(name string) string {
	return `{"ref":"flarewarden_` + name + `","description":"flarewarden: ` + name + ` (managed, edits are reverted)",` +
		`"expression":"(ip.src in {203.0.113.7 2001:db8::/64})","action":"skip","action_parameters":{"ruleset":"current",` +
		`"phases":["http_ratelimit","http_request_firewall_managed","http_request_sbfm"],` +
		`"products":["zoneLockdown","uaBlock","bic","hot","securityLevel","rateLimit","waf"]},` +
		`"enabled":true,"logging":{"enabled":false}`
}

// ruleChange is a change of the test zone's existing ruleset.
func ruleChange(action controller.Action, r controller.Rule, pos *controller.Position) controller.RuleChange {
	return controller.RuleChange{Action: action, Zone: testZone, RulesetID: testRulesetID, Rule: r, Position: pos}
}

// withID returns r with an id, as read back.
func withID(r controller.Rule, id string) controller.Rule {
	r.ID = id
	return r
}

// rulesetAnswer answers with the test ruleset holding one foreign rule.
func rulesetAnswer(w http.ResponseWriter) {
	ok(w, map[string]any{"id": testRulesetID, "name": "default", "kind": "zone", "phase": controller.CustomRulesPhase,
		"version": "3", "rules": []any{foreignRule()}}, nil)
}

// foreignRule is a rule flarewarden does not own.
func foreignRule() map[string]any {
	return map[string]any{"id": foreignRuleID, "ref": foreignRuleID, "expression": `(http.request.uri.path eq "/admin")`,
		"action": "block", "enabled": true, "version": "1"}
}

// noEntrypointAnswer is the API's answer for a zone without entrypoint.
func noEntrypointAnswer(w http.ResponseWriter) {
	fail(w, http.StatusNotFound, 10003, "could not find entrypoint ruleset in the http_request_firewall_custom phase")
}

// requestLines renders hits as "METHOD path[?query]".
func requestLines(hits []hit) []string {
	out := make([]string, len(hits))
	for i, x := range hits {
		out[i] = x.Method + " " + x.Path
		if x.Query != "" {
			out[i] += "?" + x.Query
		}
	}
	return out
}
