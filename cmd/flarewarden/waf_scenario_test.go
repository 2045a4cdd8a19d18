package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/cmd/flarewarden/render"
	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
	"github.com/flarewarden/flarewarden/providers/sources/dnstest"
)

// wafWorld is a world whose zone has two hand-made custom rules and a
// hand-made allow rule, and a DNS server for script hostnames.
type wafWorld struct {
	*world
	dns      *dnstest.Server
	foreign  []sim.Rule
	extraCfg string
}

func newWAFWorld(t *testing.T, opts ...sim.Option) *wafWorld {
	t.Helper()
	w := &wafWorld{world: newWorld(t, opts...), dns: dnstest.New(t)}
	w.dns.Set("scripts.example.net", "192.0.2.10")
	for _, r := range []sim.Rule{
		{Ref: "block_wp_login", Action: "block", Expression: `(http.request.uri.path contains "/wp-login.php")`, Enabled: true},
		{Ref: "challenge_admin", Action: "managed_challenge", Expression: `(http.request.uri.path contains "/admin")`, Enabled: true},
	} {
		added, err := w.sim.AddRule("example.com", r)
		if err != nil {
			t.Fatal(err)
		}
		w.foreign = append(w.foreign, added)
	}
	if _, err := w.sim.AddAccessRule("example.com", sim.AccessRule{Mode: "whitelist", Target: "ip", Value: "192.0.2.99", Notes: "office"}); err != nil {
		t.Fatal(err)
	}
	w.setWAF(defaultWAF)
	return w
}

// defaultWAF is the waf section of a new wafWorld (after its resolver).
const defaultWAF = `
  skip_rules:
    - {name: scripts, sources: [198.51.100.50, scripts.example.net, self]}
  access_rules:
    - {name: scripts-allow, sources: [198.51.100.50]}`

// setWAF rewrites the config with this waf section.
func (w *wafWorld) setWAF(waf string) {
	w.writeConfig(fmt.Sprintf(`["url:%s/a", "url:%s/b"]`, w.ip.URL, w.ip.URL),
		"waf:\n  resolver: "+w.dns.Addr+waf+"\n"+w.extraCfg)
}

// customRules returns the refs of the zone's custom rules, in order.
func (w *wafWorld) customRules() []string {
	rs, _ := w.sim.Ruleset("example.com", "http_request_firewall_custom")
	var refs []string
	for _, r := range rs.Rules {
		refs = append(refs, r.Ref)
	}
	return refs
}

// assertForeignNeverSent fails if any write carried or addressed a
// hand-made rule. Naming one as the anchor of a position ("before": id) is
// how a rule is placed first, and is allowed.
func (w *wafWorld) assertForeignNeverSent() {
	w.t.Helper()
	for _, req := range w.sim.Writes() {
		body := withoutPosition(req.Body)
		for _, f := range w.foreign {
			if strings.Contains(body, f.Ref) || strings.Contains(body, f.ID) || strings.Contains(req.Path, f.ID) {
				w.t.Fatalf("write %s %s carried foreign rule %s: %s", req.Method, req.Path, f.Ref, req.Body)
			}
		}
		if strings.Contains(body, "192.0.2.99") {
			w.t.Fatalf("write %s %s touched the hand-made allow rule", req.Method, req.Path)
		}
	}
}

// withoutPosition returns a JSON body without its "position" key.
func withoutPosition(body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return string(body)
	}
	delete(m, "position")
	out, _ := json.Marshal(m)
	return string(out)
}

// assertForeignUnchanged fails if a hand-made rule changed.
func (w *wafWorld) assertForeignUnchanged() {
	w.t.Helper()
	rs, _ := w.sim.Ruleset("example.com", "http_request_firewall_custom")
	for _, f := range w.foreign {
		i := slices.IndexFunc(rs.Rules, func(r sim.Rule) bool { return r.ID == f.ID })
		if i < 0 || rs.Rules[i].Version != f.Version || rs.Rules[i].Expression != f.Expression {
			w.t.Fatalf("foreign rule %s changed or vanished: %+v", f.Ref, rs.Rules)
		}
	}
}

func TestWAFSkipRuleFirstThenIdempotent(t *testing.T) {
	w := newWAFWorld(t)
	w.underAttack()
	r := w.run("reconcile")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if got := w.customRules(); !slices.Equal(got, []string{"flarewarden_scripts", "block_wp_login", "challenge_admin"}) {
		t.Fatalf("custom rules = %v, want the skip rule first", got)
	}
	rs, _ := w.sim.Ruleset("example.com", "http_request_firewall_custom")
	if want := "(ip.src in {192.0.2.10 198.51.100.50 203.0.113.7})"; rs.Rules[0].Expression != want {
		t.Errorf("expression = %s, want %s", rs.Rules[0].Expression, want)
	}
	for _, want := range []string{"UNDER ATTACK", "198.51.100.50: exempted by flarewarden_scripts", "self: exempted", "skip-rule", "access-rule"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if status, _ := w.sim.EdgeDecision("home.example.com", mustAddr("198.51.100.50")); status != 200 {
		t.Errorf("edge still answers %d to the script", status)
	}
	if got := w.sim.AccessRules("example.com"); len(got) != 2 {
		t.Errorf("access rules = %+v, want the hand-made one and 198.51.100.50", got)
	}
	w.assertForeignNeverSent()
	w.assertForeignUnchanged()

	w.sim.ResetLog()
	if r := w.run("reconcile", "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("second pass exit %d\n%s", r.code, r.stdout)
	}
	if len(w.writes()) != 0 {
		t.Fatalf("second pass wrote: %v", w.writes())
	}
}

func TestWAFRuleMovedBackAndFollowsDNS(t *testing.T) {
	w := newWAFWorld(t)
	if r := w.run("reconcile"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	rs, _ := w.sim.Ruleset("example.com", "http_request_firewall_custom")
	if err := w.sim.MoveRule("example.com", rs.Rules[0].ID, 3); err != nil {
		t.Fatal(err)
	}
	w.dns.Set("scripts.example.net", "192.0.2.11")
	w.sim.ResetLog()
	if r := w.run("reconcile"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if got := w.customRules(); got[0] != "flarewarden_scripts" {
		t.Fatalf("custom rules = %v, want the skip rule moved back first", got)
	}
	rs, _ = w.sim.Ruleset("example.com", "http_request_firewall_custom")
	if !strings.Contains(rs.Rules[0].Expression, "192.0.2.11") || strings.Contains(rs.Rules[0].Expression, "192.0.2.10") {
		t.Errorf("expression %s does not follow the script host's DNS", rs.Rules[0].Expression)
	}
	writes := w.writes()
	if len(writes) != 1 || !strings.HasPrefix(writes[0], "PATCH ") {
		t.Errorf("writes = %v, want one PATCH (move and update in place)", writes)
	}
	w.assertForeignNeverSent()
	w.assertForeignUnchanged()
}

func TestWAFRemovedRuleDeletedUnderSyncKeptUnderUpsertOnly(t *testing.T) {
	for _, policy := range []string{"sync", "upsert-only"} {
		t.Run(policy, func(t *testing.T) {
			w := newWAFWorld(t)
			if r := w.run("reconcile"); r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			w.extraCfg = "policy: " + policy
			w.setWAF("\n  skip_rules: []")
			w.sim.ResetLog()
			if r := w.run("reconcile"); r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			has := slices.Contains(w.customRules(), "flarewarden_scripts")
			if has != (policy == "upsert-only") {
				t.Fatalf("policy %s: skip rule present = %v; rules %v", policy, has, w.customRules())
			}
			w.assertForeignNeverSent()
			w.assertForeignUnchanged()
		})
	}
}

func TestWAFRuleLimitReportedAndDNSStillReconciled(t *testing.T) {
	w := newWAFWorld(t, sim.WithRuleLimit(2))
	w.underAttack()
	r := w.run("reconcile")
	if r.code != exitError || !strings.Contains(r.stderr, "custom rule limit") {
		t.Fatalf("exit %d, want 1 with a plain rule-limit error\n%s", r.code, r.stderr)
	}
	if w.record("home.example.com", "A") != "203.0.113.7" {
		t.Fatal("DNS was not reconciled when the rule limit was hit")
	}
	if !w.hasAccessRule("whitelist", "198.51.100.50", "managed-by=flarewarden; scripts-allow") {
		t.Fatalf("access rules = %+v, want the allow rule created despite the rule limit", w.sim.AccessRules("example.com"))
	}
	for _, want := range []string{"UNDER ATTACK", "198.51.100.50: NOT exempted"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("security report lacks %q despite the rule limit:\n%s", want, r.stdout)
		}
	}
	w.assertForeignNeverSent()
	w.assertForeignUnchanged()
}

// hasAccessRule reports whether the zone has an access rule of that mode,
// value and notes.
func (w *wafWorld) hasAccessRule(mode, value, notes string) bool {
	return slices.ContainsFunc(w.sim.AccessRules("example.com"), func(a sim.AccessRule) bool {
		return a.Mode == mode && a.Value == value && a.Notes == notes
	})
}

func TestWAFUnknownSelfKeepsRule(t *testing.T) {
	w := newWAFWorld(t)
	if r := w.run("reconcile"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	w.writeConfig(`["url:`+w.ip.URL+`/a", "url:`+w.ip.URL+`/b?html"]`,
		"waf:\n  resolver: "+w.dns.Addr+"\n  skip_rules:\n    - {name: scripts, sources: [198.51.100.60, self]}\n")
	w.sim.ResetLog()
	r := w.run("reconcile")
	if r.code != 0 || !strings.Contains(r.stdout, "skip rule kept as it is: self: ipv4 address unknown") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, wr := range w.writes() {
		if strings.Contains(wr, "/rulesets/") {
			t.Fatalf("rule written although self is unknown: %v", w.writes())
		}
	}
}

func TestWAFCreatesEntrypointAndKeepsIPList(t *testing.T) {
	w := newWorld(t)
	w.writeConfig(`["url:`+w.ip.URL+`/a", "url:`+w.ip.URL+`/b"]`, fmt.Sprintf(`waf:
  skip_rules:
    - {name: scripts, sources: [self]}
  ip_lists:
    - {account_id: %s, name: home_ips, sources: [self, 198.51.100.0/24]}
`, sim.DefaultAccountID))
	if r := w.run("reconcile"); r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var puts int
	for _, wr := range w.writes() {
		if strings.HasPrefix(wr, "PUT ") && strings.HasSuffix(wr, "/phases/http_request_firewall_custom/entrypoint") {
			puts++
		}
	}
	rs, ok := w.sim.Ruleset("example.com", "http_request_firewall_custom")
	if puts != 1 || !ok || len(rs.Rules) != 1 || rs.Rules[0].Expression != "(ip.src in {203.0.113.7})" {
		t.Fatalf("entrypoint puts=%d rules=%+v, want one PUT creating the skip rule", puts, rs.Rules)
	}
	lists := w.sim.Lists(sim.DefaultAccountID)
	if len(lists) != 1 || lists[0].Name != "home_ips" {
		t.Fatalf("lists = %+v", lists)
	}
	w.assertSecondPassWritesNothing()
	var items []string
	for _, it := range w.sim.ListItems(sim.DefaultAccountID, lists[0].ID) {
		items = append(items, it.IP+" "+it.Comment)
	}
	slices.Sort(items)
	if want := []string{"198.51.100.0/24 managed-by=flarewarden", "203.0.113.7 managed-by=flarewarden"}; !slices.Equal(items, want) {
		t.Fatalf("list items = %v, want %v", items, want)
	}
	w.publicIP.Store("203.0.113.9")
	w.sim.ResetLog()
	if r := w.run("reconcile"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	items = nil
	for _, it := range w.sim.ListItems(sim.DefaultAccountID, lists[0].ID) {
		items = append(items, it.IP)
	}
	slices.Sort(items)
	if !slices.Equal(items, []string{"198.51.100.0/24", "203.0.113.9"}) {
		t.Fatalf("list items after the IP change = %v", items)
	}
	w.assertSecondPassWritesNothing()
}

// assertSecondPassWritesNothing runs reconcile again and fails if it
// planned or wrote anything.
func (w *world) assertSecondPassWritesNothing() {
	w.t.Helper()
	w.sim.ResetLog()
	if r := w.run("reconcile", "--detailed-exitcode"); r.code != 0 {
		w.t.Fatalf("second pass exit %d, want 0 (nothing to change)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if writes := w.writes(); len(writes) != 0 {
		w.t.Fatalf("second pass wrote: %v", writes)
	}
}

// squash collapses runs of spaces, so table rows read as single-spaced.
func squash(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// wafReport is the part of `reconcile --output json` the WAF tests read.
type wafReport struct {
	DryRun bool `json:"dry_run"`
	Plan   struct {
		Changes []struct {
			Action, Name, Type string
		} `json:"changes"`
		Rules []struct {
			Action string
			Rule   struct{ Ref, Expression string }
		} `json:"skip_rules"`
		AccessRules []struct {
			Action string
			Rule   struct{ Mode, Value string }
		} `json:"access_rules"`
		Warnings []struct{ Name, Message string } `json:"warnings"`
	} `json:"plan"`
	Sources map[string]struct {
		Prefixes []string
		Sources  []struct {
			Source string
			Stale  bool
			Error  string
		}
	} `json:"waf_sources"`
	Security []struct {
		Zone        string
		UnderAttack bool `json:"under_attack"`
	} `json:"security"`
}

func TestWAFDryRunShowsRuleChangesBesideDNSAndWritesNothing(t *testing.T) {
	w := newWAFWorld(t)
	r := w.run("reconcile", "--dry-run")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	table := squash(r.stdout)
	for _, want := range []string{
		"example.com home.example.com CNAME delete myhome.duckdns.org -",
		"example.com home.example.com A create - 203.0.113.7",
		"example.com flarewarden_scripts skip-rule create - (ip.src in {192.0.2.10 198.51.100.50 203.0.113.7})",
		"example.com 198.51.100.50 access-rule create - whitelist", "5 changes planned (dry run: nothing written)",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("dry-run table lacks %q:\n%s", want, r.stdout)
		}
	}

	r = w.run("reconcile", "--dry-run", "--output", "json")
	var rep wafReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 0 || err != nil {
		t.Fatalf("exit %d, %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	if !rep.DryRun || len(rep.Plan.Changes) == 0 || len(rep.Plan.Rules) != 1 || len(rep.Plan.AccessRules) != 1 {
		t.Fatalf("json plan = %+v, want DNS changes, one skip rule and one access rule", rep)
	}
	if sr := rep.Plan.Rules[0]; sr.Action != "create" || sr.Rule.Ref != "flarewarden_scripts" ||
		sr.Rule.Expression != "(ip.src in {192.0.2.10 198.51.100.50 203.0.113.7})" {
		t.Errorf("json skip rule = %+v", sr)
	}
	if ar := rep.Plan.AccessRules[0]; ar.Action != "create" || ar.Rule.Mode != "whitelist" || ar.Rule.Value != "198.51.100.50" {
		t.Errorf("json access rule = %+v", ar)
	}
	if src := rep.Sources["waf.skip_rules[0]"]; len(src.Sources) != 3 || !slices.Contains(src.Prefixes, "192.0.2.10/32") {
		t.Errorf("json waf_sources = %+v", rep.Sources)
	}
	if len(rep.Security) != 1 || rep.Security[0].Zone != "example.com" {
		t.Errorf("json security = %+v", rep.Security)
	}
	if writes := w.writes(); len(writes) != 0 {
		t.Fatalf("dry runs wrote: %v", writes)
	}
}

func TestWAFUnderAttackReportsSourcesNotExempted(t *testing.T) {
	w := newWAFWorld(t)
	w.underAttack()
	w.setWAF(`
  skip_rules:
    - {name: scripts, sources: [198.51.100.50, gone.example.net]}`)
	r := w.run("reconcile")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"zone example.com: UNDER ATTACK mode",
		"198.51.100.50: NOT exempted: it will be challenged (403)",
		"gone.example.net: NOT exempted",
		"skip rule not created: gone.example.net did not resolve and has no last known address",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, want := range []string{
		`"msg":"zone is in under attack mode","zone":"example.com"`,
		`"msg":"script source not exempted from under attack challenges","zone":"example.com","rule":"flarewarden_scripts","source":"gone.example.net"`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("log lacks %s:\n%s", want, r.stderr)
		}
	}
	if slices.Contains(w.customRules(), "flarewarden_scripts") {
		t.Errorf("skip rule created from a set with an unresolved host: %v", w.customRules())
	}
}

func TestWAFStaleHostnameWarnedInReport(t *testing.T) {
	w := newWAFWorld(t)
	cfg, err := config.Load(w.config)
	if err != nil {
		t.Fatal(err)
	}
	// One app for both passes: the resolver's memory of the last known
	// addresses is the process's, as in the daemon.
	a, err := buildApp(cfg, testToken, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := a.Rec.RunOnce(ctx, controller.PassOptions{}); err != nil {
		t.Fatal(err)
	}
	w.dns.Set("scripts.example.net")
	w.sim.ResetLog()
	rep, err := a.Rec.RunOnce(ctx, controller.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	render.Plan(&table, rep.Plan, false)
	want := "warning: scripts.example.net: waf source of waf.skip_rules[0] did not resolve, keeping last known addresses 192.0.2.10: resolve scripts.example.net"
	if !strings.Contains(table.String(), want) {
		t.Errorf("table lacks %q:\n%s", want, table.String())
	}
	var js bytes.Buffer
	if err := render.JSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var got wafReport
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	src := got.Sources["waf.skip_rules[0]"].Sources
	if len(src) != 3 || !src[1].Stale || src[1].Error == "" || len(got.Plan.Warnings) != 1 ||
		!strings.Contains(got.Plan.Warnings[0].Message, "keeping last known addresses 192.0.2.10") {
		t.Errorf("json report = %s", js.String())
	}
	if writes := w.writes(); len(writes) != 0 {
		t.Errorf("pass with a stale hostname wrote: %v", writes)
	}
}

func TestWAFStaleHostnameLoggedByDaemon(t *testing.T) {
	w := newWAFWorld(t)
	w.extraCfg = `schedule: "@every 1s"`
	w.setWAF(defaultWAF)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- w.cli(ctx, testToken, "run") }()
	t.Cleanup(cancel)
	stop := func() result { cancel(); return <-done }
	waitFor := func(what string, cond func() bool) {
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\n%s", what, stop().stderr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("the skip rule", func() bool { return slices.Contains(w.customRules(), "flarewarden_scripts") })
	w.dns.Set("scripts.example.net")
	w.sim.ResetLog()
	// Two more passes: the second one surely resolved after the change.
	waitFor("two passes", func() bool { return w.rulesetReads() >= 2 })
	r := stop()
	want := `"msg":"waf source did not resolve, keeping last known addresses","field":"waf.skip_rules[0]","source":"scripts.example.net","error":"resolve scripts.example.net: `
	if r.code != 0 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, `"kept_addresses":["192.0.2.10"]`) {
		t.Fatalf("exit %d; log lacks the stale source warning %s\n%s", r.code, want, r.stderr)
	}
	for _, wr := range w.writes() {
		if strings.Contains(wr, "/rulesets/") {
			t.Errorf("rule written while the hostname failed: %v", w.writes())
		}
	}
}

// rulesetReads counts the logged reads of the custom rules entrypoint.
func (w *wafWorld) rulesetReads() int {
	n := 0
	for _, r := range w.sim.Requests() {
		if r.Method == "GET" && strings.HasSuffix(r.Path, "/phases/http_request_firewall_custom/entrypoint") {
			n++
		}
	}
	return n
}

func TestWAFHandMadeBlockRuleIsNotDuplicated(t *testing.T) {
	w := newWAFWorld(t)
	if _, err := w.sim.AddAccessRule("example.com", sim.AccessRule{Mode: "block", Target: "ip", Value: "198.51.100.50", Notes: "abuse"}); err != nil {
		t.Fatal(err)
	}
	for pass := 1; pass <= 2; pass++ {
		w.sim.ResetLog()
		r := w.run("reconcile")
		if r.code != 0 {
			t.Fatalf("pass %d: exit %d\n%s\n%s", pass, r.code, r.stdout, r.stderr)
		}
		if want := "warning: 198.51.100.50: a hand-made ip access rule with mode block already exists for 198.51.100.50"; !strings.Contains(r.stdout, want) {
			t.Errorf("pass %d: output lacks %q:\n%s", pass, want, r.stdout)
		}
		for _, wr := range w.sim.Writes() {
			if strings.Contains(wr.Path, "/access_rules/") {
				t.Fatalf("pass %d: access rule write %s %s %s", pass, wr.Method, wr.Path, wr.Body)
			}
		}
	}
	if !w.hasAccessRule("block", "198.51.100.50", "abuse") || len(w.sim.AccessRules("example.com")) != 2 {
		t.Errorf("access rules = %+v, want the hand-made ones untouched", w.sim.AccessRules("example.com"))
	}
}

func TestWAFBroadCIDRRefusedNamingTheField(t *testing.T) {
	tests := []struct{ name, waf, want string }{
		{"skip rule ipv4", "\n  skip_rules:\n    - {name: s, sources: [203.0.113.7, 10.0.0.0/8]}",
			"waf.skip_rules[0].sources[1]: 10.0.0.0/8 is broader than /16"},
		{"skip rule ipv6", "\n  skip_rules:\n    - {name: s, sources: ['2001:db8::/16']}",
			"waf.skip_rules[0].sources[0]: 2001::/16 is broader than /32"},
		{"access rule", "\n  access_rules:\n    - {name: a, sources: [10.0.0.0/8]}",
			"waf.access_rules[0].sources[0]: 10.0.0.0/8 is broader than /16"},
		{"ip list", "\n  ip_lists:\n    - {account_id: " + sim.DefaultAccountID + ", name: l, sources: [172.16.0.0/12]}",
			"waf.ip_lists[0].sources[0]: 172.16.0.0/12 is broader than /16"},
		{"everything even when allowed", "\n  skip_rules:\n    - {name: s, sources: ['0.0.0.0/0'], allow_broad: true}",
			"waf.skip_rules[0].sources[0]: 0.0.0.0/0 matches every address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWAFWorld(t)
			w.sim.ResetLog()
			w.setWAF(tt.waf)
			r := w.run("reconcile")
			if r.code != exitError || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, want 1 with %q\n%s", r.code, tt.want, r.stderr)
			}
			if reqs := w.sim.Requests(); len(reqs) != 0 {
				t.Errorf("a refused config reached the api: %+v", reqs)
			}
		})
	}
}
