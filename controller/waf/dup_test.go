package waf

import (
	"context"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/controllertest"
)

// TestPlanRulesOwnedDuplicates covers several owned rules with the same
// ref: one is kept (the one that already is as desired, else the first),
// the others are deleted under sync and warned about otherwise. Foreign
// rules are never touched, and nothing is deleted while the sources are
// unknown (which copy is right cannot be told).
func TestPlanRulesOwnedDuplicates(t *testing.T) {
	home, old := set("203.0.113.7", "198.51.100.0/28"), set("203.0.113.1")
	sync, upsert := controller.Policy{Mode: controller.ModeSync, Marker: controllertest.Marker}, controller.Policy{Mode: controller.ModeUpsertOnly, Marker: controllertest.Marker}
	createOnly := controller.Policy{Mode: controller.ModeCreateOnly, Marker: controllertest.Marker}
	tests := []struct {
		name     string
		desired  DesiredSkipRule
		observed []controller.Rule
		policy   controller.Policy
		want     []string // "delete o1", "update o2 before f1"
		warnings []string
	}{
		{name: "stale copy first: deleted, current one stays first", desired: scripts(home), policy: sync,
			observed: []controller.Rule{owned("o1", old), owned("o2", home), foreign("f1")},
			want:     []string{"delete o1"}},
		{name: "stale copy after a foreign rule: deleted", desired: scripts(home), policy: sync,
			observed: []controller.Rule{owned("o1", home), foreign("f1"), owned("o2", old)},
			want:     []string{"delete o2"}},
		{name: "current copy behind a foreign rule: moved first", desired: scripts(home), policy: sync,
			observed: []controller.Rule{foreign("f1"), owned("o1", old), owned("o2", home)},
			want:     []string{"delete o1", "update o2 before f1"}},
		{name: "both stale: first kept and updated, the other deleted", desired: scripts(home), policy: sync,
			observed: []controller.Rule{owned("o1", old), foreign("f1"), owned("o2", old)},
			want:     []string{"delete o2", "update o1"}},
		{name: "three copies: two deleted", desired: scripts(home), policy: sync,
			observed: []controller.Rule{owned("o1", old), owned("o2", home), owned("o3", home)},
			want:     []string{"delete o1", "delete o3"}},
		{name: "upsert-only keeps the copy with a warning", desired: scripts(home), policy: upsert,
			observed: []controller.Rule{owned("o1", home), owned("o2", old), foreign("f1")},
			warnings: []string{"duplicate skip rule o2 (ip.src in {203.0.113.1}) kept: policy upsert-only does not delete it"}},
		{name: "create-only keeps the copy with a warning", desired: scripts(home), policy: createOnly,
			observed: []controller.Rule{owned("o1", home), owned("o2", old)},
			warnings: []string{"duplicate skip rule o2 (ip.src in {203.0.113.1}) kept: policy create-only does not delete it"}},
		{name: "unknown sources: copies kept, nothing deleted", desired: scripts(controller.SourceSet{Unknown: "self: ipv4 unknown"}), policy: sync,
			observed: []controller.Rule{owned("o1", home), owned("o2", old)},
			warnings: []string{"duplicate skip rule o2 (ip.src in {203.0.113.1}) kept: self: ipv4 unknown",
				"kept as it is: self: ipv4 unknown"}},
		{name: "no longer configured: every copy deleted", desired: DesiredSkipRule{Name: "monitor", Set: home, Skip: allSkip},
			policy: sync, observed: []controller.Rule{owned("o1", home), owned("o2", old), foreign("f1")},
			want: []string{"delete o1", "delete o2", "create flarewarden_monitor before f1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warns := PlanRules(controllertest.Zone, []DesiredSkipRule{tt.desired}, controller.Ruleset{ID: "rs", Rules: tt.observed}, tt.policy)
			var steps []string
			for _, c := range got {
				if !c.Rule.Owned() {
					t.Errorf("change touches foreign rule %+v", c.Rule)
				}
				steps = append(steps, ruleStepString(c))
			}
			if strings.Join(steps, "|") != strings.Join(tt.want, "|") {
				t.Errorf("changes = %q, want %q", steps, tt.want)
			}
			controllertest.AssertWarnings(t, warns, tt.warnings)
		})
	}
}

// ruleStepString renders a change as "ACTION ID [before ID]", a create
// by its ref.
func ruleStepString(c controller.RuleChange) string {
	s := string(c.Action) + " " + c.Rule.ID
	if c.Action == controller.ActionCreate {
		s = string(c.Action) + " " + c.Rule.Ref
	}
	if c.Position != nil {
		s += " before " + c.Position.Before
	}
	return s
}

// TestRunOnceDuplicateRemovedStillExempts checks that deleting an owned
// duplicate leaves the kept rule in the pass's view of the zone: the
// security report still says the sources are exempted.
func TestRunOnceDuplicateRemovedStillExempts(t *testing.T) {
	home := set("203.0.113.7")
	home.Sources = []controller.SourceResult{{Source: "203.0.113.7", Prefixes: home.Prefixes}}
	waf := NewFakeWAF()
	waf.Sets[TestZone.ID] = controller.Ruleset{ID: "rs", Rules: []controller.Rule{owned("o1", home), owned("o2", set("203.0.113.1"))}}
	waf.Levels[TestZone.ID] = controller.SecurityLevelUnderAttack
	spec := Spec{SkipRules: wafTestSpec.SkipRules, ReportUnderAttack: true}
	r := NewWAFTestReconciler(spec, FakeSources{skipField: home}, waf, zap.NewNop())

	rep, err := r.RunOnce(context.Background(), controller.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(waf.Writes, []string{"DELETE rule flarewarden_scripts"}) {
		t.Fatalf("writes = %v, want the duplicate deleted", waf.Writes)
	}
	if rules := waf.Sets[TestZone.ID].Rules; len(rules) != 1 || rules[0].ID != "o1" {
		t.Fatalf("rules = %+v, want o1 alone", rules)
	}
	if len(rep.Security) != 1 || len(rep.Security[0].Exemptions) != 1 || !rep.Security[0].Exemptions[0].Exempted {
		t.Errorf("security = %+v, want the source exempted by the kept rule", rep.Security)
	}
}
