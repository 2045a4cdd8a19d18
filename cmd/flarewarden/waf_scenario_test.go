package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

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
	w.setWAF(`
  skip_rules:
    - {name: scripts, sources: [198.51.100.50, scripts.example.net, self]}
  access_rules:
    - {name: scripts-allow, sources: [198.51.100.50]}`)
	return w
}

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
	if err := w.sim.SetSecurityLevel("example.com", "under_attack"); err != nil {
		t.Fatal(err)
	}
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
	r := w.run("reconcile")
	if r.code != exitError || !strings.Contains(r.stderr, "custom rule limit") {
		t.Fatalf("exit %d, want 1 with a plain rule-limit error\n%s", r.code, r.stderr)
	}
	if w.record("home.example.com", "A") != "203.0.113.7" {
		t.Fatal("DNS was not reconciled when the rule limit was hit")
	}
	w.assertForeignUnchanged()
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
}
