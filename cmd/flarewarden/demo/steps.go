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
	var nasAAAA string // the id of nas.example.com's AAAA, once created
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
		{
			title: "the web server is back and the attack is over (security level medium). The house gets an LTE backup line:\n" +
				"        you add two uplinks, fiber (" + fiberIP + ", detected as before) and lte (" + lteIP + "), each with a canary,\n" +
				"        a proxied record on its address that flarewarden asks for through Cloudflare's edge. home.example.com follows\n" +
				"        fiber, then lte; vpn.example.com, which lists no uplinks, follows both in config order. self, in the skip rule,\n" +
				"        now stands for both lines.",
			before: e.homeAgainAttackOver,
			config: demoUplinks,
			check: expect(want{"fiber.example.com", "A", fiberIP}, want{"lte.example.com", "A", lteIP},
				proxied{"fiber.example.com", true}, proxied{"lte.example.com", true},
				want{"home.example.com", "A", fiberIP}, want{"vpn.example.com", "A", fiberIP}),
		},
		{
			title: "the fiber line dies: Cloudflare's connections to " + fiberIP + " are refused (521), your site is down.\n" +
				"        The pass first judges the uplinks with one health round: fiber's canary answers 521, fiber is down,\n" +
				"        and its names move to lte in one batch; the canary stays on fiber, to tell when the line is back.\n" +
				"        (A daemon waits canary.fail_after failed rounds in a row first, 2 by default.)",
			before: e.killFiber,
			config: demoUplinks,
			probe:  "198.51.100.50",
			check: expect(want{"home.example.com", "A", lteIP}, want{"vpn.example.com", "A", lteIP},
				want{"fiber.example.com", "A", fiberIP}, want{"lte.example.com", "A", lteIP}),
		},
		{
			title: "the fiber line is repaired: its canary answers again, fiber is up and preferred, and its names move back.\n" +
				"        (A daemon waits canary.recover_after healthy rounds first, 3 by default, so a flapping line does not\n" +
				"        move them back and forth.)",
			before: e.repairFiber,
			config: demoUplinks,
			check: expect(want{"home.example.com", "A", fiberIP}, want{"vpn.example.com", "A", fiberIP},
				want{"lte.example.com", "A", lteIP}),
		},
		{
			title: "your NAS gets an IPv6 address: you turn IPv6 detection on, with the ISP's delegated /56, and add nas.example.com\n" +
				"        with ipv6_host " + nasHostID + ", the NAS's host id: its AAAA is the prefix joined to that id; the other\n" +
				"        names get this host's IPv6 address, and so does self. (The uplinks are left out of this config: every name\n" +
				"        would take its AAAA from them, and an uplink bound to an IPv4 address, as the demo's are, detects no IPv6;\n" +
				"        bound to an interface, on Linux, it detects both. Their canaries are left as they are.)",
			config: demoIPv6(firstIPv6),
			check: expect(want{"nas.example.com", "AAAA", "2001:db8:1234:5600:aa:bbcc:ddee:ff01"}, want{"nas.example.com", "A", fiberIP},
				want{"home.example.com", "AAAA", firstIPv6}, want{"home.example.com", "A", fiberIP}, kept{"nas.example.com", "AAAA", &nasAAAA}),
		},
		{
			title: "the ISP changes the IPv6 prefix to 2001:db8:abcd:ef00::/56: every AAAA is updated in place, the NAS's\n" +
				"        keeps its host id, and the skip rule follows. (The demo's IPv6 source is static, so the new prefix\n" +
				"        comes with the config; a real source such as cloudflare-trace detects it by itself.)",
			config: demoIPv6(secondIPv6),
			check: expect(want{"nas.example.com", "AAAA", "2001:db8:abcd:ef00:aa:bbcc:ddee:ff01"}, kept{"nas.example.com", "AAAA", &nasAAAA},
				want{"home.example.com", "AAAA", secondIPv6}, want{"vpn.example.com", "AAAA", secondIPv6}),
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

// kept requires one name typ record, the same one every time: the first
// time it holds, it records the record's id in *id.
type kept struct {
	name, typ string
	id        *string
}

func (k kept) holds(recs []sim.Record) error {
	var ids []string
	for _, r := range recs {
		if r.Name == k.name && r.Type == k.typ {
			ids = append(ids, r.ID)
		}
	}
	switch {
	case len(ids) != 1:
		return fmt.Errorf("%s has %d %s records, want 1", k.name, len(ids), k.typ)
	case *k.id != "" && ids[0] != *k.id:
		return fmt.Errorf("%s %s was replaced (id %s, was %s), not updated in place", k.name, k.typ, ids[0], *k.id)
	}
	*k.id = ids[0]
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
