package cloudflare

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestApplyRulesCreatesEntrypointByPUT(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Method == http.MethodGet {
			noEntrypointAnswer(w)
			return
		}
		rulesetAnswer(w)
	})
	logged := skipRule("home")
	logged.Logging = true
	changes := []controller.RuleChange{
		{Action: controller.ActionCreate, Zone: testZone, Rule: skipRule("scripts")},
		{Action: controller.ActionCreate, Zone: testZone, Rule: logged},
	}
	if err := h.c.ApplyRules(context.Background(), testZone, changes); err != nil {
		t.Fatalf("ApplyRules: %v", err)
	}
	entrypoint := "/zones/" + testZone.ID + "/rulesets/phases/http_request_firewall_custom/entrypoint"
	hits := h.rec.all()
	if got, want := requestLines(hits), []string{"GET " + entrypoint, "PUT " + entrypoint}; !reflect.DeepEqual(got, want) {
		t.Fatalf("requests %q, want %q (read again, then one PUT)", got, want)
	}
	want := `{"name":"default","description":"","rules":[` + skipBody("scripts") + `},` +
		strings.Replace(skipBody("home"), `"logging":{"enabled":false}`, `"logging":{"enabled":true}`, 1) + `}]}`
	if !sameJSON(hits[1].Body, want) {
		t.Errorf("PUT body\n got %s\nwant %s", hits[1].Body, want)
	}
}

func TestApplyRulesNeverReplacesAnEntrypoint(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { rulesetAnswer(w) })
	changes := []controller.RuleChange{{Action: controller.ActionCreate, Zone: testZone, Rule: skipRule("scripts")}}
	e := apiErr(t, h.c.ApplyRules(context.Background(), testZone, changes))
	if !e.Temporary() || !strings.Contains(e.Error(), "never replaced") || !strings.Contains(e.Error(), "flarewarden_scripts in zone example.com") {
		t.Errorf("ApplyRules = %v; want a temporary error naming the rule and zone", e)
	}
	for _, x := range h.rec.all() {
		if x.Method != http.MethodGet {
			t.Errorf("wrote %s %s to a zone that has an entrypoint", x.Method, x.Path)
		}
	}
}

func TestApplyRulesSingleCalls(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { rulesetAnswer(w) })
	moved := withID(skipRule("home"), "r2")
	moved.Skip = &controller.SkipParams{Products: []string{"securityLevel"}}
	changes := []controller.RuleChange{
		ruleChange(controller.ActionCreate, skipRule("scripts"), &controller.Position{Before: ""}),
		ruleChange(controller.ActionUpdate, moved, &controller.Position{Before: foreignRuleID}),
		ruleChange(controller.ActionCreate, skipRule("last"), nil),
		ruleChange(controller.ActionDelete, withID(skipRule("old"), "r9"), nil),
	}
	if err := h.c.ApplyRules(context.Background(), testZone, changes); err != nil {
		t.Fatalf("ApplyRules: %v", err)
	}
	rules := "/zones/" + testZone.ID + "/rulesets/" + testRulesetID + "/rules"
	hits := h.rec.all()
	want := []string{"POST " + rules, "PATCH " + rules + "/r2", "POST " + rules, "DELETE " + rules + "/r9"}
	if got := requestLines(hits); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests\n got %q\nwant %q", got, want)
	}
	wantBodies := []string{
		skipBody("scripts") + `,"position":{"before":""}}`,
		`{"ref":"flarewarden_home","description":"flarewarden: home (managed, edits are reverted)",` +
			`"expression":"(ip.src in {203.0.113.7 2001:db8::/64})","action":"skip","action_parameters":{"products":["securityLevel"]},` +
			`"enabled":true,"logging":{"enabled":false},"position":{"before":"` + foreignRuleID + `"}}`,
		skipBody("last") + `}`,
		``,
	}
	for i, x := range hits {
		if !sameJSON(x.Body, wantBodies[i]) {
			t.Errorf("%s body\n got %s\nwant %s", x.Method, x.Body, wantBodies[i])
		}
		if strings.Contains(x.Body, foreignRuleID+`","ref"`) || strings.Contains(x.Body, "/admin") {
			t.Errorf("%s body carries the foreign rule: %s", x.Method, x.Body)
		}
	}
}

func TestApplyRulesRuleLimit(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		code int
		msg  string
		want string
	}{
		"code 20217": {20217, "exceeded maximum number of rules in the phase http_request_firewall_custom: 5 out of 5",
			"zone example.com has reached its custom rule limit of 5 (Free plan: 5): remove a rule or upgrade to add flarewarden_scripts"},
		"message only": {20099, "Exceeded Maximum Number Of Rules for this zone",
			"zone example.com has reached its custom rule limit (Free plan: 5): remove a rule or upgrade to add flarewarden_scripts"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { fail(w, http.StatusBadRequest, tc.code, tc.msg) })
			changes := []controller.RuleChange{
				ruleChange(controller.ActionCreate, skipRule("scripts"), &controller.Position{}),
				ruleChange(controller.ActionCreate, skipRule("home"), nil),
			}
			err := h.c.ApplyRules(context.Background(), testZone, changes)
			var ae *APIError
			if !errors.Is(err, controller.ErrRuleLimit) || !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
				t.Fatalf("ApplyRules = %v; want an error wrapping ErrRuleLimit and the APIError", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %q\nwant %q", err.Error(), tc.want)
			}
			if n := len(h.rec.all()); n != 1 {
				t.Errorf("%d requests, want 1 (stop at the first failure)", n)
			}
		})
	}
	t.Run("entrypoint PUT", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if r.Method == http.MethodGet {
				noEntrypointAnswer(w)
				return
			}
			fail(w, http.StatusBadRequest, 20217, "exceeded maximum number of rules in the phase http_request_firewall_custom: 5 out of 5")
		})
		changes := []controller.RuleChange{
			{Action: controller.ActionCreate, Zone: testZone, Rule: skipRule("a")},
			{Action: controller.ActionCreate, Zone: testZone, Rule: skipRule("b")},
		}
		err := h.c.ApplyRules(context.Background(), testZone, changes)
		want := "zone example.com has reached its custom rule limit of 5 (Free plan: 5): remove a rule or upgrade to add flarewarden_a, flarewarden_b"
		if !errors.Is(err, controller.ErrRuleLimit) || err.Error() != want {
			t.Errorf("ApplyRules = %v; want %q", err, want)
		}
	})
}

func TestApplyRulesErrorsNameZoneAndRule(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		fail(w, http.StatusBadRequest, 20119, "products: 'zonelockdown' is not a valid value")
	})
	changes := []controller.RuleChange{ruleChange(controller.ActionCreate, skipRule("scripts"), nil)}
	err := h.c.ApplyRules(context.Background(), testZone, changes)
	e := apiErr(t, err)
	want := "create rule flarewarden_scripts in zone example.com: cloudflare HTTP 400 code 20119: products: 'zonelockdown' is not a valid value"
	if e.Error() != want || e.Temporary() || errors.Is(err, controller.ErrRuleLimit) {
		t.Errorf("error\n got %q\nwant %q (permanent, not the rule limit)", e.Error(), want)
	}
}

func TestApplyRulesMalformedAnswerStops(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { ok(w, map[string]any{"rules": []any{}}, nil) })
	changes := []controller.RuleChange{
		ruleChange(controller.ActionDelete, withID(skipRule("old"), "r9"), nil),
		ruleChange(controller.ActionCreate, skipRule("scripts"), nil),
	}
	e := apiErr(t, h.c.ApplyRules(context.Background(), testZone, changes))
	if !e.Temporary() || !strings.HasPrefix(e.Error(), "delete rule flarewarden_old in zone example.com: malformed cloudflare answer") {
		t.Errorf("error %v; want a temporary malformed-answer error naming the rule", e)
	}
	if n := len(h.rec.all()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestApplyRulesRejectsInvalidChangesBeforeWriting(t *testing.T) {
	t.Parallel()
	foreign := controller.Rule{ID: foreignRuleID, Ref: foreignRuleID, Expression: "true", Action: "block", Enabled: true}
	noExpr := skipRule("scripts")
	noExpr.Expression = ""
	otherZone := ruleChange(controller.ActionCreate, skipRule("scripts"), nil)
	otherZone.Zone = controller.Zone{ID: "other", Name: "example.org"}
	fresh := controller.RuleChange{Action: controller.ActionCreate, Zone: testZone, Rule: skipRule("fresh")}
	for name, changes := range map[string][]controller.RuleChange{
		"update foreign rule":     {ruleChange(controller.ActionUpdate, foreign, nil)},
		"delete foreign rule":     {ruleChange(controller.ActionDelete, foreign, nil)},
		"create bare prefix":      {ruleChange(controller.ActionCreate, skipRule(""), nil)},
		"update without id":       {ruleChange(controller.ActionUpdate, skipRule("scripts"), nil)},
		"delete without id":       {ruleChange(controller.ActionDelete, skipRule("scripts"), nil)},
		"create without expr":     {ruleChange(controller.ActionCreate, noExpr, nil)},
		"unknown action":          {ruleChange("upsert", skipRule("scripts"), nil)},
		"other zone":              {otherZone},
		"mixed rulesets":          {fresh, ruleChange(controller.ActionCreate, skipRule("scripts"), nil)},
		"new entrypoint + delete": {fresh, {Action: controller.ActionDelete, Zone: testZone, Rule: withID(skipRule("x"), "r1")}},
		"later invalid":           {ruleChange(controller.ActionCreate, skipRule("ok"), nil), ruleChange(controller.ActionDelete, foreign, nil)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { rulesetAnswer(w) })
			e := apiErr(t, h.c.ApplyRules(context.Background(), testZone, changes))
			if e.Temporary() || len(h.rec.all()) != 0 || !strings.Contains(e.Error(), "invalid request") {
				t.Errorf("error %v after %d requests; want a permanent invalid-request error and no request", e, len(h.rec.all()))
			}
		})
	}
}

func TestApplyRulesNothingIsNoRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { rulesetAnswer(w) })
	if err := h.c.ApplyRules(context.Background(), testZone, nil); err != nil || len(h.rec.all()) != 0 {
		t.Errorf("ApplyRules(nil) = %v after %d requests", err, len(h.rec.all()))
	}
}
