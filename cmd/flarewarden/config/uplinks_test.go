package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// uplinksExample is the two-uplink example of the documentation.
const uplinksExample = `detect:
  ipv4: {enabled: true, sources: ["trace:https://127.0.0.1:9/cdn-cgi/trace"], quorum: 1}
uplinks:
  - name: fiber
    bind: {interface: eth1}
    canary: {name: fiber.home.example.com}
  - name: lte
    bind: {address: 192.0.2.10}
    detect:
      ipv4: {sources: ["url:https://127.0.0.1:9/ip"], quorum: 1}
    canary: {name: lte.home.example.com, path: /healthz, fail_after: 3}
records:
  - name: home.example.com
    uplinks: [fiber, lte]
    uplink_mode: failover
  - name: www.example.com
`

// uplink is one uplink entry of a flow list: name, bind and canary name,
// then extra keys (", detect: {...}").
func uplink(name, bind, canary, extra string) string {
	return fmt.Sprintf("{name: %s, bind: {%s}, canary: {name: %s}%s}", name, bind, canary, extra)
}

func TestUplinkValidation(t *testing.T) {
	fiber := uplink("fiber", "interface: eth1", "fiber.example.com", "")
	lte := uplink("lte", "address: 192.0.2.10", "lte.example.com", "")
	one := func(u string) string { return "uplinks: [" + u + "]\nrecords: [{name: a.example.com}]" }
	canary := func(keys string) string {
		return one("{name: fiber, bind: {interface: eth1}, canary: {name: fiber.example.com, " + keys + "}}")
	}
	const v6 = "detect: {ipv6: {sources: ['static:2001:db8::1']}}\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"name required", one(uplink("''", "interface: eth1", "fiber.example.com", "")),
			[]string{"uplinks[0].name: required"}},
		{"name spelling", one(uplink("Fiber", "interface: eth1", "fiber.example.com", "")),
			[]string{`uplinks[0].name: "Fiber" must be lower-case letters, digits, _ and -`}},
		{"name twice", one(fiber + ", " + uplink("fiber", "interface: eth2", "lte.example.com", "")),
			[]string{"uplinks[1].name: fiber is already used by entry 0"}},
		{"no bind", one("{name: fiber, canary: {name: fiber.example.com}}"),
			[]string{"uplinks[0].bind: set interface or address"}},
		{"interface and address", one(uplink("fiber", "interface: eth1, address: 192.0.2.10", "fiber.example.com", "")),
			[]string{"uplinks[0].bind: set interface or address, not both"}},
		{"address not an IP", one(uplink("fiber", "address: 192.0.2.300", "fiber.example.com", "")),
			[]string{`uplinks[0].bind.address: "192.0.2.300" is not an IP address`}},
		{"interface too long", one(uplink("fiber", "interface: enp0s31f6-uplink0", "fiber.example.com", "")),
			[]string{`uplinks[0].bind.interface: "enp0s31f6-uplink0" must be 1 to 15 characters without / or spaces`}},
		{"interface with a slash or a space", one(uplink("fiber", "interface: eth/1", "fiber.example.com", "") + ", " +
			uplink("lte", "interface: 'wwan 0'", "lte.example.com", "")),
			[]string{`uplinks[0].bind.interface: "eth/1" must be 1 to 15 characters without / or spaces`,
				`uplinks[1].bind.interface: "wwan 0" must be 1 to 15 characters without / or spaces`}},
		{"canary name required", one("{name: fiber, bind: {interface: eth1}}"),
			[]string{"uplinks[0].canary.name: required"}},
		{"canary name not a hostname", one(uplink("fiber", "interface: eth1", "'fiber home'", "")),
			[]string{`uplinks[0].canary.name: "fiber home" is not a valid DNS name`}},
		{"canary wildcard", one(uplink("fiber", "interface: eth1", "'*.fiber.example.com'", "")),
			[]string{`uplinks[0].canary.name: "*.fiber.example.com": a canary cannot be a wildcard`}},
		{"canary of two uplinks", one(fiber + ", " + uplink("lte", "address: 192.0.2.10", "Fiber.Example.com.", "")),
			[]string{"uplinks[1].canary.name: fiber.example.com is already the canary of uplinks[0]"}},
		{"canary is a record", "uplinks: [" + fiber + "]\nrecords: [{name: a.example.com}, {name: FIBER.example.com.}]",
			[]string{"uplinks[0].canary.name: fiber.example.com is also records[1]: a canary is a record of its own"}},
		{"canary path", canary("path: healthz"),
			[]string{`uplinks[0].canary.path: "healthz" must start with /`}},
		{"canary scheme", canary("scheme: ftp"),
			[]string{`uplinks[0].canary.scheme: "ftp" is not one of https, http`}},
		{"canary expect_status", canary("expect_status: [200, 99, 600]"),
			[]string{"uplinks[0].canary.expect_status[1]: 99 is not an HTTP status (100..599)",
				"uplinks[0].canary.expect_status[2]: 600 is not an HTTP status (100..599)"}},
		{"canary timeout", canary("timeout: -1s"),
			[]string{"uplinks[0].canary.timeout: must be positive"}},
		{"canary rounds", canary("fail_after: 101, recover_after: -1"),
			[]string{"uplinks[0].canary.fail_after: 101 must be between 1 and 100",
				"uplinks[0].canary.recover_after: -1 must be between 1 and 100"}},
		{"canary origin port", canary("origin: {port: 65536}"),
			[]string{"uplinks[0].canary.origin.port: 65536 must be between 1 and 65535"}},
		{"no family", one(uplink("fiber", "interface: eth1", "fiber.example.com", ", detect: {ipv4: {enabled: false}}")),
			[]string{"uplinks[0].detect: enable at least one of ipv4 and ipv6"}},
		{"prefix length", v6 + one(uplink("fiber", "interface: eth1", "fiber.example.com",
			", detect: {ipv4: {prefix_length: 24}, ipv6: {prefix_length: 72}}")),
			[]string{"uplinks[0].detect.ipv4.prefix_length: only uplinks[0].detect.ipv6 has a delegated prefix",
				"uplinks[0].detect.ipv6.prefix_length: 72 must be between 48 and 64"}},
		{"IPv4 bind address, ipv6 on", v6 + one(lte),
			[]string{"uplinks[0].bind.address: 192.0.2.10 is IPv4, the uplink's ipv6 detection cannot go out through it"}},
		{"IPv6 bind address, ipv4 on", one(uplink("lte", "address: '2001:db8::10'", "lte.example.com", "")),
			[]string{"uplinks[0].bind.address: 2001:db8::10 is IPv6, the uplink's ipv4 detection cannot go out through it"}},
		{"record uplinks without uplinks", "records: [{name: a.example.com, uplinks: [fiber], uplink_mode: all}]",
			[]string{"records[0].uplinks: no uplinks are configured", "records[0].uplink_mode: no uplinks are configured"}},
		{"record uplinks with an empty uplinks list", "uplinks: []\nrecords: [{name: a.example.com, uplink_mode: failover}]",
			[]string{"records[0].uplink_mode: no uplinks are configured"}},
		{"record names an unknown uplink, twice another", "uplinks: [" + fiber + ", " + lte + "]\n" +
			"records: [{name: a.example.com, uplinks: [fiber, dsl, fiber]}]",
			[]string{`records[0].uplinks[1]: "dsl" is not a configured uplink (fiber, lte)`,
				"records[0].uplinks[2]: fiber is already uplinks[0]"}},
		{"uplink mode", "uplinks: [" + fiber + "]\nrecords: [{name: a.example.com, uplink_mode: both}, {name: b.example.com, uplink_mode: pinned}]",
			[]string{`records[0].uplink_mode: "both" is not one of failover, all`,
				`records[1].uplink_mode: "pinned" is not one of failover, all`}},
		{"unknown key", one(uplink("fiber", "interface: eth1", "fiber.example.com", ", detect: {ipv4: {quorom: 1}}")),
			[]string{"uplinks[0].detect.ipv4.quorom: unknown key (line 1) (did you mean quorum?)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wantParseErrors(t, tt.yaml, tt.want)
			var p *Problems
			if errors.As(err, &p) && len(p.Errs) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%v", len(p.Errs), len(tt.want), err)
			}
		})
	}
}

// The uplinks' problems come right after the records', before the WAF's.
func TestUplinkProblemsComeAfterTheRecords(t *testing.T) {
	_, err := Parse([]byte(`records: [{name: a.example.com, ttl: 30, uplinks: [dsl]}]
uplinks: [{name: fiber, bind: {interface: eth1}, canary: {name: fiber.example.com, path: x}}]
waf: {skip_rules: [{name: Bad, sources: [192.0.2.1]}]}
log: {level: loud}
`))
	want := []string{
		"records[0].ttl: 30 must be 1 (automatic) or 60..86400 seconds",
		`uplinks[0].canary.path: "x" must start with /`,
		`records[0].uplinks[0]: "dsl" is not a configured uplink (fiber)`,
		`waf.skip_rules[0].name: "Bad" must be lower-case letters, digits and _`,
		`log.level: "loud" is not one of debug, info, warn, error`,
	}
	var p *Problems
	if !errors.As(err, &p) {
		t.Fatalf("Parse = %v, want problems", err)
	}
	if got := fmt.Sprint(p.Errs); got != fmt.Sprint(want) {
		t.Errorf("problems = %s\nwant        %s", got, want)
	}
}

func TestUplinkDefaults(t *testing.T) {
	c, err := Parse([]byte(uplinksExample))
	if err != nil {
		t.Fatal(err)
	}
	fiber, lte := c.Uplinks[0], c.Uplinks[1]

	// A family left out is a copy of the top-level's, sharing nothing.
	if !reflect.DeepEqual(*fiber.Detect.IPv4, c.Detect.IPv4) || !reflect.DeepEqual(*fiber.Detect.IPv6, c.Detect.IPv6) {
		t.Errorf("fiber detect = %+v %+v, want the top-level's %+v %+v", *fiber.Detect.IPv4, *fiber.Detect.IPv6, c.Detect.IPv4, c.Detect.IPv6)
	}
	fiber.Detect.IPv4.Sources[0] = "changed"
	*fiber.Detect.IPv4.Enabled = false
	if c.Detect.IPv4.Sources[0] == "changed" || !c.Detect.IPv4.On() || c.Uplinks[1].Detect.IPv4.Sources[0] == "changed" {
		t.Error("an uplink's copy of the top-level family shares its sources or enabled")
	}

	// A family given takes the top-level's enabled when unset.
	if v4 := lte.Detect.IPv4; !v4.On() || !slices.Equal(v4.Sources, []string{"url:https://127.0.0.1:9/ip"}) || v4.Quorum != 1 {
		t.Errorf("lte ipv4 = %+v", *v4)
	}
	if lte.Detect.IPv6 == nil || lte.Detect.IPv6.On() {
		t.Errorf("lte ipv6 = %+v, want the top-level's (off)", lte.Detect.IPv6)
	}

	wantFiber := Canary{Name: "fiber.home.example.com", Path: "/", Scheme: "https", ExpectStatus: []int{200}, Timeout: Duration(30 * time.Second),
		Origin: &OriginCheck{Port: 443, TLS: true}, FailAfter: 2, RecoverAfter: 3}
	if !reflect.DeepEqual(fiber.Canary, wantFiber) {
		t.Errorf("fiber canary = %+v %+v\nwant           %+v %+v", fiber.Canary, fiber.Canary.Origin, wantFiber, wantFiber.Origin)
	}
	if lc := lte.Canary; lc.Path != "/healthz" || lc.FailAfter != 3 || lc.RecoverAfter != 3 {
		t.Errorf("lte canary = %+v", lc)
	}

	for i, r := range c.Records {
		if r.UplinkMode != "failover" {
			t.Errorf("records[%d].uplink_mode = %q, want failover", i, r.UplinkMode)
		}
		if got := c.UplinkNames(r); !slices.Equal(got, []string{"fiber", "lte"}) {
			t.Errorf("UplinkNames(records[%d]) = %v", i, got)
		}
	}
	only := Record{Name: "x.example.com", Uplinks: []string{"lte"}}
	got := c.UplinkNames(only)
	got[0] = "changed"
	if !slices.Equal(c.UplinkNames(only), []string{"lte"}) {
		t.Errorf("UplinkNames of a record's own list = %v, or shares it", c.UplinkNames(only))
	}
}

func TestUplinkFamilyDefaults(t *testing.T) {
	c, err := Parse([]byte(`detect:
  ipv4: {sources: [cloudflare-trace, cloudflare-doh, 'url:https://ip.example.net'], allow_private: true}
  ipv6: {sources: ['static:2001:db8::1'], prefix_length: 56}
uplinks:
  - name: fiber
    bind: {interface: eth1}
    detect: {ipv4: {enabled: true}, ipv6: {sources: ['static:2001:db8:1::1', 'static:2001:db8:1::2', 'static:2001:db8:1::3']}}
    canary: {name: fiber.example.com, origin: {tls: false}}
  - name: lte
    bind: {interface: wwan0}
    canary: {name: lte.example.com}
records: [{name: a.example.com}]
`))
	if err != nil {
		t.Fatal(err)
	}
	fiber, lte := c.Uplinks[0], c.Uplinks[1]
	// Sources left out: the top-level's sources and quorum.
	if v4 := *fiber.Detect.IPv4; !v4.On() || !slices.Equal(v4.Sources, c.Detect.IPv4.Sources) || v4.Quorum != 2 || v4.AllowPrivate {
		t.Errorf("fiber ipv4 = %+v", v4)
	}
	// Sources given: its own majority quorum; the top-level's prefix length.
	if v6 := *fiber.Detect.IPv6; !v6.On() || len(v6.Sources) != 3 || v6.Quorum != 2 || v6.PrefixLength != 56 {
		t.Errorf("fiber ipv6 = %+v", v6)
	}
	if v4 := *lte.Detect.IPv4; !v4.AllowPrivate || v4.Quorum != 2 || lte.Detect.IPv6.PrefixLength != 56 {
		t.Errorf("lte = %+v %+v", v4, *lte.Detect.IPv6)
	}
	if o := fiber.Canary.Origin; o.Port != 80 || o.TLS {
		t.Errorf("plain origin = %+v, want port 80", *o)
	}

	// An IPv6 family turned on where the top-level's is off: the default
	// sources, a majority quorum and a /64.
	c, err = Parse([]byte("uplinks: [{name: fiber, bind: {interface: eth1}, canary: {name: fiber.example.com}, detect: {ipv6: {enabled: true}}}]\n" +
		"records: [{name: a.example.com}]"))
	if err != nil {
		t.Fatal(err)
	}
	if v6 := *c.Uplinks[0].Detect.IPv6; !v6.On() || !slices.Equal(v6.Sources, DefaultSources) || v6.Quorum != 2 || v6.PrefixLength != 64 {
		t.Errorf("ipv6 turned on = %+v", v6)
	}
	if c.Detect.IPv6.On() || c.Detect.IPv6.PrefixLength != 0 {
		t.Errorf("the top-level ipv6 changed: %+v", c.Detect.IPv6)
	}
}

// A config without uplinks parses as it did before uplinks existed.
func TestNoUplinksChangeNothing(t *testing.T) {
	for _, src := range []string{minimal, minimal + "uplinks: []\n"} {
		c, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if c.UplinkNames(c.Records[0]) != nil || c.Records[0].UplinkMode != "" || len(c.Uplinks) != 0 {
			t.Errorf("%q: uplink defaults applied: %+v", src, c.Records[0])
		}
		out, err := c.YAML()
		if err != nil || strings.Contains(string(out), "uplink") {
			t.Errorf("%q: effective config mentions uplinks (%v):\n%s", src, err, out)
		}
	}
	c, err := Load("../../../deploy/flarewarden.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := c.YAML(); strings.Contains(string(out), "uplink") {
		t.Errorf("example config's effective config mentions uplinks:\n%s", out)
	}
}

func TestEffectiveConfigRedactsUplinkSources(t *testing.T) {
	const secret = "url:https://me:srcpw@ip.example.net/v4/pathsecret?k=srcquery"
	c, err := Parse([]byte(strings.Replace(uplinksExample, "url:https://127.0.0.1:9/ip", secret, 1)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"srcpw", "pathsecret", "srcquery"} {
		if strings.Contains(string(out), s) {
			t.Errorf("effective config shows %q:\n%s", s, out)
		}
	}
	if !strings.Contains(string(out), "url:https://ip.example.net/…") || c.Uplinks[1].Detect.IPv4.Sources[0] != secret {
		t.Errorf("redaction changed the config itself or lost the host:\n%s", out)
	}
	// The effective config is a config again, and a fixed point.
	again, err := Parse(out)
	if err != nil {
		t.Fatalf("effective config does not parse again: %v\n%s", err, out)
	}
	if out2, _ := again.YAML(); string(out2) != string(out) {
		t.Errorf("effective config changed on a round trip:\n%s\nthen\n%s", out, out2)
	}
}
