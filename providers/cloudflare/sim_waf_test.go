package cloudflare

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// The foreign rule of the simulator WAF tests: someone's dashboard rule.
const (
	foreignRef  = "admin_block"
	foreignExpr = `(http.request.uri.path eq "/admin")`
)

// simSkipRule is an owned skip rule the simulator accepts: it exempts
// 203.0.113.7 from the security level and the other legacy products.
func simSkipRule(name string) controller.Rule {
	r := skipRule(name)
	r.Expression = "(ip.src in {203.0.113.7})"
	r.Skip = &controller.SkipParams{Ruleset: "current", Products: controller.SkipProducts}
	return r
}

// addForeign adds the foreign rule (creating the entrypoint) and returns its id.
func (e *simEnv) addForeign() string {
	e.t.Helper()
	r, err := e.s.AddRule("example.com", sim.Rule{Ref: foreignRef, Action: "block", Expression: foreignExpr, Enabled: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return r.ID
}

// order renders the zone's custom rules as their refs, in order.
func (e *simEnv) order() []string {
	rs, _ := e.s.Ruleset("example.com", controller.CustomRulesPhase)
	var refs []string
	for _, r := range rs.Rules {
		refs = append(refs, r.Ref)
	}
	return refs
}

// entrypoint reads the entrypoint through the client.
func (e *simEnv) entrypoint() controller.Ruleset {
	e.t.Helper()
	rs, err := e.c.Entrypoint(context.Background(), e.zone)
	if err != nil {
		e.t.Fatalf("Entrypoint: %v", err)
	}
	return rs
}

// ownedID returns the id of the owned rule ref in rs.
func ownedID(t *testing.T, rs controller.Ruleset, ref string) string {
	t.Helper()
	for _, r := range rs.Rules {
		if r.Ref == ref {
			return r.ID
		}
	}
	t.Fatalf("no rule %s in %+v", ref, rs)
	return ""
}

// checkNoForeignWrites fails if any write carried the foreign rule.
func (e *simEnv) checkNoForeignWrites() {
	for _, r := range e.s.Writes() {
		if body := string(r.Body); strings.Contains(body, foreignRef) || strings.Contains(body, "/admin") {
			e.t.Errorf("%s %s carried the foreign rule: %s", r.Method, r.Path, body)
		}
	}
}

func TestSimEntrypointCreatedByPUT(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{})
	ctx := context.Background()
	if rs := e.entrypoint(); rs.ID != "" {
		t.Fatalf("fresh zone has entrypoint %+v", rs)
	}
	changes := []controller.RuleChange{
		{Action: controller.ActionCreate, Zone: e.zone, Rule: simSkipRule("scripts")},
		{Action: controller.ActionCreate, Zone: e.zone, Rule: simSkipRule("home")},
	}
	if err := e.c.ApplyRules(ctx, e.zone, changes); err != nil {
		t.Fatalf("ApplyRules: %v", err)
	}
	entrypoint := "/zones/" + e.zone.ID + "/rulesets/phases/http_request_firewall_custom/entrypoint"
	if got, want := e.writes(), []string{"PUT " + entrypoint}; !reflect.DeepEqual(got, want) {
		t.Errorf("writes %v, want %v", got, want)
	}
	rs := e.entrypoint()
	if len(rs.Rules) != 2 {
		t.Fatalf("entrypoint %+v; want the two rules", rs)
	}
	got := rs.Rules[0]
	want := withID(simSkipRule("scripts"), got.ID)
	if got.ID == "" || !reflect.DeepEqual(got, want) {
		t.Errorf("rule read back\n got %+v %+v\nwant %+v %+v", got, got.Skip, want, want.Skip)
	}
	if err := e.c.ApplyRules(ctx, e.zone, changes); err == nil || !apiErr(t, err).Temporary() || len(e.s.Writes()) != 1 {
		t.Errorf("second entrypoint creation = %v after %d writes; want a temporary error and no write", err, len(e.s.Writes()))
	}
}

func TestSimSkipRuleGoesFirstAndIsMovedBack(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{})
	ctx := context.Background()
	foreign := e.addForeign()
	if err := e.s.SetSecurityLevel("example.com", controller.SecurityLevelUnderAttack); err != nil {
		t.Fatal(err)
	}
	script := netip.MustParseAddr("203.0.113.7")
	if status, _ := e.s.EdgeDecision("home.example.com", script); status != http.StatusForbidden {
		t.Fatalf("edge answers the script %d before the rule; want 403 (under attack)", status)
	}
	rs := e.entrypoint()
	create := controller.RuleChange{Action: controller.ActionCreate, Zone: e.zone, RulesetID: rs.ID,
		Rule: simSkipRule("scripts"), Position: &controller.Position{Before: foreign}}
	if err := e.c.ApplyRules(ctx, e.zone, []controller.RuleChange{create}); err != nil {
		t.Fatalf("create: %v", err)
	}
	if got, want := e.order(), []string{"flarewarden_scripts", foreignRef}; !reflect.DeepEqual(got, want) {
		t.Fatalf("rules %v after the create, want %v", got, want)
	}
	if status, reason := e.s.EdgeDecision("home.example.com", script); status != http.StatusOK {
		t.Errorf("edge answers the script %d (%s); want 200 through the skip rule", status, reason)
	}
	id := ownedID(t, e.entrypoint(), "flarewarden_scripts")
	if err := e.s.MoveRule("example.com", id, 2); err != nil {
		t.Fatal(err)
	}
	move := controller.RuleChange{Action: controller.ActionUpdate, Zone: e.zone, RulesetID: rs.ID,
		Rule: withID(simSkipRule("scripts"), id), Position: &controller.Position{Before: foreign}}
	if err := e.c.ApplyRules(ctx, e.zone, []controller.RuleChange{move}); err != nil {
		t.Fatalf("move back: %v", err)
	}
	if got, want := e.order(), []string{"flarewarden_scripts", foreignRef}; !reflect.DeepEqual(got, want) {
		t.Errorf("rules %v after the move back, want %v", got, want)
	}
	del := controller.RuleChange{Action: controller.ActionDelete, Zone: e.zone, RulesetID: rs.ID, Rule: withID(simSkipRule("scripts"), id)}
	if err := e.c.ApplyRules(ctx, e.zone, []controller.RuleChange{del}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if got, want := e.order(), []string{foreignRef}; !reflect.DeepEqual(got, want) {
		t.Errorf("rules %v after the delete, want %v", got, want)
	}
	rules := "/zones/" + e.zone.ID + "/rulesets/" + rs.ID + "/rules"
	if got, want := e.writes(), []string{"POST " + rules, "PATCH " + rules + "/" + id, "DELETE " + rules + "/" + id}; !reflect.DeepEqual(got, want) {
		t.Errorf("writes\n got %v\nwant %v", got, want)
	}
	e.checkNoForeignWrites()
}

func TestSimLowerCaseProductsRefused(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{})
	e.addForeign()
	rs := e.entrypoint()
	bad := simSkipRule("scripts")
	bad.Skip = &controller.SkipParams{Products: []string{"zonelockdown"}}
	err := e.c.ApplyRules(context.Background(), e.zone, []controller.RuleChange{
		{Action: controller.ActionCreate, Zone: e.zone, RulesetID: rs.ID, Rule: bad, Position: &controller.Position{}}})
	ae := apiErr(t, err)
	if !ae.hasCode(20119) || ae.Temporary() || errors.Is(err, controller.ErrRuleLimit) ||
		!strings.HasPrefix(ae.Error(), "create rule flarewarden_scripts in zone example.com: cloudflare HTTP 400 code 20119: ") {
		t.Errorf("ApplyRules = %v; want a permanent 20119 error naming the rule and zone", err)
	}
	if got, want := e.order(), []string{foreignRef}; !reflect.DeepEqual(got, want) {
		t.Errorf("rules %v, want %v", got, want)
	}
	e.checkNoForeignWrites()
}

func TestSimRuleLimit(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{}, sim.WithRuleLimit(5))
	for range 5 {
		if _, err := e.s.AddRule("example.com", sim.Rule{Action: "block", Expression: foreignExpr, Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	rs := e.entrypoint()
	err := e.c.ApplyRules(context.Background(), e.zone, []controller.RuleChange{
		{Action: controller.ActionCreate, Zone: e.zone, RulesetID: rs.ID, Rule: simSkipRule("scripts"), Position: &controller.Position{}}})
	want := "zone example.com has reached its custom rule limit of 5 (Free plan: 5): remove a rule or upgrade to add flarewarden_scripts"
	if !errors.Is(err, controller.ErrRuleLimit) || err.Error() != want {
		t.Errorf("ApplyRules = %v; want %q wrapping ErrRuleLimit", err, want)
	}
	if n := len(e.order()); n != 5 {
		t.Errorf("%d rules, want 5", n)
	}
}

func TestSimSecurityLevel(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{})
	ctx := context.Background()
	if level, err := e.c.SecurityLevel(ctx, e.zone); err != nil || level != "medium" {
		t.Errorf("SecurityLevel = %q, %v; want medium", level, err)
	}
	if err := e.s.SetSecurityLevel("example.com", controller.SecurityLevelUnderAttack); err != nil {
		t.Fatal(err)
	}
	if level, err := e.c.SecurityLevel(ctx, e.zone); err != nil || level != controller.SecurityLevelUnderAttack {
		t.Errorf("SecurityLevel = %q, %v; want under_attack", level, err)
	}
}

func TestSimAccessRules(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{})
	ctx := context.Background()
	for _, r := range []sim.AccessRule{
		{Mode: "whitelist", Target: "ip", Value: "192.0.2.1", Notes: "hand made"},
		{Mode: "block", Target: "country", Value: "XX"},
	} {
		if _, err := e.s.AddAccessRule("example.com", r); err != nil {
			t.Fatal(err)
		}
	}
	notes := "managed-by=flarewarden; scripts"
	create := controller.AccessRuleChange{Action: controller.ActionCreate, Zone: e.zone,
		Rule: controller.AccessRule{Mode: "whitelist", Target: "ip6", Value: "2001:db8::1", Notes: notes}}
	if err := e.c.ApplyAccessRules(ctx, e.zone, []controller.AccessRuleChange{create}); err != nil {
		t.Fatalf("create: %v", err)
	}
	rules, err := e.c.AccessRules(ctx, e.zone)
	if err != nil {
		t.Fatalf("AccessRules: %v", err)
	}
	var values []string
	for _, r := range rules {
		values = append(values, r.Mode+" "+r.Target+" "+r.Value+" "+r.Notes)
	}
	want := []string{"whitelist ip 192.0.2.1 hand made", "block country XX ", "whitelist ip6 2001:db8::1 " + notes}
	if !reflect.DeepEqual(values, want) {
		t.Fatalf("AccessRules %q, want %q (every mode)", values, want)
	}
	upd := controller.AccessRuleChange{Action: controller.ActionUpdate, Zone: e.zone, Rule: rules[2]}
	upd.Rule.Mode = "challenge"
	if err := e.c.ApplyAccessRules(ctx, e.zone, []controller.AccessRuleChange{upd}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if got := e.s.AccessRules("example.com")[2]; got.Mode != "challenge" || got.Notes != notes || got.Value != "2001:db8::1" {
		t.Fatalf("updated rule = %+v; want mode challenge, notes and value kept", got)
	}
	del := controller.AccessRuleChange{Action: controller.ActionDelete, Zone: e.zone, Rule: rules[2]}
	if err := e.c.ApplyAccessRules(ctx, e.zone, []controller.AccessRuleChange{del}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if left := e.s.AccessRules("example.com"); len(left) != 2 || left[0].Value != "192.0.2.1" || left[1].Mode != "block" {
		t.Errorf("access rules %+v; want the two foreign ones", left)
	}
	dup := create
	dup.Rule.Value = "192.0.2.1"
	dup.Rule.Target = "ip"
	if ae := apiErr(t, e.c.ApplyAccessRules(ctx, e.zone, []controller.AccessRuleChange{dup})); ae.Status != http.StatusBadRequest ||
		!strings.HasPrefix(ae.Error(), "create access rule 192.0.2.1 in zone example.com: cloudflare HTTP 400") {
		t.Errorf("duplicate create = %v; want a 400 naming the value and zone", ae)
	}
}

func TestSimIPList(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{}, sim.WithBulkPolls(2))
	e.c.bulk = bulkPolicy{interval: time.Millisecond, timeout: 10 * time.Second}
	ctx := context.Background()
	const name = "flarewarden_scripts"
	list, err := e.c.IPList(ctx, sim.DefaultAccountID, name)
	if err != nil || list.ID != "" {
		t.Fatalf("IPList = %+v, %v; want no list yet", list, err)
	}
	add := func(l controller.IPList, ip string) controller.ListItemChange {
		return controller.ListItemChange{Action: controller.ActionCreate, List: l, Item: controller.ListItem{IP: ip, Comment: "managed-by=flarewarden"}}
	}
	if err := e.c.ApplyIPList(ctx, list, []controller.ListItemChange{add(list, "203.0.113.7"), add(list, "2001:db8::/64")}); err != nil {
		t.Fatalf("ApplyIPList (new list): %v", err)
	}
	list, err = e.c.IPList(ctx, sim.DefaultAccountID, name)
	if err != nil || list.ID == "" || len(list.Items) != 2 {
		t.Fatalf("IPList = %+v, %v; want the list with two items", list, err)
	}
	changes := []controller.ListItemChange{
		{Action: controller.ActionDelete, List: list, Item: list.Items[0]},
		add(list, "198.51.100.0/24"),
	}
	if err := e.c.ApplyIPList(ctx, list, changes); err != nil {
		t.Fatalf("ApplyIPList: %v", err)
	}
	var ips []string
	for _, it := range e.s.ListItems(sim.DefaultAccountID, list.ID) {
		ips = append(ips, it.IP+" "+it.Comment)
	}
	if want := []string{"2001:db8::/64 managed-by=flarewarden", "198.51.100.0/24 managed-by=flarewarden"}; !reflect.DeepEqual(ips, want) {
		t.Errorf("items %q, want %q", ips, want)
	}
	if lists := e.s.Lists(sim.DefaultAccountID); len(lists) != 1 || lists[0].Kind != "ip" || lists[0].Description != "managed by flarewarden" {
		t.Errorf("lists %+v; want one ip list managed by flarewarden", lists)
	}
	polls := 0
	for _, r := range e.s.Requests() {
		if strings.Contains(r.Path, "/bulk_operations/") {
			polls++
		}
	}
	if polls != 9 { // three operations, each pending, running, then completed
		t.Errorf("%d polls, want 9", polls)
	}
}

func TestSimIPListBadItemFails(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, sim.TokenOptions{})
	e.c.bulk = bulkPolicy{interval: time.Millisecond, timeout: 10 * time.Second}
	list := controller.IPList{AccountID: sim.DefaultAccountID, Name: "flarewarden_scripts"}
	err := e.c.ApplyIPList(context.Background(), list, []controller.ListItemChange{{Action: controller.ActionCreate, List: list,
		Item: controller.ListItem{IP: "300.1.1.1", Comment: "managed-by=flarewarden"}}})
	ae := apiErr(t, err)
	if ae.Temporary() || !strings.HasPrefix(ae.Error(), "add items 300.1.1.1 to ip list flarewarden_scripts in account "+sim.DefaultAccountID+": ") {
		t.Errorf("ApplyIPList = %v; want a permanent error naming the item, list and account", err)
	}
}
