package waf

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/controllertest"
)

// accessScale is n desired prefixes and n observed rules: half owned and
// present, a quarter hand-made allow rules for wanted addresses, a quarter
// owned and stale. Planned under sync it yields n/2 changes.
func accessScale(n int) ([]DesiredAccessRule, []controller.AccessRule) {
	addr := func(net, i int) netip.Addr { return netip.AddrFrom4([4]byte{10, byte(net), byte(i >> 8), byte(i)}) }
	var s controller.SourceSet
	var obs []controller.AccessRule
	for i := range n {
		s.Prefixes = append(s.Prefixes, netip.PrefixFrom(addr(0, i), 32))
		r := controller.AccessRule{ID: fmt.Sprint(i), Mode: AccessRuleMode, Target: "ip", Value: addr(0, i).String(), Notes: controllertest.Marker + "; bench"}
		switch {
		case i >= 3*n/4:
			r.Value = addr(1, i).String()
		case i >= n/2:
			r.Notes = "by hand"
		}
		obs = append(obs, r)
	}
	return []DesiredAccessRule{{Name: "bench", Set: s}}, obs
}

// BenchmarkPlanAccessRules1k plans 1,000 desired prefixes against 1,000
// observed rules (accessScale).
func BenchmarkPlanAccessRules1k(b *testing.B) {
	const n = 1000
	desired, obs := accessScale(n)
	p := controller.Policy{Mode: controller.ModeSync, Marker: controllertest.Marker}
	b.ReportAllocs()
	for b.Loop() {
		if got, _ := PlanAccessRules(controllertest.Zone, desired, obs, p); len(got) != n/2 {
			b.Fatalf("changes = %d", len(got))
		}
	}
}

// TestPlanAccessRulesParsesEachRuleOnce bounds the allocations of a plan
// linearly: matching each desired prefix against every observed rule again
// costs n² parses.
func TestPlanAccessRulesParsesEachRuleOnce(t *testing.T) {
	const n = 1000
	desired, obs := accessScale(n)
	p := controller.Policy{Mode: controller.ModeSync, Marker: controllertest.Marker}
	allocs := testing.AllocsPerRun(3, func() { PlanAccessRules(controllertest.Zone, desired, obs, p) })
	if allocs > 20*n {
		t.Errorf("%v allocations for %d desired and %d observed rules, want at most %d", allocs, n, n, 20*n)
	}
}

// Of several observed rules with one key, the last owned and the last
// foreign one decide, whatever their spelling.
func TestPlanAccessRulesLastMatchWins(t *testing.T) {
	notes := controllertest.Marker + "; s"
	obs := []controller.AccessRule{
		{ID: "o1", Mode: "block", Target: "ip", Value: "203.0.113.7", Notes: notes},
		{ID: "f1", Mode: "block", Target: "ip", Value: "198.51.100.1", Notes: "by hand"},
		{ID: "o2", Mode: "challenge", Target: "ip_range", Value: "203.0.113.7/32", Notes: notes},
		{ID: "f2", Mode: "js_challenge", Target: "ip", Value: "198.51.100.1", Notes: "by hand"},
	}
	got, warns := PlanAccessRules(controllertest.Zone, []DesiredAccessRule{{Name: "s", Set: set("203.0.113.7", "198.51.100.1")}}, obs,
		controller.Policy{Mode: controller.ModeSync, Marker: controllertest.Marker})
	if len(got) != 1 || got[0].Action != controller.ActionUpdate || got[0].Rule.ID != "o2" {
		t.Errorf("changes = %+v, want the update of o2", got)
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Message, "mode js_challenge") {
		t.Errorf("warnings = %+v, want one naming js_challenge", warns)
	}
}
