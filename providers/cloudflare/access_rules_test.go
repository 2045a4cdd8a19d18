package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

// apiAccess renders an allow IP Access Rule as the API does.
func apiAccess(id, target, value, notes string) map[string]any {
	return apiAccessMode(id, "whitelist", target, value, notes)
}

// apiAccessMode renders an IP Access Rule of any mode as the API does.
func apiAccessMode(id, mode, target, value, notes string) map[string]any {
	return map[string]any{"id": id, "mode": mode, "notes": notes, "allowed_modes": []string{"whitelist", "block"},
		"configuration": map[string]any{"target": target, "value": value},
		"scope":         map[string]any{"id": testZone.ID, "name": testZone.Name, "type": "zone"}}
}

func TestAccessRulesListsEveryModeAndPaginates(t *testing.T) {
	t.Parallel()
	pages := [][]any{
		{apiAccess("a1", "ip", "203.0.113.7", "managed-by=flarewarden; scripts"), apiAccessMode("a2", "block", "ip6", "2001:db8::1", "")},
		{apiAccess("a3", "ip_range", "198.51.100.0/24", "office")},
	}
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		ok(w, pages[n], map[string]int{"page": n + 1, "per_page": 1000, "count": len(pages[n]), "total_count": 3, "total_pages": 2})
	})
	rules, err := h.c.AccessRules(context.Background(), testZone)
	if err != nil {
		t.Fatalf("AccessRules: %v", err)
	}
	path := "GET /zones/" + testZone.ID + "/firewall/access_rules/rules?per_page=1000&page="
	if got, want := requestLines(h.rec.all()), []string{path + "1", path + "2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests\n got %q\nwant %q", got, want)
	}
	want := []controller.AccessRule{
		{ID: "a1", Mode: "whitelist", Target: "ip", Value: "203.0.113.7", Notes: "managed-by=flarewarden; scripts"},
		{ID: "a2", Mode: "block", Target: "ip6", Value: "2001:db8::1"},
		{ID: "a3", Mode: "whitelist", Target: "ip_range", Value: "198.51.100.0/24", Notes: "office"},
	}
	if !reflect.DeepEqual(rules, want) {
		t.Errorf("AccessRules\n got %+v\nwant %+v", rules, want)
	}
}

func TestAccessRulesRejectBadAnswers(t *testing.T) {
	t.Parallel()
	checkMalformedAnswers(t, (*Client).AccessRules, "list ip access rules in zone example.com: malformed cloudflare answer", map[string]string{
		"rule no id":    `{"success":true,"errors":[],"result":[{"mode":"whitelist","configuration":{"target":"ip","value":"192.0.2.1"}}]}`,
		"rule no mode":  `{"success":true,"errors":[],"result":[{"id":"a1","configuration":{"target":"ip","value":"192.0.2.1"}}]}`,
		"rule no value": `{"success":true,"errors":[],"result":[{"id":"a1","mode":"whitelist","configuration":{"target":"ip"}}]}`,
		"not a list":    `{"success":true,"errors":[],"result":{"id":"a1"}}`,
		"lost items":    `{"success":true,"errors":[],"result":[],"result_info":{"page":1,"per_page":1000,"count":0,"total_count":2,"total_pages":1}}`,
	})
}

func accessChange(action controller.Action, id, target, value string) controller.AccessRuleChange {
	return controller.AccessRuleChange{Action: action, Zone: testZone,
		Rule: controller.AccessRule{ID: id, Mode: "whitelist", Target: target, Value: value, Notes: "managed-by=flarewarden; scripts"}}
}

func TestApplyAccessRules(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Method == http.MethodDelete {
			ok(w, map[string]any{"id": "a9"}, nil)
			return
		}
		ok(w, apiAccess(fmt.Sprintf("new%d", n), "ip", "x", ""), nil)
	})
	changes := []controller.AccessRuleChange{
		accessChange(controller.ActionCreate, "", "ip6", "2001:db8::1"),
		accessChange(controller.ActionDelete, "a9", "ip", "192.0.2.9"),
		accessChange(controller.ActionUpdate, "a7", "ip", "192.0.2.7"),
		accessChange(controller.ActionCreate, "", "ip_range", "198.51.100.0/24"),
	}
	if err := h.c.ApplyAccessRules(context.Background(), testZone, changes); err != nil {
		t.Fatalf("ApplyAccessRules: %v", err)
	}
	rules := "/zones/" + testZone.ID + "/firewall/access_rules/rules"
	hits := h.rec.all()
	want := []string{"POST " + rules, "DELETE " + rules + "/a9", "PATCH " + rules + "/a7", "POST " + rules}
	if got := requestLines(hits); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests\n got %q\nwant %q", got, want)
	}
	wantBodies := []string{
		`{"mode":"whitelist","configuration":{"target":"ip6","value":"2001:db8::1"},"notes":"managed-by=flarewarden; scripts"}`,
		``,
		`{"mode":"whitelist","notes":"managed-by=flarewarden; scripts"}`,
		`{"mode":"whitelist","configuration":{"target":"ip_range","value":"198.51.100.0/24"},"notes":"managed-by=flarewarden; scripts"}`,
	}
	for i, x := range hits {
		if x.Body != wantBodies[i] {
			t.Errorf("%s body\n got %s\nwant %s", x.Method, x.Body, wantBodies[i])
		}
	}
}

func TestApplyAccessRulesErrors(t *testing.T) {
	t.Parallel()
	t.Run("api error stops", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
			fail(w, http.StatusBadRequest, 10009, "firewallaccessrules.api.duplicate_of_existing")
		})
		changes := []controller.AccessRuleChange{
			accessChange(controller.ActionCreate, "", "ip", "203.0.113.7"),
			accessChange(controller.ActionCreate, "", "ip", "203.0.113.8"),
		}
		e := apiErr(t, h.c.ApplyAccessRules(context.Background(), testZone, changes))
		want := "create access rule 203.0.113.7 in zone example.com: cloudflare HTTP 400 code 10009: firewallaccessrules.api.duplicate_of_existing"
		if e.Error() != want || len(h.rec.all()) != 1 {
			t.Errorf("error %q after %d requests; want %q after 1", e, len(h.rec.all()), want)
		}
	})
	t.Run("created without id", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { ok(w, map[string]any{"mode": "whitelist"}, nil) })
		e := apiErr(t, h.c.ApplyAccessRules(context.Background(), testZone, []controller.AccessRuleChange{accessChange(controller.ActionCreate, "", "ip", "203.0.113.7")}))
		if !e.Temporary() || !strings.Contains(e.Error(), "malformed cloudflare answer") {
			t.Errorf("error %v; want a temporary malformed-answer error", e)
		}
	})
	other := accessChange(controller.ActionCreate, "", "ip", "203.0.113.7")
	other.Zone = controller.Zone{ID: "other", Name: "example.org"}
	for name, ch := range map[string]controller.AccessRuleChange{
		"delete without id": accessChange(controller.ActionDelete, "", "ip", "203.0.113.7"),
		"update without id": accessChange(controller.ActionUpdate, "", "ip", "203.0.113.7"),
		"create no value":   accessChange(controller.ActionCreate, "", "ip", ""),
		"unknown action":    accessChange("move", "a1", "ip", "203.0.113.7"),
		"other zone":        other,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { ok(w, map[string]any{"id": "x"}, nil) })
			changes := []controller.AccessRuleChange{accessChange(controller.ActionCreate, "", "ip", "192.0.2.1"), ch}
			e := apiErr(t, h.c.ApplyAccessRules(context.Background(), testZone, changes))
			if e.Temporary() || len(h.rec.all()) != 0 || !strings.Contains(e.Error(), "invalid request") {
				t.Errorf("error %v after %d requests; want a permanent invalid-request error and no request", e, len(h.rec.all()))
			}
		})
	}
}
