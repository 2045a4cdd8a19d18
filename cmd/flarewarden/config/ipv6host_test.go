package config

import (
	"fmt"
	"testing"
)

func TestIPv6HostValidation(t *testing.T) {
	const v6 = "detect: {ipv6: {sources: ['static:2001:db8::1']%s}}\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"host id overflows the prefix", fmt.Sprintf(v6, ", prefix_length: 56") +
			"records: [{name: a.example.com}, {name: b.example.com}, {name: c.example.com, ipv6_host: '::100:0:0:0:1'}]",
			[]string{"records[2].ipv6_host: ::100:0:0:0:1 has bits inside the /56 prefix"}},
		{"host id overflows the default /64", fmt.Sprintf(v6, "") + "records: [{name: a.example.com, ipv6_host: '::1:0:0:0:1'}]",
			[]string{"records[0].ipv6_host: ::1:0:0:0:1 has bits inside the /64 prefix"}},
		{"not an address", fmt.Sprintf(v6, "") + "records: [{name: a.example.com, ipv6_host: 'nas'}]",
			[]string{`records[0].ipv6_host: "nas" is not an IPv6 interface identifier`}},
		{"an IPv4 address", fmt.Sprintf(v6, "") + "records: [{name: a.example.com, ipv6_host: '0.0.0.7'}]",
			[]string{`records[0].ipv6_host: "0.0.0.7" is not an IPv6 interface identifier`}},
		{"ipv6 off", "records: [{name: a.example.com, ipv6_host: '::7'}]",
			[]string{"records[0].ipv6_host: needs detect.ipv6 on"}},
		{"prefix length out of range", fmt.Sprintf(v6, ", prefix_length: 40") + "records: [{name: a.example.com, ipv6_host: '::7'}]",
			[]string{"detect.ipv6.prefix_length: 40 must be between 48 and 64"}},
		{"prefix length on ipv4", "detect: {ipv4: {prefix_length: 24}}\nrecords: [{name: a.example.com}]",
			[]string{"detect.ipv4.prefix_length: only detect.ipv6 has a delegated prefix"}},
		{"self_prefix without ipv6", "records: [{name: a.example.com}]\nwaf: {skip_rules: [{name: lan, sources: [self_prefix]}]}",
			[]string{"waf.skip_rules[0].sources[0]: self_prefix needs detect.ipv6 on"}},
		{"self_prefix /56 in an access rule", fmt.Sprintf(v6, ", prefix_length: 56") +
			"records: [{name: a.example.com}]\nwaf: {access_rules: [{name: lan, sources: [203.0.113.7, self_prefix]}]}",
			[]string{"waf.access_rules[0].sources[1]: self_prefix is a /56 (detect.ipv6.prefix_length), and IP Access Rules take IPv6 /32, /48 or /64 ranges only"}},
		{"host: a name that is not managed", "records: [{name: a.example.com}]\n" +
			"waf: {skip_rules: [{name: nas, sources: [host:a.example.com, 'HOST:B.example.com.']}], ip_lists: [{name: l, sources: ['host:x y']}]}",
			[]string{"waf.skip_rules[0].sources[1]: b.example.com is not a name of records or an uplink's canary: host: stands for a managed name's addresses",
				`waf.ip_lists[0].sources[0]: "host:x y": "x y" is not a DNS name`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantParseErrors(t, tt.yaml, tt.want) })
	}
}

func TestIPv6HostDefaults(t *testing.T) {
	c, err := Parse([]byte("detect: {ipv6: {sources: ['static:2001:db8::1']}}\n" +
		"records: [{name: a.example.com, ipv6_host: '::1234:5678:9abc:def0'}, {name: b.example.com}]"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Detect.IPv6.PrefixLength != 64 {
		t.Errorf("prefix_length = %d, want 64", c.Detect.IPv6.PrefixLength)
	}
	h := c.Records[0].IPv6HostIn(c.Detect.IPv6)
	if h.ID.String() != "::1234:5678:9abc:def0" || h.PrefixLen != 64 || c.Records[1].IPv6HostIn(c.Detect.IPv6).Set() {
		t.Errorf("IPv6HostIn = %+v", h)
	}
	if off, err := Parse([]byte(minimal)); err != nil || off.Detect.IPv6.PrefixLength != 0 {
		t.Errorf("prefix_length with ipv6 off = %d, %v", off.Detect.IPv6.PrefixLength, err)
	}
}
