package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// exemptedIn is a security report with self exempted in zones.
func exemptedIn(zones ...string) []controller.SecurityStatus {
	var out []controller.SecurityStatus
	for _, z := range zones {
		out = append(out, controller.SecurityStatus{Zone: z, Exemptions: []controller.Exemption{{Rule: "flarewarden_s", Source: "self", Exempted: true}}})
	}
	return out
}

// A challenged site is healed, or diagnosed, by the skip rules and the
// security report of its own zone only. Round one is the challenge; round
// two follows a pass that started after it.
func TestHealerSkipRuleCoverageIsPerZone(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	twoZones := func(sec ...string) *controller.Report {
		return &controller.Report{Zones: []string{"a.example", "b.example"}, Security: exemptedIn(sec...),
			NameZones: map[string]string{"www.a.example": "a.example", "site.b.example": "b.example"}}
	}
	tests := []struct {
		name     string
		host     string
		scope    SelfScope
		rep      *controller.Report
		trigger  bool   // round one asks for a pass
		hint     string // in round one's event hint
		botFight bool   // round two blames Bot Fight Mode
	}{
		{name: "rule only in A, site in B: add self, no pass", host: "site.b.example",
			scope: SelfScope{Zones: []string{"a.example"}}, rep: twoZones("a.example"), hint: "add self"},
		{name: "rule in B: a pass, then Bot Fight", host: "site.b.example",
			scope: SelfScope{Zones: []string{"B.example."}}, rep: twoZones("b.example"), trigger: true, botFight: true},
		{name: "rule in A and B, exempted in A only: not Bot Fight for B", host: "site.b.example",
			scope: SelfScope{Zones: []string{"a.example", "b.example"}}, rep: twoZones("a.example"), trigger: true},
		{name: "rule for managed zones, site a managed name: a pass", host: "site.b.example",
			scope: SelfScope{Managed: true}, rep: twoZones(), trigger: true},
		{name: "rule for managed zones, site in a zone without managed names: add self", host: "shop.c.example",
			scope: SelfScope{Managed: true}, hint: "add self",
			rep: &controller.Report{Zones: []string{"a.example", "c.example"}, NameZones: map[string]string{"www.a.example": "a.example"}}},
		{name: "unmanaged host: the longest zone holding it", host: "x.lab.a.example",
			scope: SelfScope{Zones: []string{"lab.a.example"}}, trigger: true,
			rep: &controller.Report{Zones: []string{"a.example", "lab.a.example"}}},
		{name: "managed name pinned to a shorter zone: its own zone", host: "x.lab.a.example",
			scope: SelfScope{Zones: []string{"lab.a.example"}}, hint: "add self",
			rep: &controller.Report{Zones: []string{"a.example", "lab.a.example"}, NameZones: map[string]string{"x.lab.a.example": "a.example"}}},
		{name: "host in no zone: add self", host: "home.example.org",
			scope: SelfScope{Managed: true}, rep: twoZones(), hint: "add self"},
		{name: "zones never listed: any rule for self asks for a pass", host: "site.b.example",
			scope: SelfScope{Zones: []string{"a.example"}}, rep: &controller.Report{}, trigger: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &Healer{TriggerGap: time.Second}
			rs := []controller.CheckResult{result("site", tt.host, controller.ClassChallenged)}
			round := func(now, lastPass time.Time) HealDecision {
				covered, exempted := selfCoverage(rs, tt.scope, tt.rep)
				return h.Decide(HealInput{Results: rs, Now: now, Covered: covered, Exempted: exempted, LastPassAt: lastPass})
			}
			first := round(t0, t0.Add(-time.Minute))
			if first.TriggerPass != tt.trigger || len(first.Events) != 1 || !strings.Contains(first.Events[0].Hint, tt.hint) {
				t.Fatalf("round one = %+v, want trigger %v and a hint with %q", first, tt.trigger, tt.hint)
			}
			second := round(t0.Add(5*time.Second), t0.Add(time.Second))
			blamed := len(second.Events) == 1 && strings.Contains(second.Events[0].Hint, "Bot Fight")
			if blamed != tt.botFight {
				t.Fatalf("round two = %+v, want a Bot Fight Mode hint: %v", second, tt.botFight)
			}
		})
	}
}
