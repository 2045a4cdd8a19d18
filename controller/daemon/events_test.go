package daemon

import (
	"errors"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestChangeEventSaysOldAndNew(t *testing.T) {
	zone := controller.Zone{ID: "z", Name: "example.com"}
	rec := func(typ, content string) *controller.Record { return &controller.Record{Type: typ, Content: content} }
	plan := controller.PlanResult{
		Changes: []controller.Change{
			{Action: controller.ActionUpdate, Zone: zone, Name: "home.example.com", Type: "A", Before: rec("A", "203.0.113.7"), After: rec("A", "203.0.113.8"), Reason: "stale address"},
			{Action: controller.ActionDelete, Zone: zone, Name: "nas.example.com", Type: "CNAME", Before: rec("CNAME", "myhome.duckdns.org"), Reason: "takeover: CNAME replaced by A/AAAA"},
			{Action: controller.ActionCreate, Zone: zone, Name: "nas.example.com", Type: "A", After: rec("A", "203.0.113.8"), Reason: "takeover of CNAME myhome.duckdns.org"},
			{Action: controller.ActionCreate, Zone: zone, Name: "nas.example.com", Type: "AAAA", After: rec("AAAA", "2001:db8::8"), Reason: "takeover of CNAME myhome.duckdns.org"},
			{Action: controller.ActionCreate, Zone: zone, Name: "vpn.example.com", Type: "AAAA", After: rec("AAAA", "2001:db8::8"), Reason: "missing AAAA record"},
			{Action: controller.ActionUpdate, Zone: zone, Name: "www.example.com", Type: "A", Before: rec("A", "203.0.113.8"), After: rec("A", "203.0.113.8"), Reason: "proxied drift"},
		},
		Rules: []controller.RuleChange{{Action: controller.ActionUpdate, Zone: zone, Rule: controller.Rule{Ref: "flarewarden-skip"}, Reason: "moved back to position 1"}},
		AccessRules: []controller.AccessRuleChange{{Action: controller.ActionCreate, Zone: zone,
			Rule: controller.AccessRule{Mode: "whitelist", Value: "203.0.113.8"}, Reason: "allow self"}},
		ListItems: []controller.ListItemChange{{Action: controller.ActionCreate, List: controller.IPList{Name: "home"},
			Item: controller.ListItem{IP: "203.0.113.8"}, Reason: "add source"}},
	}
	e := changeEvent(controller.Report{Plan: plan}, nil)
	want := []string{
		"home.example.com A 203.0.113.7 -> 203.0.113.8",
		"nas.example.com CNAME myhome.duckdns.org -> A 203.0.113.8, AAAA 2001:db8::8",
		"vpn.example.com AAAA 2001:db8::8 created (missing AAAA record)",
		"www.example.com A 203.0.113.8 updated (proxied drift)",
		"example.com: skip rule flarewarden-skip updated (moved back to position 1)",
		"example.com: IP access rule whitelist 203.0.113.8 created (allow self)",
		"203.0.113.8 added to IP list home (add source)",
	}
	if got := strings.Split(e.Detail, "; "); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("detail lines\n got %q\nwant %q", got, want)
	}
	if e.Kind != controller.EventChange || e.Summary != "9 changes applied" || !e.Healthy {
		t.Errorf("event %+v, want a healthy change event saying 9 changes applied", e)
	}
	one := changeEvent(controller.Report{Plan: controller.PlanResult{Changes: plan.Changes[:1]}}, errors.New("zone z: 500"))
	if one.Summary != "1 change attempted, some failed" || one.Healthy {
		t.Errorf("failed pass: summary %q healthy %v", one.Summary, one.Healthy)
	}
}

func TestEveryClassHasWords(t *testing.T) {
	for _, c := range controller.Classes {
		if classWords[c] == "" {
			t.Errorf("class %q has no words in classWords", c)
		}
	}
}

func TestHealthSummaryNamesTheCheck(t *testing.T) {
	tests := []struct {
		give controller.CheckResult
		want string
	}{
		{controller.CheckResult{Check: "home", Host: "home.example.com"}, "check home: home.example.com is failing"},
		{controller.CheckResult{Check: "home.example.com", Host: "home.example.com"}, "home.example.com is failing"},
	}
	for _, tc := range tests {
		if got := healthSummary(tc.give, "is failing"); got != tc.want {
			t.Errorf("healthSummary(%+v) = %q, want %q", tc.give, got, tc.want)
		}
	}
}
