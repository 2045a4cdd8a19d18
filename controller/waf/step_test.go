package waf

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/controllertest"
)

const skipField, accessField, listField = "waf.skip_rules[0]", "waf.access_rules[0]", "waf.ip_lists[0]"

// wafTestSpec configures one skip rule, one access rule set and one IP
// list, from the lists skipField, accessField and listField.
var wafTestSpec = Spec{
	SkipRules:         []SkipRuleSpec{{Field: skipField, Name: "scripts", Skip: allSkip, Log: true}},
	AccessRules:       []AccessRuleSpec{{Field: accessField, Name: "scripts-allow"}},
	IPLists:           []IPListSpec{{Field: listField, AccountID: "acc", Name: "home_ips"}},
	ReportUnderAttack: true,
}

func observed(level zapcore.Level) (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(level)
	return zap.New(core), logs
}

// logFields returns the fields of the entries logged with msg.
func logFields(logs *observer.ObservedLogs, msg string) []map[string]any {
	var out []map[string]any
	for _, e := range logs.FilterMessage(msg).All() {
		out = append(out, e.ContextMap())
	}
	return out
}

func TestRunOnceWarnsAboutSourceKeptAtLastKnownAddresses(t *testing.T) {
	stale := controller.SourceSet{Prefixes: set("192.0.2.10", "198.51.100.50").Prefixes, Sources: []controller.SourceResult{
		{Source: "198.51.100.50", Prefixes: set("198.51.100.50").Prefixes},
		{Source: "scripts.example.net", Prefixes: set("192.0.2.10").Prefixes, Stale: true,
			Err: "resolve scripts.example.net: server misbehaving"},
	}}
	spec := Spec{SkipRules: wafTestSpec.SkipRules}
	waf := NewFakeWAF()
	waf.Sets[TestZone.ID] = controller.Ruleset{ID: "rs", Rules: []controller.Rule{owned("o", stale)}}
	log, logs := observed(zap.InfoLevel)
	r := NewWAFTestReconciler(spec, FakeSources{skipField: stale}, waf, log)

	rep, err := r.RunOnce(context.Background(), controller.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fields := logFields(logs, "waf source did not resolve, keeping last known addresses")
	if len(fields) != 1 {
		t.Fatalf("stale warnings logged: %+v, want one", logs.All())
	}
	f := fields[0]
	if f["source"] != "scripts.example.net" || f["field"] != skipField || f["error"] != "resolve scripts.example.net: server misbehaving" ||
		fmt.Sprint(f["kept_addresses"]) != "[192.0.2.10]" {
		t.Errorf("log fields = %v", f)
	}
	if e := logs.FilterMessage("waf source did not resolve, keeping last known addresses").All()[0]; e.Level != zap.WarnLevel {
		t.Errorf("logged at %s, want warn", e.Level)
	}
	want := "waf source of waf.skip_rules[0] did not resolve, keeping last known addresses 192.0.2.10: resolve scripts.example.net: server misbehaving"
	if len(rep.Plan.Warnings) != 1 || rep.Plan.Warnings[0].Name != "scripts.example.net" || rep.Plan.Warnings[0].Message != want {
		t.Errorf("plan warnings = %+v, want %q", rep.Plan.Warnings, want)
	}
	if len(rep.Plan.Rules) != 0 || len(waf.Writes) != 0 {
		t.Errorf("rules planned %+v, writes %v; want none (the rule already has the kept addresses)", rep.Plan.Rules, waf.Writes)
	}
}

func TestRunOnceRuleLimitStillAppliesAccessRulesAndLists(t *testing.T) {
	tests := []struct {
		name      string
		accessErr error
		wantErr   []string
	}{
		{name: "rule limit only", wantErr: []string{"apply skip rules in zone example.com"}},
		{name: "access rules fail too", accessErr: errors.New("HTTP 400 code 10009"),
			wantErr: []string{"apply skip rules in zone example.com", "apply ip access rules in zone example.com: HTTP 400 code 10009"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scripts := set("198.51.100.50")
			scripts.Sources = []controller.SourceResult{{Source: "198.51.100.50", Prefixes: scripts.Prefixes}}
			waf := NewFakeWAF()
			waf.RuleErr = fmt.Errorf("zone example.com has reached its custom rule limit of 5: %w", controller.ErrRuleLimit)
			waf.AccessErr = tt.accessErr
			waf.Levels[TestZone.ID] = controller.SecurityLevelUnderAttack
			waf.Sets[TestZone.ID] = controller.Ruleset{ID: "rs", Rules: []controller.Rule{foreign("f1")}}
			log, logs := observed(zap.InfoLevel)
			r := NewWAFTestReconciler(wafTestSpec, FakeSources{skipField: scripts, accessField: scripts, listField: scripts}, waf, log)

			rep, err := r.RunOnce(context.Background(), controller.PassOptions{})
			if !errors.Is(err, controller.ErrRuleLimit) {
				t.Fatalf("err = %v, want the rule limit", err)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to contain %q", err, w)
				}
			}
			wantWrites := "create access whitelist 198.51.100.50|create item home_ips 198.51.100.50"
			if tt.accessErr != nil {
				wantWrites = "create item home_ips 198.51.100.50"
			}
			if got := strings.Join(waf.Writes, "|"); got != wantWrites {
				t.Errorf("writes = %q, want %q", got, wantWrites)
			}
			if len(rep.WAFFailed) != 1 || rep.WAFFailed[0] != "example.com" || len(rep.Failed) != 0 {
				t.Errorf("failed zones = %v, waf failed zones = %v; want only a waf failure in example.com, once", rep.Failed, rep.WAFFailed)
			}
			if len(rep.Security) != 1 || !rep.Security[0].UnderAttack || len(rep.Security[0].Exemptions) != 1 || rep.Security[0].Exemptions[0].Exempted {
				t.Errorf("security = %+v, want example.com under attack and the source not exempted, reported despite the failure", rep.Security)
			}
			if len(logs.FilterMessage("zone is in under attack mode").All()) != 1 {
				t.Errorf("logs = %+v", logs.All())
			}
		})
	}
}

func TestRunOnceUnderAttackWarnings(t *testing.T) {
	home := set("198.51.100.50")
	sources := controller.SourceSet{Prefixes: home.Prefixes, Sources: []controller.SourceResult{{Source: "198.51.100.50", Prefixes: home.Prefixes}}}
	moved := controller.SourceSet{Prefixes: set("198.51.100.51").Prefixes, Sources: []controller.SourceResult{{Source: "198.51.100.51", Prefixes: set("198.51.100.51").Prefixes}}}
	never := controller.SourceSet{Unknown: "gone.example.net did not resolve and has no last known address",
		Sources: []controller.SourceResult{{Source: "gone.example.net", Err: "server misbehaving"}}}
	tests := []struct {
		name        string
		level       string
		set         controller.SourceSet
		policy      controller.Mode
		existing    []controller.Rule
		exempted    bool
		notExempted []string // sources warned about
		underAttack bool
	}{
		{name: "under attack, source exempted by the new rule", level: controller.SecurityLevelUnderAttack, set: sources, policy: controller.ModeSync,
			exempted: true, underAttack: true},
		{name: "under attack, hostname never resolved: no rule, not exempted", level: controller.SecurityLevelUnderAttack, set: never,
			policy: controller.ModeSync, notExempted: []string{"gone.example.net"}, underAttack: true},
		{name: "under attack, create-only leaves an outdated rule: new source not exempted", level: controller.SecurityLevelUnderAttack,
			set: moved, policy: controller.ModeCreateOnly, existing: []controller.Rule{owned("o", home)}, notExempted: []string{"198.51.100.51"}, underAttack: true},
		{name: "medium: no warning", level: "medium", set: never, policy: controller.ModeSync},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			waf := NewFakeWAF()
			waf.Levels[TestZone.ID] = tt.level
			waf.Sets[TestZone.ID] = controller.Ruleset{ID: "rs", Rules: tt.existing}
			log, logs := observed(zap.WarnLevel)
			r := NewWAFTestReconciler(Spec{SkipRules: wafTestSpec.SkipRules, ReportUnderAttack: true}, FakeSources{skipField: tt.set}, waf, log)
			r.Policy.Mode = tt.policy
			rep, err := r.RunOnce(context.Background(), controller.PassOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Security) != 1 || rep.Security[0].UnderAttack != tt.underAttack || rep.Security[0].Level != tt.level {
				t.Fatalf("security = %+v", rep.Security)
			}
			attack := logFields(logs, "zone is in under attack mode")
			if (len(attack) == 1) != tt.underAttack || (tt.underAttack && attack[0]["zone"] != "example.com") {
				t.Errorf("under attack warnings = %v", attack)
			}
			var warned []string
			for _, f := range logFields(logs, "script source not exempted from under attack challenges") {
				if f["zone"] != "example.com" || f["rule"] != "flarewarden_scripts" {
					t.Errorf("not exempted fields = %v", f)
				}
				warned = append(warned, fmt.Sprint(f["source"]))
			}
			if strings.Join(warned, ",") != strings.Join(tt.notExempted, ",") {
				t.Errorf("not exempted warnings for %v, want %v", warned, tt.notExempted)
			}
			for _, e := range rep.Security[0].Exemptions {
				if e.Exempted != tt.exempted {
					t.Errorf("exemption %+v, want exempted=%v", e, tt.exempted)
				}
			}
		})
	}
}

func TestRunOnceWAFFailureDoesNotUndoTakeover(t *testing.T) {
	scripts := set("198.51.100.50")
	waf := NewFakeWAF()
	waf.RuleErr = fmt.Errorf("zone example.com has reached its custom rule limit of 5: %w", controller.ErrRuleLimit)
	r := NewWAFTestReconciler(Spec{SkipRules: wafTestSpec.SkipRules}, FakeSources{skipField: scripts}, waf, zap.NewNop())
	r.Names[0].TakeoverCNAME = true
	dns := r.DNS.(*controllertest.MemDNS)
	dns.Stored = map[string][]controller.Record{TestZone.ID: {{ID: "c", ZoneID: TestZone.ID, Name: "home.example.com", Type: controller.TypeCNAME,
		Content: "myhome.duckdns.org"}}}

	rep, err := r.RunOnce(context.Background(), controller.PassOptions{})
	if !errors.Is(err, controller.ErrRuleLimit) {
		t.Fatalf("err = %v, want the rule limit", err)
	}
	if len(dns.Applied(TestZone.ID)) != 2 {
		t.Fatalf("dns writes = %+v, want the takeover (delete CNAME, create A)", dns.Applied(TestZone.ID))
	}
	if len(rep.CNAMEs) != 0 {
		t.Errorf("remaining CNAMEs = %v, want none: the takeover was applied", rep.CNAMEs)
	}
	if len(rep.Failed) != 0 || len(rep.WAFFailed) != 1 || rep.WAFFailed[0] != TestZone.Name {
		t.Errorf("failed zones = %v, waf failed zones = %v; want only the waf failure", rep.Failed, rep.WAFFailed)
	}
}
