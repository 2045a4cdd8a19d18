package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// writeIPv6HostConfig points the world at a config whose IPv6 source is
// the static address v6, with nas.example.com under its /56.
func (w *world) writeIPv6HostConfig(v6 string) {
	w.t.Helper()
	cfg := fmt.Sprintf(`cloudflare: {api_base_url: %s/client/v4, rate_limit: 1000}
detect:
  ipv4: {sources: ["static:203.0.113.7"], quorum: 1}
  ipv6: {sources: ["static:%s"], quorum: 1, prefix_length: 56}
records:
  - {name: nas.example.com, ipv6_host: "::aa:bbcc:ddee:ff01"}
  - {name: vpn.example.com}
waf:
  skip_rules: [{name: lan, sources: [self_prefix]}, {name: nas, sources: ["host:nas.example.com"]}]
retry: {base: 10ms, max: 50ms}
server: {listen: "127.0.0.1:0"}
`, w.api.URL, v6)
	w.useConfig(cfg)
}

func (w *world) recordOf(name, typ string) (sim.Record, int) {
	var found []sim.Record
	for _, r := range w.sim.Records("example.com") {
		if r.Name == name && r.Type == typ {
			found = append(found, r)
		}
	}
	if len(found) == 0 {
		return sim.Record{}, 0
	}
	return found[0], len(found)
}

func TestReconcileJoinsIPv6HostToTheDelegatedPrefix(t *testing.T) {
	w := newWorld(t)
	w.writeIPv6HostConfig("2001:db8:1234:5600::7")
	if r := w.run("reconcile"); r.code != 0 {
		t.Fatalf("first pass exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	first, n := w.recordOf("nas.example.com", "AAAA")
	if n != 1 || first.Content != "2001:db8:1234:5600:aa:bbcc:ddee:ff01" {
		t.Fatalf("nas AAAA = %d records, %+v", n, first)
	}
	if a := w.record("nas.example.com", "A"); a != "203.0.113.7" {
		t.Errorf("nas A = %q, want the detected IPv4", a)
	}
	if v := w.record("vpn.example.com", "AAAA"); v != "2001:db8:1234:5600::7" {
		t.Errorf("vpn AAAA = %q, want the detected IPv6", v)
	}
	w.wantSkipExpression("(ip.src in {2001:db8:1234:5600::/56})", "(ip.src in {203.0.113.7 2001:db8:1234:5600:aa:bbcc:ddee:ff01})")

	w.writeIPv6HostConfig("2001:db8:abcd:ef00::7")
	w.sim.ResetLog()
	r := w.run("reconcile")
	if r.code != 0 {
		t.Fatalf("second pass exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	second, n := w.recordOf("nas.example.com", "AAAA")
	if n != 1 || second.Content != "2001:db8:abcd:ef00:aa:bbcc:ddee:ff01" || second.ID != first.ID {
		t.Fatalf("nas AAAA after the prefix changed = %d records, %+v (first %s)", n, second, first.ID)
	}
	for _, req := range w.sim.Writes() {
		if strings.Contains(string(req.Body), `"deletes":[{`) || strings.Contains(string(req.Body), `"posts":[{`) {
			t.Errorf("second pass deleted or created: %s %s", req.Path, req.Body)
		}
	}
	w.wantSkipExpression("(ip.src in {2001:db8:abcd:ef00::/56})", "(ip.src in {203.0.113.7 2001:db8:abcd:ef00:aa:bbcc:ddee:ff01})")
}

// wantSkipExpression checks the expressions of the zone's skip rules, in
// order: lan, whose only source is self_prefix (the delegated prefix
// follows the ISP), then nas, whose only source is host:nas.example.com
// (the NAS's addresses follow it too).
func (w *world) wantSkipExpression(want ...string) {
	w.t.Helper()
	rs, ok := w.sim.Ruleset("example.com", "http_request_firewall_custom")
	var got []string
	for _, r := range rs.Rules {
		got = append(got, r.Expression)
	}
	if !ok || strings.Join(got, "\n") != strings.Join(want, "\n") {
		w.t.Fatalf("skip rule expressions %q, want %q", got, want)
	}
}
