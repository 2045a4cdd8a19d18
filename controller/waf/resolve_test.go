package waf_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/waf"
	"github.com/flarewarden/flarewarden/providers/sources"
	"github.com/flarewarden/flarewarden/providers/sources/dnstest"
)

const skipField = "waf.skip_rules[0]"

// newResolver returns the source lists of the skip rule: a fixed address
// and a hostname resolved by the local DNS server.
func newResolver(t *testing.T, ds *dnstest.Server) waf.SourceResolver {
	t.Helper()
	var specs []sources.Spec
	for _, raw := range []string{"198.51.100.50", "scripts.example.net"} {
		s, err := sources.Parse(raw, false)
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	r := sources.New(sources.Options{Server: ds.Addr, Timeout: 2 * time.Second})
	return sources.NewLists(r, map[string]sources.List{skipField: {Specs: specs}})
}

// TestRunOnceFollowsHostnameSources runs a first pass that creates the skip
// rule, changes the hostname's DNS answer, and checks what the second pass
// plans and writes.
func TestRunOnceFollowsHostnameSources(t *testing.T) {
	tests := []struct {
		name     string
		then     []string // the hostname's answer for the second pass; none = SERVFAIL
		restart  bool     // the second pass runs in a new process (no last known addresses)
		writes   []string
		expr     string
		warnings []string
	}{
		{name: "resolves to new addresses: expression updated in place", then: []string{"192.0.2.11", "2001:db8::11"},
			writes: []string{"PATCH rule flarewarden_scripts"}, expr: "(ip.src in {192.0.2.11 198.51.100.50 2001:db8::11})"},
		{name: "same addresses: nothing to do", then: []string{"192.0.2.10"},
			expr: "(ip.src in {192.0.2.10 198.51.100.50})"},
		{name: "fails: last known addresses kept, nothing to do", expr: "(ip.src in {192.0.2.10 198.51.100.50})",
			warnings: []string{"scripts.example.net: waf source of waf.skip_rules[0] did not resolve, keeping last known addresses 192.0.2.10"}},
		{name: "fails after a restart: rule kept as it is", restart: true, expr: "(ip.src in {192.0.2.10 198.51.100.50})",
			warnings: []string{"flarewarden_scripts: skip rule kept as it is: scripts.example.net did not resolve and has no last known address"}},
	}
	spec := waf.Spec{SkipRules: []waf.SkipRuleSpec{{Field: skipField, Name: "scripts",
		Skip: controller.SkipParams{Ruleset: "current"}}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := dnstest.New(t)
			ds.Set("scripts.example.net", "192.0.2.10")
			fw := waf.NewFakeWAF()
			res := newResolver(t, ds)
			r := waf.NewWAFTestReconciler(spec, res, fw, zap.NewNop())
			ctx := context.Background()
			if _, err := r.RunOnce(ctx, controller.PassOptions{}); err != nil || len(fw.Writes) != 1 {
				t.Fatalf("first pass: %v, writes %v", err, fw.Writes)
			}

			ds.Set("scripts.example.net", tt.then...)
			if tt.restart {
				r.WAF.(*waf.Step).Sources = newResolver(t, ds)
			}
			fw.Writes = nil
			rep, err := r.RunOnce(ctx, controller.PassOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(fw.Writes, "|") != strings.Join(tt.writes, "|") {
				t.Errorf("writes = %v, want %v", fw.Writes, tt.writes)
			}
			for _, c := range rep.Plan.Rules {
				if c.Position != nil {
					t.Errorf("change %+v moves the rule, want it updated in place", c)
				}
			}
			if got := fw.Sets[waf.TestZone.ID].Rules[0].Expression; got != tt.expr {
				t.Errorf("expression = %s, want %s", got, tt.expr)
			}
			var warns []string
			for _, w := range rep.Plan.Warnings {
				warns = append(warns, w.Name+": "+w.Message)
			}
			if len(warns) != len(tt.warnings) {
				t.Fatalf("warnings = %q, want %q", warns, tt.warnings)
			}
			for i, w := range tt.warnings {
				if !strings.HasPrefix(warns[i], w) {
					t.Errorf("warning %q, want it to start with %q", warns[i], w)
				}
			}
		})
	}
}
