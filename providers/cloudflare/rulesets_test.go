package cloudflare

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestEntrypointDecodesRules(t *testing.T) {
	t.Parallel()
	owned := map[string]any{"id": "r1", "ref": "flarewarden_scripts", "description": "flarewarden: scripts",
		"expression": "(ip.src in {203.0.113.7})", "action": "skip", "enabled": true, "logging": map[string]any{"enabled": true},
		"action_parameters": map[string]any{"ruleset": "current", "phases": []string{"http_ratelimit"},
			"products": []string{"zoneLockdown", "securityLevel"}, "rules": map[string]any{"x": []string{"y"}}}}
	block := foreignRule()
	block["action_parameters"] = map[string]any{"response": map[string]any{"status_code": 403, "content": "no", "content_type": "text/plain"}}
	bare := map[string]any{"id": "r3", "expression": "true", "action": "skip", "enabled": false}
	noEnabled := map[string]any{"id": "r4", "ref": "r4", "expression": "true", "action": "managed_challenge"}
	// A foreign rule whose parameters the SDK's types cannot decode (here a
	// status code as a string) is read without them (ruleFrom).
	odd := map[string]any{"id": "r5", "ref": "r5", "expression": "true", "action": "block",
		"action_parameters": map[string]any{"response": map[string]any{"status_code": "403"}}}
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		ok(w, map[string]any{"id": testRulesetID, "name": "default", "kind": "zone", "phase": controller.CustomRulesPhase,
			"rules": []any{owned, block, bare, noEnabled, odd}}, nil)
	})
	rs, err := h.c.Entrypoint(context.Background(), testZone)
	if err != nil {
		t.Fatalf("Entrypoint: %v", err)
	}
	if got, want := requestLines(h.rec.all()), []string{"GET /zones/" + testZone.ID + "/rulesets/phases/http_request_firewall_custom/entrypoint"}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	want := controller.Ruleset{ID: testRulesetID, Rules: []controller.Rule{
		{ID: "r1", Ref: "flarewarden_scripts", Description: "flarewarden: scripts", Expression: "(ip.src in {203.0.113.7})",
			Action: "skip", Enabled: true, Logging: true, Skip: &controller.SkipParams{Ruleset: "current",
				Phases: []string{"http_ratelimit"}, Products: []string{"zoneLockdown", "securityLevel"}}},
		{ID: foreignRuleID, Ref: foreignRuleID, Expression: `(http.request.uri.path eq "/admin")`, Action: "block", Enabled: true},
		{ID: "r3", Expression: "true", Action: "skip", Skip: &controller.SkipParams{}},
		{ID: "r4", Ref: "r4", Expression: "true", Action: "managed_challenge", Enabled: true},
		{ID: "r5", Ref: "r5", Expression: "true", Action: "block", Enabled: true},
	}}
	if !reflect.DeepEqual(rs, want) {
		t.Errorf("Entrypoint\n got %+v\nwant %+v", rs, want)
	}
}

func TestEntrypointMissingIsEmpty(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]func(w http.ResponseWriter){
		"404 code 10003": noEntrypointAnswer,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { answer(w) })
			rs, err := h.c.Entrypoint(context.Background(), testZone)
			if err != nil || !reflect.DeepEqual(rs, controller.Ruleset{}) {
				t.Errorf("Entrypoint = %+v, %v; want an empty ruleset and no error", rs, err)
			}
		})
	}
}

func TestEntrypointErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		answer func(w http.ResponseWriter)
		temp   bool
	}{
		"zone gone":      {func(w http.ResponseWriter) { fail(w, http.StatusNotFound, 7003, "Could not route") }, false},
		"404 plain text": {func(w http.ResponseWriter) { http.NotFound(w, nil) }, false},
		"404 no code":    {func(w http.ResponseWriter) { fail(w, http.StatusNotFound, 0, "not found") }, false},
		"forbidden":      {func(w http.ResponseWriter) { fail(w, http.StatusForbidden, 10000, "Authentication error") }, false},
		"server":         {func(w http.ResponseWriter) { fail(w, http.StatusBadGateway, 0, "bad gateway") }, true},
		"no ruleset id":  {func(w http.ResponseWriter) { ok(w, map[string]any{"rules": []any{}}, nil) }, true},
		"rule no id": {func(w http.ResponseWriter) {
			ok(w, map[string]any{"id": testRulesetID, "rules": []any{map[string]any{"ref": "x", "action": "block"}}}, nil)
		}, true},
		"bad skip params": {func(w http.ResponseWriter) {
			ok(w, map[string]any{"id": testRulesetID, "rules": []any{map[string]any{"id": "r1", "action": "skip",
				"action_parameters": map[string]any{"products": "waf"}}}}, nil)
		}, true},
		"owned rule with undecodable params": {func(w http.ResponseWriter) {
			ok(w, map[string]any{"id": testRulesetID, "rules": []any{map[string]any{"id": "r1", "ref": "flarewarden_x",
				"action": "block", "action_parameters": map[string]any{"response": map[string]any{"status_code": "403"}}}}}, nil)
		}, true},
		"no result": {func(w http.ResponseWriter) { ok(w, nil, nil) }, true},
		"html": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("<html>"))
		}, true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { tc.answer(w) },
				func(o *Options) { o.MaxRetries = -1 })
			rs, err := h.c.Entrypoint(context.Background(), testZone)
			e := apiErr(t, err)
			if rs.ID != "" || rs.Rules != nil || e.Temporary() != tc.temp || !strings.HasPrefix(e.Error(), "read custom rules in zone example.com: ") {
				t.Errorf("Entrypoint = %+v, %v (temporary %v); want no ruleset and an error naming the zone, temporary %v",
					rs, e, e.Temporary(), tc.temp)
			}
		})
	}
}

func TestEntrypointRejectsZoneWithoutID(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { rulesetAnswer(w) })
	_, err := h.c.Entrypoint(context.Background(), controller.Zone{Name: "example.com"})
	if e := apiErr(t, err); e.Temporary() || len(h.rec.all()) != 0 {
		t.Errorf("Entrypoint = %v after %d requests; want a permanent error and no request", e, len(h.rec.all()))
	}
}

// TestEntrypointRulesField covers answers whose rules field is missing or
// null. Such an answer is malformed, not empty: read as empty, the pass
// would post a second copy of a rule the zone already has. The one
// exception is the API's own answer for an entrypoint without rules, which
// leaves the field out but is otherwise a whole entrypoint ruleset.
func TestEntrypointRulesField(t *testing.T) {
	t.Parallel()
	entrypoint := func(mutate func(m map[string]any)) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			m := map[string]any{"id": testRulesetID, "name": "default", "kind": "zone", "phase": controller.CustomRulesPhase,
				"version": "4", "last_updated": "2026-12-01T10:00:00Z", "rules": []any{foreignRule()}}
			mutate(m)
			ok(w, m, nil)
		}
	}
	for name, tc := range map[string]struct {
		answer  func(w http.ResponseWriter)
		wantErr string // "" = an empty ruleset, no error
	}{
		"rules null":          {entrypoint(func(m map[string]any) { m["rules"] = nil }), `"rules": null`},
		"rules not a list":    {entrypoint(func(m map[string]any) { m["rules"] = map[string]any{} }), "rules"},
		"rules missing, bare": {func(w http.ResponseWriter) { ok(w, map[string]any{"id": testRulesetID}, nil) }, `no "rules" field`},
		"rules missing, no version": {entrypoint(func(m map[string]any) { delete(m, "rules"); delete(m, "version") }),
			`no "rules" field`},
		"rules missing, other phase": {entrypoint(func(m map[string]any) { delete(m, "rules"); m["phase"] = "http_ratelimit" }),
			`no "rules" field`},
		"rules empty":                     {entrypoint(func(m map[string]any) { m["rules"] = []any{} }), ""},
		"rules missing, whole entrypoint": {entrypoint(func(m map[string]any) { delete(m, "rules") }), ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { tc.answer(w) },
				func(o *Options) { o.MaxRetries = -1 })
			rs, err := h.c.Entrypoint(context.Background(), testZone)
			if tc.wantErr == "" {
				if err != nil || rs.ID != testRulesetID || len(rs.Rules) != 0 {
					t.Fatalf("Entrypoint = %+v, %v; want the empty ruleset", rs, err)
				}
				return
			}
			e := apiErr(t, err)
			if rs.ID != "" || !e.Temporary() || !strings.HasPrefix(e.Error(), "read custom rules in zone example.com: ") ||
				!strings.Contains(e.Error(), tc.wantErr) {
				t.Errorf("Entrypoint = %+v, %v; want no ruleset and a temporary error naming the zone and %s", rs, e, tc.wantErr)
			}
		})
	}
}
