package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// currentScripts is the expression of the scripts skip rule of a wafWorld.
const currentScripts = "(ip.src in {192.0.2.10 198.51.100.50 203.0.113.7})"

// addStaleCopy adds a second flarewarden_scripts rule that still exempts
// an old home address, at index (1-based) of the zone's custom rules. It
// returns the copy's id.
func (w *wafWorld) addStaleCopy(index int) string {
	w.t.Helper()
	rs, _ := w.sim.Ruleset("example.com", "http_request_firewall_custom")
	params, _ := json.Marshal(map[string]any{"ruleset": "current", "products": []string{"securityLevel"}})
	stale, err := w.sim.AddRuleSharingRef("example.com", sim.Rule{Ref: "flarewarden_scripts", Action: "skip",
		ActionParameters: params, Expression: "(ip.src in {198.51.100.50 203.0.113.1})", Enabled: true,
		Description: rs.Rules[0].Description})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.sim.MoveRule("example.com", stale.ID, index); err != nil {
		w.t.Fatal(err)
	}
	return stale.ID
}

// TestWAFOwnedDuplicateRemovedUnderSyncWarnedOtherwise seeds the zone with
// a second rule of flarewarden's ref, still exempting an old address.
// Under sync the pass deletes it and the current rule stays, first; under
// upsert-only both stay and the report warns. Hand-made rules are never
// written.
func TestWAFOwnedDuplicateRemovedUnderSyncWarnedOtherwise(t *testing.T) {
	tests := []struct {
		policy     string
		staleAt    int // index of the stale copy, 1-based
		wantRules  int // owned rules left
		wantWrites []string
		wantOut    string
	}{
		{policy: "sync", staleAt: 1, wantRules: 1, wantWrites: []string{"DELETE"}},
		{policy: "upsert-only", staleAt: 2, wantRules: 2,
			wantOut: "duplicate skip rule %s (ip.src in {198.51.100.50 203.0.113.1}) kept: policy upsert-only does not delete it"},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			w := newWAFWorld(t)
			w.underAttack()
			if r := w.run("reconcile"); r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			staleID := w.addStaleCopy(tt.staleAt)
			w.extraCfg = "policy: " + tt.policy
			w.setWAF(defaultWAF)
			w.sim.ResetLog()
			r := w.run("reconcile")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			rs, _ := w.sim.Ruleset("example.com", "http_request_firewall_custom")
			owned := slices.DeleteFunc(slices.Clone(rs.Rules), func(r sim.Rule) bool { return r.Ref != "flarewarden_scripts" })
			if len(owned) != tt.wantRules || rs.Rules[0].Ref != "flarewarden_scripts" || rs.Rules[0].Expression != currentScripts {
				t.Fatalf("custom rules = %v (first %s), want %d owned, the current one first", w.customRules(), rs.Rules[0].Expression, tt.wantRules)
			}
			var methods []string
			for _, wr := range w.sim.Writes() {
				if strings.Contains(wr.Path, "/rulesets/") {
					methods = append(methods, wr.Method)
					if wr.Method == "DELETE" && !strings.HasSuffix(wr.Path, "/rules/"+staleID) {
						t.Errorf("deleted %s, want the stale copy %s", wr.Path, staleID)
					}
				}
			}
			if !slices.Equal(methods, tt.wantWrites) {
				t.Errorf("rule writes = %v, want %v", methods, tt.wantWrites)
			}
			if tt.wantOut != "" && !strings.Contains(r.stdout, strings.Replace(tt.wantOut, "%s", staleID, 1)) {
				t.Errorf("output lacks the duplicate warning:\n%s", r.stdout)
			}
			if !strings.Contains(r.stdout, "198.51.100.50: exempted by flarewarden_scripts") {
				t.Errorf("security report lost the exemption:\n%s", r.stdout)
			}
			w.assertForeignNeverSent()
			w.assertForeignUnchanged()
		})
	}
}
