package waf

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/controllertest"
)

func set(ps ...string) controller.SourceSet {
	var out []netip.Prefix
	for _, s := range ps {
		p, err := ParsePrefixOrAddr(s)
		if err != nil {
			panic(err)
		}
		out = append(out, p)
	}
	return controller.SourceSet{Prefixes: SortPrefixes(out)}
}

var allSkip = controller.SkipParams{Ruleset: "current", Phases: controller.SkipPhases, Products: controller.SkipProducts}

func scripts(s controller.SourceSet) DesiredSkipRule {
	return DesiredSkipRule{Name: "scripts", Set: s, Skip: allSkip, Log: true}
}

func owned(id string, s controller.SourceSet) controller.Rule {
	r := scripts(s).rule()
	r.ID = id
	return r
}

func foreign(id string) controller.Rule {
	return controller.Rule{ID: id, Ref: id, Expression: `(http.request.uri.path contains "/wp-login")`, Action: "block", Enabled: true}
}

// ruleStep is an expected rule change: action, ref, and the id of the rule
// it must be placed before ("-" for no position, "" for the top).
type ruleStep struct {
	action controller.Action
	ref    string
	before string
}

func TestPlanRules(t *testing.T) {
	sync := controller.Policy{Mode: controller.ModeSync, Marker: controllertest.Marker}
	home := set("203.0.113.7", "198.51.100.0/28")
	tests := []struct {
		name     string
		desired  []DesiredSkipRule
		observed controller.Ruleset
		policy   controller.Policy
		want     []ruleStep
		warnings []string
	}{
		{name: "no entrypoint: create it", desired: []DesiredSkipRule{scripts(home)}, policy: sync,
			want: []ruleStep{{controller.ActionCreate, "flarewarden_scripts", "-"}}},
		{name: "create before the first foreign rule", desired: []DesiredSkipRule{scripts(home)}, policy: sync,
			observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{foreign("f1"), foreign("f2")}},
			want:     []ruleStep{{controller.ActionCreate, "flarewarden_scripts", "f1"}}},
		{name: "create in an empty entrypoint", desired: []DesiredSkipRule{scripts(home)}, policy: sync,
			observed: controller.Ruleset{ID: "rs"},
			want:     []ruleStep{{controller.ActionCreate, "flarewarden_scripts", "-"}}},
		{name: "nothing to do, foreign rules untouched", desired: []DesiredSkipRule{scripts(home)}, policy: sync,
			observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{owned("o", home), foreign("f1")}}},
		{name: "update expression in place", desired: []DesiredSkipRule{scripts(set("203.0.113.8"))}, policy: sync,
			observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{owned("o", home), foreign("f1")}},
			want:     []ruleStep{{controller.ActionUpdate, "flarewarden_scripts", "-"}}},
		{name: "move back to first", desired: []DesiredSkipRule{scripts(home)}, policy: sync,
			observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{foreign("f1"), owned("o", home), foreign("f2")}},
			want:     []ruleStep{{controller.ActionUpdate, "flarewarden_scripts", "f1"}}},
		{name: "two rules keep config order", policy: sync,
			desired:  []DesiredSkipRule{scripts(home), {Name: "monitor", Set: set("192.0.2.1"), Skip: allSkip}},
			observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{foreign("f1")}},
			want:     []ruleStep{{controller.ActionCreate, "flarewarden_scripts", "f1"}, {controller.ActionCreate, "flarewarden_monitor", "f1"}}},
		{name: "removed from config: deleted under sync", policy: sync,
			observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{owned("o", home), foreign("f1")}},
			want:     []ruleStep{{controller.ActionDelete, "flarewarden_scripts", "-"}}},
		{name: "removed from config: kept under upsert-only", policy: controller.Policy{Mode: controller.ModeUpsertOnly, Marker: controllertest.Marker},
			observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{owned("o", home), foreign("f1")}},
			warnings: []string{"policy upsert-only keeps it"}},
		{name: "create-only does not update", desired: []DesiredSkipRule{scripts(set("203.0.113.8"))},
			policy: controller.Policy{Mode: controller.ModeCreateOnly, Marker: controllertest.Marker}, observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{owned("o", home)}},
			warnings: []string{"create-only leaves it"}},
		{name: "unknown sources keep the rule", desired: []DesiredSkipRule{scripts(controller.SourceSet{Unknown: "self: ipv4 unknown"})},
			policy: sync, observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{owned("o", home)}},
			warnings: []string{"kept as it is: self: ipv4 unknown"}},
		{name: "unknown sources still move the rule first", desired: []DesiredSkipRule{scripts(controller.SourceSet{Unknown: "x"})},
			policy: sync, observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{foreign("f1"), owned("o", home)}},
			want:     []ruleStep{{controller.ActionUpdate, "flarewarden_scripts", "f1"}},
			warnings: []string{"kept as it is"}},
		{name: "empty set never creates a rule", desired: []DesiredSkipRule{scripts(controller.SourceSet{})}, policy: sync,
			observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{foreign("f1")}},
			warnings: []string{"resolve to no address"}},
		{name: "drifted products restored", desired: []DesiredSkipRule{scripts(home)}, policy: sync,
			observed: controller.Ruleset{ID: "rs", Rules: []controller.Rule{func() controller.Rule {
				r := owned("o", home)
				r.Skip = &controller.SkipParams{Ruleset: "current", Products: []string{"waf"}}
				return r
			}()}},
			want: []ruleStep{{controller.ActionUpdate, "flarewarden_scripts", "-"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warns := PlanRules(controllertest.Zone, tt.desired, tt.observed, tt.policy)
			if len(got) != len(tt.want) {
				t.Fatalf("changes = %+v, want %+v", got, tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				before := "-"
				if g.Position != nil {
					before = g.Position.Before
				}
				if g.Action != w.action || g.Rule.Ref != w.ref || before != w.before {
					t.Errorf("change %d = %s %s before %q, want %s %s before %q", i, g.Action, g.Rule.Ref, before, w.action, w.ref, w.before)
				}
				if g.Rule.Ref != "" && !g.Rule.Owned() {
					t.Errorf("change %d touches foreign rule %s", i, g.Rule.Ref)
				}
			}
			controllertest.AssertWarnings(t, warns, tt.warnings)
		})
	}
}

func TestPlanRulesNoEntrypointSendsOnlyOwnedRules(t *testing.T) {
	got, _ := PlanRules(controllertest.Zone, []DesiredSkipRule{scripts(set("203.0.113.7"))}, controller.Ruleset{}, controller.Policy{Mode: controller.ModeSync, Marker: controllertest.Marker})
	if len(got) != 1 || got[0].RulesetID != "" {
		t.Fatalf("changes = %+v, want one create without ruleset id", got)
	}
	r := got[0].Rule
	if r.Expression != "(ip.src in {203.0.113.7})" || r.Action != "skip" || !r.Enabled || !r.Logging ||
		strings.Join(r.Skip.Products, ",") != "zoneLockdown,uaBlock,bic,hot,securityLevel,rateLimit,waf" {
		t.Errorf("rule = %+v %+v", r, r.Skip)
	}
}

func TestSkipExpression(t *testing.T) {
	s := set("2001:db8::1", "198.51.100.0/28", "203.0.113.7", "198.51.100.5", "203.0.113.7", "2001:db8::/64")
	want := "(ip.src in {198.51.100.0/28 203.0.113.7 2001:db8::/64})"
	if got := SkipExpression(s.Prefixes); got != want {
		t.Fatalf("SkipExpression = %q, want %q", got, want)
	}
	back, ok := ParseSkipExpression(want)
	if !ok || SkipExpression(back) != want {
		t.Fatalf("ParseSkipExpression round trip = %v %v", back, ok)
	}
	for _, bad := range []string{"true", "(ip.src in {})", "(ip.src in {x})", `(ip.src in {1.2.3.4}) or true`} {
		if _, ok := ParseSkipExpression(bad); ok {
			t.Errorf("ParseSkipExpression(%q) accepted", bad)
		}
	}
}

func TestPlanAccessRules(t *testing.T) {
	sync := controller.Policy{Mode: controller.ModeSync, Marker: controllertest.Marker}
	notes := controllertest.Marker + "; scripts-allow"
	own := func(id, target, value string) controller.AccessRule {
		return controller.AccessRule{ID: id, Mode: AccessRuleMode, Target: target, Value: value, Notes: notes}
	}
	hand := func(mode, target, value string) controller.AccessRule {
		return controller.AccessRule{ID: "u-" + mode, Mode: mode, Target: target, Value: value, Notes: "by hand"}
	}
	drifted := own("a", "ip", "203.0.113.7")
	drifted.Mode = "block"
	tests := []struct {
		name     string
		set      controller.SourceSet
		observed []controller.AccessRule
		policy   controller.Policy
		want     []string // "create ip 203.0.113.7 whitelist"
		warnings []string
	}{
		{name: "create per prefix", set: set("203.0.113.7", "2001:db8::1", "198.51.100.0/24"), policy: sync,
			want: []string{"create ip_range 198.51.100.0/24 whitelist", "create ip 203.0.113.7 whitelist", "create ip6 2001:db8::1 whitelist"}},
		{name: "present is kept", set: set("203.0.113.7"), observed: []controller.AccessRule{own("a", "ip", "203.0.113.7")}, policy: sync},
		{name: "unowned allow counts as present", set: set("203.0.113.7"),
			observed: []controller.AccessRule{hand(AccessRuleMode, "ip", "203.0.113.7")}, policy: sync},
		{name: "hand-made block for the same ip: no create, warned", set: set("203.0.113.7", "203.0.113.8"),
			observed: []controller.AccessRule{hand("block", "ip", "203.0.113.7")}, policy: sync,
			want:     []string{"create ip 203.0.113.8 whitelist"},
			warnings: []string{"hand-made ip access rule with mode block already exists for 203.0.113.7"}},
		{name: "hand-made challenge for the same range: no create, warned", set: set("198.51.100.0/24"),
			observed: []controller.AccessRule{hand("challenge", "ip_range", "198.51.100.0/24")}, policy: sync,
			warnings: []string{"mode challenge already exists for 198.51.100.0/24"}},
		{name: "hand-made rule written differently is the same address", set: set("2001:db8::1"),
			observed: []controller.AccessRule{hand("js_challenge", "ip6", "2001:DB8:0:0::1")}, policy: sync,
			warnings: []string{"mode js_challenge already exists for 2001:db8::1"}},
		{name: "hand-made rule for another address changes nothing", set: set("203.0.113.7"),
			observed: []controller.AccessRule{hand("block", "ip", "203.0.113.70"), hand("block", "country", "XX")}, policy: sync,
			want: []string{"create ip 203.0.113.7 whitelist"}},
		{name: "hand-made block never deleted under sync", set: set("203.0.113.8"),
			observed: []controller.AccessRule{hand("block", "ip", "192.0.2.1")}, policy: sync,
			want: []string{"create ip 203.0.113.8 whitelist"}},
		{name: "owned rule switched to block by hand: restored", set: set("203.0.113.7"),
			observed: []controller.AccessRule{drifted}, policy: sync,
			want: []string{"update ip 203.0.113.7 whitelist"}},
		{name: "owned rule switched to block: create-only leaves it", set: set("203.0.113.7"),
			observed: []controller.AccessRule{drifted}, policy: controller.Policy{Mode: controller.ModeCreateOnly, Marker: controllertest.Marker},
			warnings: []string{"owned access rule has mode block; policy create-only leaves it"}},
		{name: "stale owned deleted", set: set("203.0.113.8"), observed: []controller.AccessRule{own("a", "ip", "203.0.113.7")}, policy: sync,
			want: []string{"create ip 203.0.113.8 whitelist", "delete ip 203.0.113.7 whitelist"}},
		{name: "stale owned of another mode deleted", set: set("203.0.113.8"), observed: []controller.AccessRule{drifted}, policy: sync,
			want: []string{"create ip 203.0.113.8 whitelist", "delete ip 203.0.113.7 block"}},
		{name: "stale owned kept by upsert-only", set: set("203.0.113.8"), observed: []controller.AccessRule{own("a", "ip", "203.0.113.7")},
			policy: controller.Policy{Mode: controller.ModeUpsertOnly, Marker: controllertest.Marker}, want: []string{"create ip 203.0.113.8 whitelist"},
			warnings: []string{"policy upsert-only keeps it"}},
		{name: "unknown set keeps its rules", set: controller.SourceSet{Unknown: "dns down"}, observed: []controller.AccessRule{own("a", "ip", "203.0.113.7")},
			policy: sync, warnings: []string{"access rules kept as they are: dns down"}},
		{name: "unowned never deleted", set: set("203.0.113.8"),
			observed: []controller.AccessRule{{ID: "u", Mode: AccessRuleMode, Target: "ip", Value: "192.0.2.1", Notes: "office"}}, policy: sync,
			want: []string{"create ip 203.0.113.8 whitelist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warns := PlanAccessRules(controllertest.Zone, []DesiredAccessRule{{Name: "scripts-allow", Set: tt.set}}, tt.observed, tt.policy)
			var steps []string
			for _, c := range got {
				steps = append(steps, string(c.Action)+" "+c.Rule.Target+" "+c.Rule.Value+" "+c.Rule.Mode)
				if c.Action != controller.ActionCreate && !strings.HasPrefix(c.Rule.Notes, controllertest.Marker) {
					t.Errorf("change %s touches foreign rule %+v", c.Action, c.Rule)
				}
				if c.Action == controller.ActionUpdate && c.Rule.ID == "" {
					t.Errorf("update without the rule id: %+v", c.Rule)
				}
				if c.Action == controller.ActionCreate && c.Rule.Notes != notes {
					t.Errorf("created rule notes = %q", c.Rule.Notes)
				}
			}
			if strings.Join(steps, "|") != strings.Join(tt.want, "|") {
				t.Errorf("changes = %v, want %v", steps, tt.want)
			}
			controllertest.AssertWarnings(t, warns, tt.warnings)
		})
	}
}

func TestPlanListItems(t *testing.T) {
	sync := controller.Policy{Mode: controller.ModeSync, Marker: controllertest.Marker}
	obs := controller.IPList{AccountID: "acc", ID: "l1", Name: "home_ips", Items: []controller.ListItem{
		{ID: "i1", IP: "203.0.113.7", Comment: controllertest.Marker},
		{ID: "i2", IP: "192.0.2.0/24", Comment: "office"},
		{ID: "i3", IP: "198.51.100.9/32", Comment: controllertest.Marker},
	}}
	got, _ := PlanListItems(DesiredIPList{AccountID: "acc", Name: "home_ips", Set: set("203.0.113.7", "198.51.100.10")}, obs, sync)
	var steps []string
	for _, c := range got {
		steps = append(steps, string(c.Action)+" "+c.Item.IP)
		if c.List.ID != "l1" || c.List.AccountID != "acc" {
			t.Errorf("change list = %+v", c.List)
		}
	}
	if want := "create 198.51.100.10|delete 198.51.100.9/32"; strings.Join(steps, "|") != want {
		t.Errorf("changes = %v, want %s", steps, want)
	}
	if got, _ := PlanListItems(DesiredIPList{Name: "home_ips", Set: controller.SourceSet{Unknown: "x"}}, obs, sync); len(got) != 0 {
		t.Errorf("unknown set changed items: %+v", got)
	}
}
