package sim

import (
	"net/http"
	"strings"
	"testing"
)

func TestRuleValidation(t *testing.T) {
	skip := func(params any) map[string]any {
		return map[string]any{"action": "skip", "expression": "true", "action_parameters": params}
	}
	tests := []struct {
		name    string
		body    map[string]any
		code    int    // 0 = accepted
		pointer string // expected error source
		text    string // expected in the message
	}{
		{"no expression", map[string]any{"action": "log"}, codeRuleExpression, "/expression", "required"},
		{"blank expression", map[string]any{"action": "log", "expression": "  "}, codeRuleExpression, "/expression", "required"},
		{"expression too long", map[string]any{"action": "log", "expression": strings.Repeat("x", 4097)}, codeRuleExpression, "/expression", "4096"},
		{"expression at the limit", map[string]any{"action": "log", "expression": strings.Repeat("é", 4096)}, 0, "", ""},
		{"no action", map[string]any{"expression": "true"}, codeRuleBadValue, "/action", "action"},
		{"unknown action", map[string]any{"action": "allow", "expression": "true"}, codeRuleBadValue, "/action", "'allow'"},
		{"upper-case action", map[string]any{"action": "Block", "expression": "true"}, codeRuleBadValue, "/action", "'Block'"},
		{"action of another phase", map[string]any{"action": "set_config", "expression": "true"}, codeRuleBadValue, "/action", "set_config"},
		{"parameters not an object", map[string]any{"action": "block", "expression": "true", "action_parameters": "x"}, codeRuleBadValue, "/action_parameters", "object"},
		{"skip without parameters", map[string]any{"action": "skip", "expression": "true"}, codeRuleSkipParams, "/action_parameters", "at least one"},
		{"skip with empty parameters", skip(map[string]any{}), codeRuleSkipParams, "/action_parameters", "at least one"},
		{"skip other ruleset", skip(map[string]any{"ruleset": "other"}), codeRuleBadValue, "/action_parameters/ruleset", "'other'"},
		{"skip other phase", skip(map[string]any{"phase": "http_ratelimit"}), codeRuleBadValue, "/action_parameters/phase", "'http_ratelimit'"},
		{"skip every option at once", skip(map[string]any{"ruleset": "current", "phases": skipPhases, "products": skipProducts}), 0, "", ""},
		{"skip current phase", skip(map[string]any{"phase": "current"}), 0, "", ""},
		{"skip unknown phase", skip(map[string]any{"phases": []string{"http_ratelimit", "http_request_firewall_custom"}}), codeRuleBadValue, "/action_parameters/phases/1", "'http_request_firewall_custom'"},
		{"skip lower-case product", skip(map[string]any{"products": []string{"zonelockdown"}}), codeRuleBadValue, "/action_parameters/products/0",
			"'zonelockdown' is not a valid value for products"},
		{"skip SDK product spelling", skip(map[string]any{"products": []string{"securityLevel", "uablock"}}), codeRuleBadValue, "/action_parameters/products/1", "'uablock'"},
		{"skip products of the wrong type", skip(map[string]any{"products": "waf"}), codeRuleBadValue, "/action_parameters", "action_parameters"},
		{"skip every product", skip(map[string]any{"products": skipProducts}), 0, "", ""},
		{"skip every phase", skip(map[string]any{"phases": skipPhases}), 0, "", ""},
		{"skip current ruleset and products", skip(map[string]any{"ruleset": "current", "products": []string{"securityLevel"}}), 0, "", ""},
		{"skip rules", skip(map[string]any{"rules": map[string]any{"0123456789abcdef0123456789abcdef": []string{"fedcba9876543210fedcba9876543210"}}}), 0, "", ""},
		{"managed challenge", map[string]any{"action": "managed_challenge", "expression": "true"}, 0, "", ""},
		{"execute", map[string]any{"action": "execute", "expression": "true", "action_parameters": map[string]any{"id": "0123456789abcdef0123456789abcdef"}}, 0, "", ""},
		{"duplicate ref", map[string]any{"ref": "taken", "action": "log", "expression": "true"}, codeRuleDuplicate, "/ref", "taken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.putRules(rule("taken"))
			a := h.do(http.MethodPost, h.rulesPath(""), tt.body)
			if tt.code == 0 {
				a.ok(t, nil)
				return
			}
			a.fails(t, http.StatusBadRequest, tt.code)
			e := a.env.Errors[0]
			if !strings.Contains(e.Message, tt.text) || e.Source == nil || e.Source.Pointer != tt.pointer {
				t.Errorf("error = %+v (source %+v), want %q at %q", e, e.Source, tt.text, tt.pointer)
			}
			if rs, _ := h.s.Ruleset(testZone, customPhase); rs.Version != "1" || len(rs.Rules) != 1 {
				t.Errorf("a refused rule changed the ruleset: %+v", rs)
			}
		})
	}
}

// TestPutValidatesEveryRule: a PUT is all or nothing, and error pointers
// name the rule's index in the body.
func TestPutValidatesEveryRule(t *testing.T) {
	h := newHarness(t)
	h.putRules(rule("a"))
	a := h.do(http.MethodPut, h.entrypoint(), map[string]any{"rules": []any{rule("b"),
		map[string]any{"action": "skip", "expression": "true", "action_parameters": map[string]any{"products": []string{"zonelockdown"}}}}})
	a.fails(t, http.StatusBadRequest, codeRuleBadValue)
	if p := a.env.Errors[0].Source; p == nil || p.Pointer != "/rules/1/action_parameters/products/0" {
		t.Errorf("source = %+v", p)
	}
	h.do(http.MethodPut, h.entrypoint(), map[string]any{"rules": []any{rule("b"), rule("b")}}).fails(t, http.StatusBadRequest, codeRuleDuplicate)
	h.do(http.MethodPut, h.entrypoint(), `{"rules": {}}`).fails(t, http.StatusBadRequest, codeBadBody)
	if rs, _ := h.s.Ruleset(testZone, customPhase); rs.Version != "1" || strings.Join(refs(rs), " ") != "a" {
		t.Errorf("refused PUTs changed the ruleset: %+v", rs)
	}
}

// TestPatchValidates: a PATCH is validated as the merged rule, and a ref
// taken by another rule is refused.
func TestPatchValidates(t *testing.T) {
	h := newHarness(t)
	rs := h.putRules(rule("a"), map[string]any{"ref": "s", "action": "skip", "expression": "true", "action_parameters": map[string]any{"ruleset": "current"}})
	s := "/" + idOf(t, rs, "s")
	h.do(http.MethodPatch, h.rulesPath(s), map[string]any{"action_parameters": map[string]any{"products": []string{"hot", "ratelimit"}}}).
		fails(t, http.StatusBadRequest, codeRuleBadValue)
	h.do(http.MethodPatch, h.rulesPath(s), map[string]any{"ref": "a"}).fails(t, http.StatusBadRequest, codeRuleDuplicate)
	h.do(http.MethodPatch, h.rulesPath(s), map[string]any{"action_parameters": nil}).fails(t, http.StatusBadRequest, codeRuleSkipParams)
	var got Ruleset
	h.do(http.MethodPatch, h.rulesPath(s), map[string]any{"action": "log", "action_parameters": nil}).ok(t, &got)
	if r := got.Rules[1]; r.Action != "log" || r.ActionParameters != nil || r.Ref != "s" {
		t.Errorf("patched rule = %+v", r)
	}
}

func TestRuleLimit(t *testing.T) {
	const msg = "exceeded maximum number of rules in the phase http_request_firewall_custom: 2 out of 2"
	h := newHarness(t, WithRuleLimit(2))
	a := h.do(http.MethodPut, h.entrypoint(), map[string]any{"rules": []any{rule("a"), rule("b"), rule("c")}})
	a.fails(t, http.StatusBadRequest, codeRuleLimit)
	if a.env.Errors[0].Message != msg {
		t.Errorf("message = %q, want %q", a.env.Errors[0].Message, msg)
	}
	if _, ok := h.s.Ruleset(testZone, customPhase); ok {
		t.Error("a refused PUT created the entrypoint")
	}
	rs := h.putRules(rule("a"), rule("b"))
	h.do(http.MethodPost, h.rulesPath(""), rule("c")).fails(t, http.StatusBadRequest, codeRuleLimit)
	if _, err := h.s.AddRule(testZone, Rule{Action: "log", Expression: "true"}); err == nil || !strings.Contains(err.Error(), msg) {
		t.Errorf("AddRule over the limit: %v", err)
	}
	h.do(http.MethodPatch, h.rulesPath("/"+idOf(t, rs, "a")), map[string]any{"position": map[string]any{"index": 2}}).ok(t, nil)
	h.do(http.MethodDelete, h.rulesPath("/"+idOf(t, rs, "a")), nil).ok(t, nil)
	h.do(http.MethodPost, h.rulesPath(""), rule("c")).ok(t, nil)

	other := newHarness(t, WithRuleLimit(2))
	other.do(http.MethodPut, other.zonePath("/rulesets/phases/http_ratelimit/entrypoint"),
		map[string]any{"rules": []any{rule("a"), rule("b"), rule("c")}}).fails(t, http.StatusBadRequest, codeRuleLimit)
}
