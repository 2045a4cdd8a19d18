package sim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// edgeServer is a simulator with zone example.com holding www (A), home
// (CNAME), lost (a CNAME to a name of the zone that has no record) and
// txt (TXT only), and zone other.org without records.
func edgeServer(t *testing.T) *Server {
	t.Helper()
	s := New()
	s.AddZone(testZone)
	s.AddZone("other.org")
	for _, r := range []Record{
		{Name: "www", Type: "A", Content: "198.51.100.20"},
		{Name: "home", Type: "CNAME", Content: "myhome.duckdns.org", Proxied: true},
		{Name: "lost", Type: "CNAME", Content: "gone.example.com", Proxied: true},
		{Name: "txt", Type: "TXT", Content: "x"},
	} {
		if _, err := s.AddRecord(testZone, r); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func skipRule(expr string, params string) Rule {
	return Rule{Action: "skip", Expression: expr, ActionParameters: raw(params), Enabled: true}
}

func TestEdgeDecision(t *testing.T) {
	const script = "203.0.113.7"
	scripts := "(ip.src in {203.0.113.7 198.51.100.0/24 2001:db8::/64})"
	skipLevel := skipRule(scripts, `{"ruleset":"current","products":["securityLevel"]}`)
	disabled := skipLevel
	disabled.Enabled = false
	tests := []struct {
		name   string
		level  string
		rules  []Rule
		host   string
		client string
		status int
		reason string
	}{
		{"unknown host", "", nil, "nope.net", script, 409, "error 1001"},
		{"zone without records", "", nil, "www.other.org", script, 409, "error 1001"},
		{"name with only a TXT", "", nil, "txt.example.com", script, 409, "error 1001"},
		{"apex without records", "", nil, "example.com", script, 409, "error 1001"},
		{"proxied A", "", nil, "www.example.com", script, 200, "origin"},
		{"CNAME, host spelt loosely", "", nil, "HOME.Example.com.:443", script, 200, "origin"},
		{"under attack", "under_attack", nil, "www.example.com", script, 403, "security level under_attack"},
		{"under attack, skip rule", "under_attack", []Rule{skipLevel}, "www.example.com", script, 200, "origin"},
		{"under attack, skip rule, CIDR member", "under_attack", []Rule{skipLevel}, "www.example.com", "198.51.100.77", 200, "origin"},
		{"under attack, skip rule, IPv6 member", "under_attack", []Rule{skipLevel}, "www.example.com", "2001:db8::99", 200, "origin"},
		{"under attack, skip rule, other client", "under_attack", []Rule{skipLevel}, "www.example.com", "192.0.2.1", 403, "security level under_attack"},
		{"under attack, disabled skip rule", "under_attack", []Rule{disabled}, "www.example.com", script, 403, "security level under_attack"},
		{"under attack, skip of other products", "under_attack", []Rule{skipRule(scripts, `{"products":["waf","bic"]}`)}, "www.example.com", script, 403, "security level under_attack"},
		{"under attack, skip by eq", "under_attack", []Rule{skipRule("ip.src eq 203.0.113.7", `{"products":["securityLevel"]}`)}, "www.example.com", script, 200, "origin"},
		{"under attack, skip with a foreign expression", "under_attack",
			[]Rule{skipRule(`(http.host eq "www.example.com")`, `{"products":["securityLevel"]}`)}, "www.example.com", script, 403, "security level under_attack"},
		{"block before the skip", "under_attack", []Rule{{Action: "block", Expression: "ip.src eq 203.0.113.7", Enabled: true}, skipLevel},
			"www.example.com", script, 403, "block: custom rule"},
		{"block of another client before the skip", "under_attack", []Rule{{Action: "block", Expression: "ip.src eq 192.0.2.1", Enabled: true}, skipLevel},
			"www.example.com", script, 200, "origin"},
		{"skip of the ruleset before a block", "", []Rule{skipLevel, {Action: "block", Expression: scripts, Enabled: true}},
			"www.example.com", script, 200, "origin"},
		{"skip of the phase before a block", "", []Rule{skipRule(scripts, `{"phase":"current"}`), {Action: "block", Expression: scripts, Enabled: true}},
			"www.example.com", script, 200, "origin"},
		{"skip of products only before a block", "", []Rule{skipRule(scripts, `{"products":["securityLevel"]}`), {Action: "block", Expression: scripts, Enabled: true}},
			"www.example.com", script, 403, "block: custom rule"},
		{"managed challenge rule", "medium", []Rule{{Action: "managed_challenge", Expression: scripts, Enabled: true}},
			"www.example.com", script, 403, "challenge: custom rule"},
		{"log rule", "medium", []Rule{{Action: "log", Expression: scripts, Enabled: true}}, "www.example.com", script, 200, "origin"},
		{"broken chain", "", nil, "lost.example.com", script, 530, "error 1016"},
		{"broken chain, under attack: the challenge comes first", "under_attack", nil, "lost.example.com", script, 403, "security level under_attack"},
		{"broken chain, block rule first", "", []Rule{{Action: "block", Expression: scripts, Enabled: true}}, "lost.example.com", script, 403, "block: custom rule"},
		{"broken chain, under attack, skip rule", "under_attack", []Rule{skipLevel}, "lost.example.com", script, 530, "error 1016"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := edgeServer(t)
			if tt.level != "" {
				if err := s.SetSecurityLevel(testZone, tt.level); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range tt.rules {
				if _, err := s.AddRule(testZone, r); err != nil {
					t.Fatal(err)
				}
			}
			status, reason := s.EdgeDecision(tt.host, netip.MustParseAddr(tt.client))
			if status != tt.status || !strings.Contains(reason, tt.reason) {
				t.Errorf("EdgeDecision = %d %q, want %d with %q", status, reason, tt.status, tt.reason)
			}
		})
	}
}

func TestEdgeHandler(t *testing.T) {
	s := edgeServer(t)
	srv := httptest.NewServer(s.Edge())
	defer srv.Close()
	get := func(host, client string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		if client != "" {
			req.Header.Set(edgeClientHeader, client)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(body)
	}
	check := func(resp *http.Response, body string, status int, wantBody string, challenge bool) {
		t.Helper()
		if resp.StatusCode != status || !strings.Contains(body, wantBody) {
			t.Errorf("answer %d %q, want %d with %q", resp.StatusCode, body, status, wantBody)
		}
		if resp.Header.Get("Server") != "cloudflare" || resp.Header.Get("Cf-Ray") == "" {
			t.Errorf("headers = %v", resp.Header)
		}
		if got := resp.Header.Get("Cf-Mitigated") == "challenge"; got != challenge {
			t.Errorf("cf-mitigated = %q, want challenge: %v", resp.Header.Get("Cf-Mitigated"), challenge)
		}
	}
	resp, body := get("www.example.com", "203.0.113.7")
	check(resp, body, 200, "ok from origin", false)
	resp, body = get("missing.example.com", "203.0.113.7")
	check(resp, body, 409, "error code: 1001", false)
	if err := s.SetSecurityLevel(testZone, "under_attack"); err != nil {
		t.Fatal(err)
	}
	resp, body = get("www.example.com", "") // the peer, 127.0.0.1
	check(resp, body, 403, "<html", true)
	if _, err := s.AddRule(testZone, skipRule("(ip.src in {127.0.0.0/8})", `{"products":["securityLevel"]}`)); err != nil {
		t.Fatal(err)
	}
	resp, body = get("www.example.com", "")
	check(resp, body, 200, "ok from origin", false)
	resp, body = get("www.example.com", "192.0.2.1")
	check(resp, body, 403, "Just a moment", true)
	if _, err := s.AddRule(testZone, Rule{Action: "block", Expression: "ip.src eq 192.0.2.1", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	resp, body = get("www.example.com", "::ffff:192.0.2.1")
	check(resp, body, 403, "error code: 1020", false)
	resp, body = get("www.example.com", "not-an-ip")
	check(resp, body, 400, "X-Sim-Client-IP", false)
	if len(s.Requests()) != 0 {
		t.Error("edge requests were logged as API calls")
	}
}

func TestIPExpression(t *testing.T) {
	tests := map[string]string{ // expression: prefixes, "-" = not understood
		"(ip.src in {203.0.113.7 2001:db8::/64})":          "203.0.113.7/32 2001:db8::/64",
		"ip.src in {203.0.113.7}":                          "203.0.113.7/32",
		"(( ip.src in { 192.0.2.1/24 } ))":                 "192.0.2.0/24",
		"ip.src eq 203.0.113.7":                            "203.0.113.7/32",
		"(ip.src == 2001:db8::1)":                          "2001:db8::1/128",
		"ip.src\tin {192.0.2.1}":                           "192.0.2.1/32",
		"ip.src in {}":                                     "-",
		"ip.src in {x}":                                    "-",
		"ip.src in {192.0.2.1":                             "-",
		"ip.src in $scripts":                               "-",
		"ip.src ne 192.0.2.1":                              "-",
		"ip.src eq 192.0.2.0/24":                           "-",
		"ip.src eq 192.0.2.1 192.0.2.2":                    "-",
		"not ip.src in {192.0.2.1}":                        "-",
		"(ip.src in {192.0.2.1}) and (http.host eq \"a\")": "-",
		"ip.src.country in {\"DE\"}":                       "-",
		"ip.srcx eq 192.0.2.1":                             "-",
		"ip.src":                                           "-",
		"":                                                 "-",
	}
	for expr, want := range tests {
		prefixes, ok := ipExpression(expr)
		got := "-"
		if ok {
			var parts []string
			for _, p := range prefixes {
				parts = append(parts, p.String())
			}
			got = strings.Join(parts, " ")
		}
		if got != want {
			t.Errorf("ipExpression(%q) = %q, want %q", expr, got, want)
		}
	}
}
