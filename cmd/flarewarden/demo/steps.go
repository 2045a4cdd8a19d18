package demo

import (
	"fmt"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// demoWAF is the WAF section the user adds in step 5: the uptime script,
// and self so that flarewarden's own health probe is not challenged either.
const demoWAF = "waf: {skip_rules: [{name: scripts, sources: [198.51.100.50, self]}]}"

// demoSteps is the story the demo plays, each act with the state that must
// hold after flarewarden's pass.
func demoSteps(e *demoEnv) []demoStep {
	return []demoStep{
		{
			title: "the DDNS provider behind home.example.com is down: Cloudflare answers 530, error 1016.\n" +
				"        flarewarden replaces the CNAME with an A record in one atomic batch, and creates the missing vpn record.",
			diagnoseBefore: controller.ClassDDNSTargetDown,
			diagnoseAfter:  controller.ClassOK,
			check: expect(
				want{"home.example.com", "A", "203.0.113.7"}, want{"vpn.example.com", "A", "203.0.113.7"},
				want{"www.example.com", "A", "198.51.100.20"}, absent{"home.example.com", "CNAME"}),
		},
		{
			title:    "a second pass right after: nothing to do, and only reads.",
			check:    expect(want{"home.example.com", "A", "203.0.113.7"}),
			readOnly: true,
		},
		{
			title:  "the ISP changes the public IP to 203.0.113.8: the records are updated in place.",
			before: func() error { e.publicIP.Store("203.0.113.8"); return nil },
			check:  expect(want{"home.example.com", "A", "203.0.113.8"}, want{"vpn.example.com", "A", "203.0.113.8"}),
		},
		{
			title:  "someone edits home.example.com in the dashboard (content 198.51.100.99, proxy off): the drift is reverted.",
			before: func() error { return e.editDashboard("home.example.com", "198.51.100.99") },
			check:  expect(want{"home.example.com", "A", "203.0.113.8"}, proxied{"home.example.com", true}),
		},
		{
			title: "the zone is put in Under Attack mode: your uptime script at 198.51.100.50 now gets 403 challenges.\n" +
				"        You add it and self to waf.skip_rules; flarewarden puts a skip rule first in the custom rules,\n" +
				"        before the hand-made block rule, which it leaves exactly as it is.",
			before: func() error { return e.sim.SetSecurityLevel(demoZone, "under_attack") },
			config: demoWAF,
			probe:  "198.51.100.50",
			check:  e.skipRuleFirst,
		},
		{
			title: "the web server at home stops: Cloudflare answers 521. DNS is right, so flarewarden changes nothing;\n" +
				"        the health check tells the origin is down (a daemon notifies you once, and once more when it is back).",
			before:        e.stopOrigin,
			config:        demoWAF,
			readOnly:      true,
			check:         expect(want{"home.example.com", "A", "203.0.113.8"}),
			diagnoseAfter: controller.ClassOriginDown,
		},
	}
}

// skipRuleFirst checks that flarewarden's rule leads the custom rules and
// that the hand-made rule is still there, unchanged.
func (e *demoEnv) skipRuleFirst([]sim.Record) error {
	rs, ok := e.sim.Ruleset(demoZone, "http_request_firewall_custom")
	if !ok || len(rs.Rules) != 2 {
		return fmt.Errorf("custom rules = %+v, want the skip rule and the hand-made rule", rs.Rules)
	}
	if rs.Rules[0].Ref != "flarewarden_scripts" || rs.Rules[1].Ref != "block_wp_login" || rs.Rules[1].Version != "1" {
		return fmt.Errorf("custom rules are %s, %s (version %s)", rs.Rules[0].Ref, rs.Rules[1].Ref, rs.Rules[1].Version)
	}
	return nil
}

// editDashboard changes a record behind flarewarden's back.
func (e *demoEnv) editDashboard(name, content string) error {
	for _, r := range e.sim.Records(demoZone) {
		if r.Name == name && r.Type == "A" {
			return e.sim.UpdateRecord(demoZone, r.ID, func(r *sim.Record) { r.Content, r.Proxied = content, false })
		}
	}
	return fmt.Errorf("no A record at %s to edit", name)
}

// A demo expectation about the zone's records.
type expectation interface {
	holds(recs []sim.Record) error
}

type want struct{ name, typ, content string }

func (w want) holds(recs []sim.Record) error {
	for _, r := range recs {
		if r.Name == w.name && r.Type == w.typ {
			if r.Content != w.content {
				return fmt.Errorf("%s %s is %s, want %s", w.name, w.typ, r.Content, w.content)
			}
			return nil
		}
	}
	return fmt.Errorf("%s has no %s record", w.name, w.typ)
}

type absent struct{ name, typ string }

func (a absent) holds(recs []sim.Record) error {
	for _, r := range recs {
		if r.Name == a.name && r.Type == a.typ {
			return fmt.Errorf("%s still has a %s record", a.name, a.typ)
		}
	}
	return nil
}

type proxied struct {
	name string
	on   bool
}

func (p proxied) holds(recs []sim.Record) error {
	for _, r := range recs {
		if r.Name == p.name && r.Proxied != p.on {
			return fmt.Errorf("%s %s proxied=%t, want %t", r.Name, r.Type, r.Proxied, p.on)
		}
	}
	return nil
}

func expect(es ...expectation) func([]sim.Record) error {
	return func(recs []sim.Record) error {
		for _, e := range es {
			if err := e.holds(recs); err != nil {
				return err
			}
		}
		return nil
	}
}
