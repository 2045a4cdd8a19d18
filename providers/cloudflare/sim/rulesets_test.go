package sim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestEntrypointMissing(t *testing.T) {
	h := newHarness(t)
	for _, phase := range []string{customPhase, "http_ratelimit"} {
		a := h.do(http.MethodGet, h.zonePath("/rulesets/phases/"+phase+"/entrypoint"), nil)
		a.fails(t, http.StatusNotFound, codeNoEntrypoint)
		if want := "could not find entrypoint ruleset in the " + phase + " phase"; a.env.Errors[0].Message != want {
			t.Errorf("message = %q, want %q", a.env.Errors[0].Message, want)
		}
	}
	if _, ok := h.s.Ruleset(testZone, customPhase); ok {
		t.Error("a GET created the entrypoint")
	}
}

func TestPutEntrypoint(t *testing.T) {
	h := newHarness(t)
	rs := h.putRules(rule("a", "description", "first"), map[string]any{"action": "block", "expression": "ip.src eq 192.0.2.1", "enabled": false})
	if rs.Version != "1" || rs.Name != "default" || rs.Kind != "zone" || rs.Phase != customPhase || !isHexID(rs.ID) || len(rs.Rules) != 2 {
		t.Fatalf("ruleset = %+v", rs)
	}
	a, b := rs.Rules[0], rs.Rules[1]
	if a.Ref != "a" || a.Version != "1" || !a.Enabled || a.Description != "first" || !isHexID(a.ID) || a.LastUpdated.IsZero() {
		t.Errorf("rule a = %+v", a)
	}
	if b.Ref != b.ID || b.Enabled || b.Action != "block" {
		t.Errorf("rule b = %+v (ref defaults to id, enabled as given)", b)
	}
	var got Ruleset
	h.do(http.MethodGet, h.entrypoint(), nil).ok(t, &got)
	if got.Version != "1" || !slices.Equal(refs(got), refs(rs)) {
		t.Errorf("GET = %+v", got)
	}

	// Same rule with its id: id and version kept; changed rule: version bumped; no id: new rule.
	a2 := map[string]any{"id": a.ID, "ref": "a", "action": "log", "expression": "true", "description": "first"}
	b2 := map[string]any{"id": b.ID, "action": "block", "expression": "ip.src eq 192.0.2.2", "enabled": false}
	var again Ruleset
	h.do(http.MethodPut, h.entrypoint(), map[string]any{"name": "mine", "description": "d", "rules": []any{a2, b2, rule("c")}}).ok(t, &again)
	if again.Version != "2" || again.Name != "mine" || again.Description != "d" || again.ID != rs.ID {
		t.Fatalf("second PUT = %+v", again)
	}
	r0, r1, r2 := again.Rules[0], again.Rules[1], again.Rules[2]
	if r0.ID != a.ID || r0.Version != "1" || !r0.LastUpdated.Equal(a.LastUpdated) {
		t.Errorf("unchanged rule = %+v, want id, version and last_updated kept", r0)
	}
	if r1.ID != b.ID || r1.Version != "2" || r1.Ref != b.ID {
		t.Errorf("changed rule = %+v, want version 2", r1)
	}
	if r2.ID == a.ID || r2.ID == b.ID || r2.Version != "1" {
		t.Errorf("new rule = %+v", r2)
	}
	if rs := h.putRules(); rs.Version != "3" || len(rs.Rules) != 0 {
		t.Errorf("emptying PUT = %+v", rs)
	}
}

func TestPutEntrypointAnyPhase(t *testing.T) {
	h := newHarness(t)
	var rs Ruleset
	h.do(http.MethodPut, h.zonePath("/rulesets/phases/http_config_settings/entrypoint"),
		map[string]any{"rules": []any{map[string]any{"action": "set_config", "expression": "true", "action_parameters": map[string]any{"ssl": "strict"}}}}).ok(t, &rs)
	if rs.Phase != "http_config_settings" || rs.Rules[0].Action != "set_config" || string(rs.Rules[0].ActionParameters) != `{"ssl":"strict"}` {
		t.Errorf("ruleset = %+v", rs)
	}
	if _, ok := h.s.Ruleset(testZone, customPhase); ok {
		t.Error("another phase created the custom entrypoint")
	}
	h.do(http.MethodPut, h.zonePath("/rulesets/phases/Bad-Phase/entrypoint"), map[string]any{"rules": []any{}}).fails(t, 400, codeRuleBadValue)
}

// positionCase is a rule position and the order of refs it must give.
type positionCase struct {
	name     string
	position any // nil = absent; a string is raw JSON; "@ref" values stand for that rule's id
	want     string
}

func TestCreateRulePositions(t *testing.T) {
	tests := []positionCase{
		{"no position", nil, "a b c x"},
		{"before first", map[string]any{"before": "@a"}, "x a b c"},
		{"before empty = top", map[string]any{"before": ""}, "x a b c"},
		{"before middle", map[string]any{"before": "@b"}, "a x b c"},
		{"after middle", map[string]any{"after": "@b"}, "a b x c"},
		{"after last", map[string]any{"after": "@c"}, "a b c x"},
		{"after empty = bottom", map[string]any{"after": ""}, "a b c x"},
		{"index 1", map[string]any{"index": 1}, "x a b c"},
		{"index 3", map[string]any{"index": 3}, "a b x c"},
		{"index past the end", map[string]any{"index": 99}, "a b c x"},
		{"null position", "null", "a b c x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			base := h.putRules(rule("a"), rule("b"), rule("c"))
			body := rule("x")
			if tt.position != nil {
				body["position"] = resolveRefs(t, base, tt.position)
			}
			var rs Ruleset
			h.do(http.MethodPost, h.rulesPath(""), body).ok(t, &rs)
			if got := strings.Join(refs(rs), " "); got != tt.want {
				t.Errorf("order = %q, want %q", got, tt.want)
			}
			if rs.Version != "2" {
				t.Errorf("version = %s, want 2", rs.Version)
			}
		})
	}
}

// resolveRefs replaces "@ref" strings in a position by that rule's id.
func resolveRefs(t *testing.T, rs Ruleset, position any) any {
	m, ok := position.(map[string]any)
	if !ok {
		return json.RawMessage(position.(string))
	}
	out := map[string]any{}
	for k, v := range m {
		if s, ok := v.(string); ok && strings.HasPrefix(s, "@") {
			v = idOf(t, rs, s[1:])
		}
		out[k] = v
	}
	return out
}

func TestRulePositionErrors(t *testing.T) {
	h := newHarness(t)
	base := h.putRules(rule("a"), rule("b"))
	for _, pos := range []any{
		map[string]any{"before": "0123456789abcdef0123456789abcdef"},
		map[string]any{"after": "0123456789abcdef0123456789abcdef"},
		map[string]any{"index": 0},
		map[string]any{"index": 1.5},
		map[string]any{"index": "1"},
		map[string]any{"before": "", "after": ""},
		map[string]any{"top": true},
		map[string]any{},
		"first",
	} {
		body := rule("x", "position", pos)
		a := h.do(http.MethodPost, h.rulesPath(""), body)
		a.fails(t, http.StatusBadRequest, codeRulePosition)
		a = h.do(http.MethodPatch, h.rulesPath("/"+idOf(t, base, "a")), map[string]any{"position": pos})
		a.fails(t, http.StatusBadRequest, codeRulePosition)
	}
	if rs, _ := h.s.Ruleset(testZone, customPhase); rs.Version != "1" || strings.Join(refs(rs), " ") != "a b" {
		t.Errorf("failed calls changed the ruleset: %+v", rs)
	}
}

func TestPatchRuleMoves(t *testing.T) {
	tests := []positionCase{
		{"index 1", map[string]any{"index": 1}, "c a b d"},
		{"index 4", map[string]any{"index": 4}, "a b d c"},
		{"before first", map[string]any{"before": "@a"}, "c a b d"},
		{"before empty", map[string]any{"before": ""}, "c a b d"},
		{"after last", map[string]any{"after": "@d"}, "a b d c"},
		{"after empty", map[string]any{"after": ""}, "a b d c"},
		{"after first", map[string]any{"after": "@a"}, "a c b d"},
		{"before itself", map[string]any{"before": "@c"}, "a b c d"},
		{"no position", nil, "a b c d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			base := h.putRules(rule("a"), rule("b"), rule("c"), rule("d"))
			body := map[string]any{"description": "moved"}
			if tt.position != nil {
				body["position"] = resolveRefs(t, base, tt.position)
			}
			var rs Ruleset
			h.do(http.MethodPatch, h.rulesPath("/"+idOf(t, base, "c")), body).ok(t, &rs)
			if got := strings.Join(refs(rs), " "); got != tt.want {
				t.Errorf("order = %q, want %q", got, tt.want)
			}
			c := rs.Rules[slices.IndexFunc(rs.Rules, func(r Rule) bool { return r.Ref == "c" })]
			if c.Version != "2" || c.Description != "moved" || c.Action != "log" || rs.Version != "2" {
				t.Errorf("patched rule %+v in ruleset version %s", c, rs.Version)
			}
		})
	}
}

// TestSingleRuleCallsLeaveOtherRulesAlone: POST, PATCH and DELETE of one
// rule leave a rule made elsewhere byte for byte as it was, including
// action_parameters the simulator does not understand.
func TestSingleRuleCallsLeaveOtherRulesAlone(t *testing.T) {
	h := newHarness(t)
	params := `{"response":{"status_code":418,"content":"{\"a\":1.50}","content_type":"application/json"},"future":[1.50,1e400,{"deep":null}]}`
	foreign, err := h.s.AddRule(testZone, Rule{Ref: "theirs", Action: "block", Expression: "http.host eq \"x\"",
		ActionParameters: raw(params), Logging: &RuleLogging{Enabled: false}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	before := foreignJSON(t, h.do(http.MethodGet, h.entrypoint(), nil), foreign.ID)
	if !strings.Contains(string(before), params) {
		t.Fatalf("action_parameters did not round-trip: %s", before)
	}
	var rs Ruleset
	h.do(http.MethodPost, h.rulesPath(""), rule("mine", "position", map[string]any{"before": ""})).ok(t, &rs)
	mine := idOf(t, rs, "mine")
	steps := []answer{
		h.do(http.MethodPatch, h.rulesPath("/"+mine), map[string]any{"expression": "false", "position": map[string]any{"index": 2}}),
		h.do(http.MethodPatch, h.rulesPath("/"+mine), map[string]any{"enabled": false}),
		h.do(http.MethodDelete, h.rulesPath("/"+mine), nil),
	}
	for i, a := range steps {
		if got := foreignJSON(t, a, foreign.ID); !bytes.Equal(got, before) {
			t.Errorf("step %d changed the foreign rule:\n%s\n%s", i, got, before)
		}
	}
}

// foreignJSON extracts the JSON of rule id from a ruleset answer.
func foreignJSON(t *testing.T, a answer, id string) json.RawMessage {
	t.Helper()
	var rs struct{ Rules []json.RawMessage }
	a.ok(t, &rs)
	for _, r := range rs.Rules {
		var head struct{ ID string }
		if json.Unmarshal(r, &head) == nil && head.ID == id {
			return r
		}
	}
	t.Fatalf("rule %s not in %s", id, a.raw)
	return nil
}

func TestRuleNotFound(t *testing.T) {
	h := newHarness(t)
	rs := h.putRules(rule("a"))
	missing := "/0123456789abcdef0123456789abcdef"
	h.do(http.MethodPatch, h.rulesPath(missing), map[string]any{"enabled": false}).fails(t, 404, codeRuleNotFound)
	h.do(http.MethodDelete, h.rulesPath(missing), nil).fails(t, 404, codeRuleNotFound)
	other := h.zonePath("/rulesets/0123456789abcdef0123456789abcdef/rules")
	h.do(http.MethodPost, other, rule("x")).fails(t, 404, codeRulesetNotFound)
	h.do(http.MethodDelete, other+"/"+rs.Rules[0].ID, nil).fails(t, 404, codeRulesetNotFound)
	h.do(http.MethodGet, h.rulesPath(""), nil).fails(t, 405, codeMethodNotAllowed)
	h.s.AddToken("ro", TokenOptions{ReadOnly: true})
	h.doAs("Bearer ro", http.MethodPost, h.rulesPath(""), rule("x")).fails(t, 403, codeAuth)
}

func TestDeleteRuleAnswersTheRuleset(t *testing.T) {
	h := newHarness(t)
	base := h.putRules(rule("a"), rule("b"))
	var rs Ruleset
	h.do(http.MethodDelete, h.rulesPath("/"+idOf(t, base, "a")), nil).ok(t, &rs)
	if rs.ID != base.ID || rs.Version != "2" || strings.Join(refs(rs), " ") != "b" {
		t.Errorf("after delete: %+v", rs)
	}
	h.do(http.MethodDelete, h.rulesPath("/"+idOf(t, base, "b")), nil).ok(t, &rs)
	if got, ok := h.s.Ruleset(testZone, customPhase); !ok || len(got.Rules) != 0 || got.Version != "3" {
		t.Errorf("emptied ruleset = %+v, %v (it stays)", got, ok)
	}
}

func TestRulesetGoAPI(t *testing.T) {
	s := New(WithClock(tickingClock()))
	s.AddZone(testZone)
	a, err := s.AddRule(testZone, Rule{Ref: "a", Action: "log", Expression: "true", Enabled: true})
	if err != nil || a.Version != "1" || a.Ref != "a" {
		t.Fatalf("AddRule = %+v, %v", a, err)
	}
	b, _ := s.AddRule(testZone, Rule{Action: "block", Expression: "true"})
	c, _ := s.AddRule(testZone, Rule{ID: "0123456789abcdef0123456789abcdef", Action: "log", Expression: "true"})
	if b.Ref != b.ID || b.Enabled || c.ID != "0123456789abcdef0123456789abcdef" {
		t.Errorf("b = %+v, c = %+v", b, c)
	}
	if err := s.MoveRule(testZone, c.ID, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateRule(testZone, b.ID, func(r *Rule) { r.Enabled, r.ID = true, "ignored" }); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRule(testZone, a.ID); err != nil {
		t.Fatal(err)
	}
	rs, ok := s.Ruleset(testZone, customPhase)
	if !ok || rs.Version != "6" || len(rs.Rules) != 2 || rs.Rules[0].ID != c.ID || rs.Rules[1].ID != b.ID ||
		!rs.Rules[1].Enabled || rs.Rules[1].Version != "2" {
		t.Fatalf("ruleset = %+v", rs)
	}
	rs.Rules[0].Expression = "changed"
	if again, _ := s.Ruleset(testZone, customPhase); again.Rules[0].Expression != "true" {
		t.Error("the snapshot shares memory with the simulator")
	}
	for name, err := range map[string]error{
		"unknown zone":       s.DeleteRule("nope.com", b.ID),
		"unknown rule":       s.MoveRule(testZone, a.ID, 1),
		"index out of range": s.MoveRule(testZone, b.ID, 3),
		"invalid update":     s.UpdateRule(testZone, b.ID, func(r *Rule) { r.Expression = "" }),
		"taken id":           errOf(s.AddRule(testZone, Rule{ID: c.ID, Action: "log", Expression: "true"})),
		"malformed id":       errOf(s.AddRule(testZone, Rule{ID: "C0FFEE", Action: "log", Expression: "true"})),
		"invalid rule":       errOf(s.AddRule(testZone, Rule{Action: "allow", Expression: "true"})),
		"no zone":            errOf(s.AddRule("nope.com", Rule{Action: "log", Expression: "true"})),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if len(s.Requests()) != 0 {
		t.Error("Go API calls were logged")
	}
}

// TestAddRuleInvalidCreatesNothing: a rule refused on a zone without an
// entrypoint leaves it without one.
func TestAddRuleInvalidCreatesNothing(t *testing.T) {
	s := New()
	s.AddZone(testZone)
	if _, err := s.AddRule(testZone, Rule{Action: "skip", Expression: "true"}); err == nil {
		t.Fatal("skip without parameters accepted")
	}
	if _, ok := s.Ruleset(testZone, customPhase); ok {
		t.Error("a refused rule created the entrypoint")
	}
}

func errOf[T any](_ T, err error) error { return err }

// TestAddRuleSharingRef seeds a second rule with an existing ref; the
// API's writes keep refusing to add one, and deleting it works.
func TestAddRuleSharingRef(t *testing.T) {
	h := newHarness(t)
	base := h.putRules(rule("a"), rule("b"))
	dup, err := h.s.AddRuleSharingRef(testZone, Rule{Ref: "a", Action: "log", Expression: "ip.src eq 192.0.2.1", Enabled: true})
	if err != nil || dup.Ref != "a" || !isHexID(dup.ID) || dup.ID == idOf(t, base, "a") {
		t.Fatalf("AddRuleSharingRef = %+v, %v", dup, err)
	}
	rs, _ := h.s.Ruleset(testZone, customPhase)
	if strings.Join(refs(rs), " ") != "a b a" || rs.Version != "2" {
		t.Fatalf("ruleset = %+v", rs)
	}
	h.do(http.MethodPost, h.rulesPath(""), rule("b")).fails(t, http.StatusBadRequest, codeRuleDuplicate)
	h.do(http.MethodDelete, h.rulesPath("/"+dup.ID), nil).ok(t, &rs)
	if strings.Join(refs(rs), " ") != "a b" {
		t.Errorf("after deleting the copy: %v", refs(rs))
	}
	for name, err := range map[string]error{
		"ref not there": errOf(h.s.AddRuleSharingRef(testZone, Rule{Ref: "c", Action: "log", Expression: "true"})),
		"no ref":        errOf(h.s.AddRuleSharingRef(testZone, Rule{Action: "log", Expression: "true"})),
		"invalid rule":  errOf(h.s.AddRuleSharingRef(testZone, Rule{Ref: "a", Action: "allow", Expression: "true"})),
		"no zone":       errOf(h.s.AddRuleSharingRef("nope.com", Rule{Ref: "a", Action: "log", Expression: "true"})),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
