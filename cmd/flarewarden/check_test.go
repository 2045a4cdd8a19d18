package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCheckDuringADDNSOutage runs `check` while the DDNS target of a
// managed CNAME resolves, then while it does not: the outage is diagnosed,
// `check` exits 1 and writes nothing. With takeover off it hints at
// takeover_cname; with on-failure it plans the takeover `run` would make,
// and never tells the user to set what is set.
func TestCheckDuringADDNSOutage(t *testing.T) {
	for _, tc := range []struct {
		takeover, healthy string
		wanted, unwanted  []string
	}{
		{takeover: "false", healthy: "site home (home.example.com): healthy",
			wanted: []string{"NOT HEALTHY", "origin_dns_error (HTTP 530)",
				"home.example.com is a CNAME to myhome.duckdns.org, which DOES NOT RESOLVE", "takeover_cname"}},
		{takeover: "on-failure", healthy: "takeover_cname is on-failure and no health check has seen the target down",
			wanted: []string{"home.example.com  CNAME  delete  myhome.duckdns.org",
				"home.example.com  A      create  -                   203.0.113.7", "2 changes planned (dry run: nothing written)"},
			unwanted: []string{"takeover_cname is off", "true or on-failure", "no changes", "warning:"}},
	} {
		t.Run(tc.takeover, func(t *testing.T) {
			h := newHealWorld(t)
			h.configure("records:\n  - {name: home.example.com, proxied: true, takeover_cname: "+tc.takeover+"}\n", "")
			if r := h.run("check"); r.code != 0 || !strings.Contains(r.stdout, tc.healthy) {
				t.Fatalf("check while healthy: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			checkDuringOutage(t, h, tc.wanted, tc.unwanted)
		})
	}
}

// checkDuringOutage kills the DDNS target, runs `check` and asserts that
// its output has every wanted text and no unwanted one, that it exits 1
// and that it wrote nothing.
func checkDuringOutage(t *testing.T, h *healWorld, wanted, unwanted []string) {
	t.Helper()
	h.dns.Set("myhome.duckdns.org") // the DDNS provider is down
	r := h.run("check")
	for _, want := range wanted {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check output lacks %q", want)
		}
	}
	for _, u := range unwanted {
		if strings.Contains(r.stdout, u) {
			t.Errorf("check output says %q", u)
		}
	}
	if r.code != 1 {
		t.Errorf("check exit = %d, want 1", r.code)
	}
	if w := h.writes(); len(w) != 0 {
		t.Fatalf("check wrote to Cloudflare: %v", w)
	}
	if t.Failed() {
		t.Fatalf("output:\n%s\n%s", r.stdout, r.stderr)
	}
}

func TestCheckJSON(t *testing.T) {
	h := newHealWorld(t)
	h.configure("", "")
	h.dns.Set("myhome.duckdns.org") // CNAME target down; takeover on by default, but check is a dry run
	r := h.run("check", "--output", "json")
	var rep struct {
		Healthy bool `json:"healthy"`
		Checks  []struct {
			Edge struct{ Class string }   `json:"edge"`
			DNS  *struct{ Resolved bool } `json:"dns"`
		} `json:"checks"`
		Pass struct {
			Plan struct{ Changes []any } `json:"plan"`
		} `json:"pass"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("check -o json: %v\n%s", err, r.stdout)
	}
	if r.code != 1 || rep.Healthy || len(rep.Checks) != 1 || rep.Checks[0].Edge.Class != "origin_dns_error" ||
		rep.Checks[0].DNS == nil || rep.Checks[0].DNS.Resolved {
		t.Fatalf("exit %d, report %+v", r.code, rep)
	}
	if len(rep.Pass.Plan.Changes) == 0 {
		t.Fatal("the dry-run plan does not show the takeover")
	}
	if w := h.writes(); len(w) != 0 {
		t.Fatalf("check wrote to Cloudflare: %v", w)
	}
}

func TestCheckWithoutHealthChecksIsAnError(t *testing.T) {
	w := newWorld(t)
	r := w.run("check")
	if r.code != 1 || !strings.Contains(r.stderr, "no health checks configured") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

func TestOutputFlagRefusesUnknownFormats(t *testing.T) {
	w := newWorld(t)
	w.writeConfig("", "")
	for _, cmd := range []string{"reconcile", "check", "detect"} {
		r := w.run(cmd, "-o", "yaml")
		if r.code != 1 || !strings.Contains(r.stderr, `"yaml" is not one of table, json`) || r.stdout != "" {
			t.Errorf("%s -o yaml: exit %d, stdout %q, stderr %q", cmd, r.code, r.stdout, r.stderr)
		}
	}
	if len(w.writes()) != 0 {
		t.Fatalf("wrote %v", w.writes())
	}
}
