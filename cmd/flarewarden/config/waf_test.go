package config

import (
	"strings"
	"testing"
)

const wafBase = "records: [{name: home.example.com}]\n"

func TestWAFDefaults(t *testing.T) {
	c, err := Parse([]byte(wafBase + "waf: {skip_rules: [{name: scripts, sources: [203.0.113.7, self]}]}"))
	if err != nil {
		t.Fatal(err)
	}
	r := c.WAF.SkipRules[0]
	if r.Skip.Ruleset != "current" || len(r.Skip.Phases) != 3 || len(r.Skip.Products) != 7 || !*r.Log {
		t.Errorf("skip rule defaults = %+v %+v", r, r.Skip)
	}
	if !c.WAF.ReportsUnderAttack() {
		t.Error("under attack reporting should default on with skip rules")
	}
}

func TestWAFErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name, waf string
		want      string
	}{
		{"broad cidr", "{skip_rules: [{name: s, sources: [10.0.0.0/8]}]}", "waf.skip_rules[0].sources[0]: 10.0.0.0/8 is broader than /16"},
		{"broad cidr allowed", "{skip_rules: [{name: s, sources: [10.0.0.0/8], allow_broad: true}]}", ""},
		{"everything", "{skip_rules: [{name: s, sources: ['::/0'], allow_broad: true}]}", "waf.skip_rules[0].sources[0]: ::/0 matches every address"},
		{"sdk product spelling", "{skip_rules: [{name: s, sources: [self], skip: {products: [zonelockdown]}}]}",
			`waf.skip_rules[0].skip.products[0]: "zonelockdown" must be spelled "zoneLockdown" exactly`},
		{"unknown phase", "{skip_rules: [{name: s, sources: [self], skip: {phases: [http_request_origin]}}]}", "waf.skip_rules[0].skip.phases[0]"},
		{"empty skip", "{skip_rules: [{name: s, sources: [self], skip: {}}]}", "waf.skip_rules[0].skip: skip at least one"},
		{"bad name", "{skip_rules: [{name: My Rule, sources: [self]}]}", `waf.skip_rules[0].name: "My Rule" must be`},
		{"duplicate name", "{skip_rules: [{name: s, sources: [self]}, {name: s, sources: [self]}]}", "waf.skip_rules[1].name: s is already used"},
		{"no sources", "{skip_rules: [{name: s}]}", "waf.skip_rules[0].sources: list at least one"},
		{"unknown inline key", "{skip_rules: [{name: s, sources: [self], sourcez: [x]}]}", "waf.skip_rules[0].sourcez: unknown key"},
		{"access range", "{access_rules: [{name: a, sources: [198.51.100.0/28]}]}", "IP Access Rules take IPv4 /16 or /24"},
		{"access v6 prefix", "{access_rules: [{name: a, sources: [self], ipv6_prefix: 56}]}", "waf.access_rules[0].ipv6_prefix"},
		{"list account", "{ip_lists: [{account_id: nope, name: home_ips, sources: [self]}]}", "waf.ip_lists[0].account_id"},
		{"resolver", "{resolver: nowhere, skip_rules: [{name: s, sources: [self]}]}", "waf.resolver"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(wafBase + "waf: " + tt.waf))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// ipList is a waf section of one IP list with the given sources and extra keys.
func ipList(sources, extra string) string {
	return wafBase + "waf: {ip_lists: [{account_id: 0123456789abcdef0123456789abcdef, name: home_ips, sources: [" + sources + "]" + extra + "}]}"
}

func TestIPListIPv6Ranges(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"range too narrow", ipList("self, '2001:db8::/96'", ""),
			[]string{"waf.ip_lists[0].sources[1]: 2001:db8::/96: IP lists take IPv6 ranges of /12 to /64 (or single addresses)"}},
		{"range too broad, broad allowed", ipList("'2001:db8::/4'", ", allow_broad: true"),
			[]string{"waf.ip_lists[0].sources[0]: 2000::/4: IP lists take IPv6 ranges of /12 to /64 (or single addresses)"}},
		{"broad range without allow_broad", ipList("'2000::/16'", ""),
			[]string{"waf.ip_lists[0].sources[0]: 2000::/16 is broader than /32: set allow_broad: true"}},
		{"ipv6_prefix too narrow", ipList("self", ", ipv6_prefix: 96"),
			[]string{"waf.ip_lists[0].ipv6_prefix: IP lists take IPv6 ranges of /12 to /64 (or single addresses), not /96"}},
		{"ipv6_prefix too broad, broad allowed", ipList("self", ", ipv6_prefix: 8, allow_broad: true"),
			[]string{"waf.ip_lists[0].ipv6_prefix: IP lists take IPv6 ranges of /12 to /64 (or single addresses), not /8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantParseErrors(t, tt.yaml, tt.want) })
	}
	for _, ok := range []string{
		ipList("'2001:db8::1', '2001:db8::1/128', '2001:db8::/64', '2001:db8::/32', '198.51.100.7/32'", ", ipv6_prefix: 64"),
		ipList("'2000::/12', '10.0.0.0/8', self", ", ipv6_prefix: 12, allow_broad: true"),
		ipList("self", ", ipv6_prefix: 128"),
		wafBase + "waf: {skip_rules: [{name: s, sources: ['2001:db8::/96']}]}",
	} {
		if _, err := Parse([]byte(ok)); err != nil {
			t.Errorf("%s\nrefused: %v", ok, err)
		}
	}
}
