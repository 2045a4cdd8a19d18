package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

func TestDemo(t *testing.T) {
	w := newWorld(t)
	r := w.run("demo")
	if r.code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"takeover of CNAME myhome.duckdns.org", "stale address", "proxied drift",
		"no changes", "203.0.113.8", "Zone example.com at the end",
		"before the pass: HTTP 403 (cf-mitigated: challenge)", "after the pass: HTTP 200",
		"198.51.100.50: exempted by flarewarden_scripts", "skip-rule",
		"uplink fiber is down: its canary fiber.example.com answers 521 through the edge, 1 round",
		"moved from fiber 203.0.113.8 to lte 198.51.100.77: fiber is down (its canary fiber.example.com answers 521 through the edge, 1 round)",
		"moved from lte 198.51.100.77 to fiber 203.0.113.8: fiber is up and preferred",
		"2001:db8:1234:5600:aa:bbcc:ddee:ff01", "2001:db8:abcd:ef00:aa:bbcc:ddee:ff01"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestReconcileDryRunWritesNothing(t *testing.T) {
	w := newWorld(t)
	r := w.run("reconcile", "--dry-run", "--detailed-exitcode")
	if r.code != exitChanges {
		t.Fatalf("exit %d, want 2\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if len(w.writes()) != 0 {
		t.Fatalf("dry run wrote: %v", w.writes())
	}
	for _, want := range []string{"ZONE", "home.example.com", "CNAME", "delete", "myhome.duckdns.org", "create",
		"vpn.example.com", "dry run: nothing written"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	if w.record("home.example.com", "CNAME") != "myhome.duckdns.org" {
		t.Error("the CNAME changed during a dry run")
	}
}

func TestReconcileTakesOverThenIsIdempotent(t *testing.T) {
	w := newWorld(t)
	if r := w.run("reconcile", "--detailed-exitcode"); r.code != exitChanges {
		t.Fatalf("first pass exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if got := w.writes(); len(got) != 1 || !strings.HasSuffix(got[0], "/dns_records/batch") {
		t.Fatalf("first pass writes = %v, want one batch", got)
	}
	if w.record("home.example.com", "A") != "203.0.113.7" || w.record("home.example.com", "CNAME") != "" ||
		w.record("vpn.example.com", "A") != "203.0.113.7" || w.record("www.example.com", "A") != "198.51.100.20" {
		t.Fatalf("records after takeover: %+v", w.sim.Records("example.com"))
	}
	w.sim.ResetLog()
	r := w.run("reconcile", "--detailed-exitcode")
	if r.code != exitOK {
		t.Fatalf("second pass exit %d\n%s", r.code, r.stdout)
	}
	for _, req := range w.sim.Requests() {
		if req.Method != "GET" {
			t.Errorf("second pass made a %s %s", req.Method, req.Path)
		}
	}
}

func TestReconcileJSONOutput(t *testing.T) {
	w := newWorld(t)
	r := w.run("reconcile", "--dry-run", "-o", "json")
	for _, want := range []string{`"action": "delete"`, `"type": "CNAME"`, `"dry_run": true`, `"state": "known"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("json lacks %s:\n%s", want, r.stdout)
		}
	}
}

func TestReconcileRetries429ThenSucceeds(t *testing.T) {
	w := newWorld(t)
	w.sim.Inject(sim.Fault{Method: "GET", Path: `/dns_records$`, Count: 1, Status: 429, RetryAfter: 1})
	r := w.run("reconcile")
	if r.code != 0 || w.record("home.example.com", "A") != "203.0.113.7" {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "cloudflare request retry") {
		t.Errorf("the retry was not logged:\n%s", r.stderr)
	}
}

func TestReconcileRetries500sThenSucceeds(t *testing.T) {
	w := newWorld(t)
	w.sim.Inject(sim.Fault{Method: "GET", Path: `/dns_records$`, Count: 2, Status: 500})
	if r := w.run("reconcile"); r.code != 0 || w.record("home.example.com", "A") != "203.0.113.7" {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestFailedBatchAppliesNothingAndNextPassConverges(t *testing.T) {
	w := newWorld(t)
	before := w.sim.Records("example.com")
	w.sim.Inject(sim.Fault{Method: "POST", Path: `/dns_records/batch$`, Count: 1, Status: 502})
	r := w.run("reconcile")
	if r.code != exitError || !strings.Contains(r.stderr, "zone example.com") {
		t.Fatalf("exit %d, want 1 naming the zone\n%s", r.code, r.stderr)
	}
	if after := w.sim.Records("example.com"); len(after) != len(before) || w.record("home.example.com", "CNAME") == "" {
		t.Fatalf("a failed batch changed records: %+v", after)
	}
	if r := w.run("reconcile"); r.code != 0 || w.record("home.example.com", "A") != "203.0.113.7" {
		t.Fatalf("next pass did not converge: exit %d\n%s", r.code, r.stderr)
	}
}

func TestInvalidTokenFailsBeforeAnyWrite(t *testing.T) {
	for _, command := range []string{"reconcile", "run"} {
		t.Run(command, func(t *testing.T) {
			w := newWorld(t)
			const bad = "not-a-valid-token-93jd8"
			r := w.cli(context.Background(), bad, command)
			if r.code != exitError || !strings.Contains(r.stderr, "token rejected") {
				t.Fatalf("exit %d, want 1 with a token error\n%s", r.code, r.stderr)
			}
			if len(w.writes()) != 0 {
				t.Fatalf("writes with an invalid token: %v", w.writes())
			}
		})
	}
}

func TestHTMLDetectionSourceKeepsRecords(t *testing.T) {
	w := newWorld(t)
	w.writeConfig(`["url:`+w.ip.URL+`/a", "url:`+w.ip.URL+`/b?html"]`, "")
	r := w.run("reconcile")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "unknown") || !strings.Contains(r.stdout, "HTML") {
		t.Errorf("output does not explain the unknown address:\n%s", r.stdout)
	}
	if len(w.writes()) != 0 || w.record("home.example.com", "CNAME") != "myhome.duckdns.org" {
		t.Fatalf("records changed although detection failed: %v", w.writes())
	}
}

func TestRunConvergesAfterSoftErrorAndStopsOnCancel(t *testing.T) {
	w := newWorld(t)
	w.writeConfig(`["url:`+w.ip.URL+`/a", "url:`+w.ip.URL+`/b"]`, `schedule: "@every 1h"`)
	w.sim.Inject(sim.Fault{Method: "POST", Path: `/dns_records/batch$`, Count: 1, Status: 503})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result)
	go func() { done <- w.cli(ctx, testToken, "run") }()
	deadline := time.Now().Add(20 * time.Second)
	for w.record("home.example.com", "A") != "203.0.113.7" {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("daemon did not converge after a 503:\n%s", (<-done).stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	r := <-done
	if r.code != 0 || !strings.Contains(r.stderr, "daemon stopped") || !strings.Contains(r.stderr, "retrying with backoff") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

func TestDetectCommand(t *testing.T) {
	w := newWorld(t)
	r := w.run("detect")
	if r.code != 0 || !strings.Contains(r.stdout, "203.0.113.7") || !strings.Contains(r.stdout, "2 of 2 sources agree") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if len(w.sim.Requests()) != 0 {
		t.Errorf("detect called the Cloudflare API: %+v", w.sim.Requests())
	}
}

func TestConfigValidate(t *testing.T) {
	w := newWorld(t)
	r := w.run("config", "validate")
	if r.code != 0 || !strings.Contains(r.stdout, "[redacted] from CLOUDFLARE_API_TOKEN") || !strings.Contains(r.stdout, "policy: sync") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	w.writeConfig(`["carrier-pigeon"]`, "records2: []")
	r = w.run("config", "validate")
	if r.code != exitError || !strings.Contains(r.stderr, "records2: unknown key") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}
