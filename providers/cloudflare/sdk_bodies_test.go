package cloudflare

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
)

// sentKeys returns the top-level keys of a request body and their JSON.
func sentKeys(t *testing.T, body string) map[string]string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	keys := map[string]string{}
	for k, v := range m {
		keys[k] = string(v)
	}
	return keys
}

// checkSent fails unless the body sends want (key: JSON) and none of absent.
func checkSent(t *testing.T, call, body string, want map[string]string, absent ...string) {
	t.Helper()
	keys := sentKeys(t, body)
	for k, v := range want {
		if keys[k] != v {
			t.Errorf("SDK %s sent %s=%s, want %s; the defect is gone? body %s", call, k, keys[k], v, body)
		}
	}
	for _, k := range absent {
		if _, ok := keys[k]; ok {
			t.Errorf("SDK %s sent %s; the defect is gone? body %s", call, k, body)
		}
	}
}

const zeroTime = `"0001-01-01T00:00:00Z"`

// recordAnswer answers with a record, as a record write does.
func recordAnswer(w http.ResponseWriter, _ *http.Request, _ int) {
	ok(w, apiRec("r1", "a.example.com", "A", "192.0.2.1"), nil)
}

// TestSDKCreateDNSRecordBody: CreateDNSRecordParams sends zero created_on
// and modified_on times and "settings": {}, and leaves out an empty
// comment and tags; flarewarden's POST sends none of the first and both of
// the last (TestApplyBatchBody).
func TestSDKCreateDNSRecordBody(t *testing.T) {
	t.Parallel()
	api, rec := plainSDK(t, recordAnswer)
	proxied := false
	_, err := api.CreateDNSRecord(context.Background(), cf.ZoneIdentifier(testZone.ID), cf.CreateDNSRecordParams{
		Type: "A", Name: "a.example.com", Content: "192.0.2.1", Proxied: &proxied, TTL: 1, Comment: "", Tags: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, "CreateDNSRecord", rec.all()[0].Body,
		map[string]string{"created_on": zeroTime, "modified_on": zeroTime, "settings": "{}"}, "comment", "tags")
}

// TestSDKUpdateDNSRecordBody: UpdateDNSRecordParams always sends
// "settings": {}, and "tags": null for no tags; flarewarden's PATCH sends
// no settings and its tags always as an array (TestApplyFallsBackToSingleCalls).
func TestSDKUpdateDNSRecordBody(t *testing.T) {
	t.Parallel()
	api, rec := plainSDK(t, recordAnswer)
	proxied, comment := false, ""
	_, err := api.UpdateDNSRecord(context.Background(), cf.ZoneIdentifier(testZone.ID), cf.UpdateDNSRecordParams{
		ID: "r1", Content: "192.0.2.1", Proxied: &proxied, TTL: 1, Comment: &comment})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, "UpdateDNSRecord", rec.all()[0].Body, map[string]string{"settings": "{}", "tags": "null"})
}

// TestSDKAccessRuleBody: cf.AccessRule, the body of CreateZoneAccessRule
// and UpdateZoneAccessRule, sends "scope": {} and zero times and leaves
// out empty notes, so an update cannot clear them; flarewarden's bodies
// are mode, configuration and notes (TestApplyAccessRules).
func TestSDKAccessRuleBody(t *testing.T) {
	t.Parallel()
	api, rec := plainSDK(t, func(w http.ResponseWriter, r *http.Request, n int) {
		ok(w, apiAccess("a1", "ip", "192.0.2.1", ""), nil)
	})
	ctx := context.Background()
	rule := cf.AccessRule{Mode: "whitelist", Configuration: cf.AccessRuleConfiguration{Target: "ip", Value: "192.0.2.1"}}
	if _, err := api.CreateZoneAccessRule(ctx, testZone.ID, rule); err != nil {
		t.Fatal(err)
	}
	if _, err := api.UpdateZoneAccessRule(ctx, testZone.ID, "a1", cf.AccessRule{Mode: "block"}); err != nil {
		t.Fatal(err)
	}
	for i, call := range []string{"CreateZoneAccessRule", "UpdateZoneAccessRule"} {
		checkSent(t, call, rec.all()[i].Body,
			map[string]string{"scope": "{}", "created_on": zeroTime, "modified_on": zeroTime}, "notes")
	}
}

// TestSDKEntrypointParamsHaveNoName: UpdateEntrypointRuleset sends only
// the rules, without the name and description flarewarden's PUT sends
// (TestApplyRulesCreatesEntrypointByPUT).
func TestSDKEntrypointParamsHaveNoName(t *testing.T) {
	t.Parallel()
	api, rec := plainSDK(t, func(w http.ResponseWriter, r *http.Request, n int) { rulesetAnswer(w) })
	_, err := api.UpdateEntrypointRuleset(context.Background(), cf.ZoneIdentifier(testZone.ID), cf.UpdateEntrypointRulesetParams{
		Phase: controller.CustomRulesPhase, Rules: []cf.RulesetRule{{Expression: "true", Action: "block"}}})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, "UpdateEntrypointRuleset", rec.all()[0].Body, nil, "name", "description")
}

// TestSDKRulesetRuleHasNoPosition: cf.RulesetRule has no position and
// leaves out an empty ref and description, and the only single-rule call
// of v0.119 is DeleteRulesetRule.
func TestSDKRulesetRuleHasNoPosition(t *testing.T) {
	t.Parallel()
	rt := reflect.TypeFor[cf.RulesetRule]()
	for i := range rt.NumField() {
		if name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ","); name == "position" {
			t.Error("cf.RulesetRule has a position; the defect is gone")
		}
	}
	b, err := json.Marshal(cf.RulesetRule{Expression: "true", Action: "block"})
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, "RulesetRule", string(b), nil, "ref", "description")
	var calls []string
	for m := range reflect.TypeFor[*cf.API]().Methods() {
		if strings.Contains(m.Name, "RulesetRule") {
			calls = append(calls, m.Name)
		}
	}
	if !reflect.DeepEqual(calls, []string{"DeleteRulesetRule"}) {
		t.Errorf("single-rule calls %q; the defect is gone?", calls)
	}
}

// TestSDKDeleteRulesetRuleRefusesTheAnswer: DeleteRulesetRule takes any
// answer with a body for an error, while the API answers the ruleset.
func TestSDKDeleteRulesetRuleRefusesTheAnswer(t *testing.T) {
	t.Parallel()
	api, _ := plainSDK(t, func(w http.ResponseWriter, r *http.Request, n int) { rulesetAnswer(w) })
	err := api.DeleteRulesetRule(context.Background(), cf.ZoneIdentifier(testZone.ID),
		cf.DeleteRulesetRuleParams{RulesetID: testRulesetID, RulesetRuleID: "r9"})
	if err == nil {
		t.Error("SDK DeleteRulesetRule accepted the ruleset answer; the defect is gone")
	}
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { rulesetAnswer(w) })
	ch := ruleChange(controller.ActionDelete, withID(skipRule("old"), "r9"), nil)
	if err := h.c.ApplyRules(context.Background(), testZone, []controller.RuleChange{ch}); err != nil {
		t.Errorf("ApplyRules delete = %v; want no error", err)
	}
}

// TestSDKHasNoDNSBatch: v0.119 has no call for POST /dns_records/batch.
func TestSDKHasNoDNSBatch(t *testing.T) {
	t.Parallel()
	for m := range reflect.TypeFor[*cf.API]().Methods() {
		if strings.Contains(m.Name, "Batch") {
			t.Errorf("the SDK has %s; the defect is gone?", m.Name)
		}
	}
}

// TestSDKSkipProductConstants: the SDK spells three skip products in lower
// case, not as the API and controller.SkipProducts do (README "WAF":
// the API refuses other spellings with code 20119).
func TestSDKSkipProductConstants(t *testing.T) {
	t.Parallel()
	for _, p := range []cf.RulesetActionParameterProduct{cf.RulesetActionParameterProductZoneLockdown,
		cf.RulesetActionParameterProductUABlock, cf.RulesetActionParameterProductRateLimit} {
		if slices.Contains(controller.SkipProducts, string(p)) {
			t.Errorf("SDK product %q is spelled as flarewarden sends it; the defect is gone", p)
		}
		if !slices.ContainsFunc(controller.SkipProducts, func(s string) bool { return strings.EqualFold(s, string(p)) }) {
			t.Errorf("SDK product %q matches no product of controller.SkipProducts", p)
		}
	}
}
