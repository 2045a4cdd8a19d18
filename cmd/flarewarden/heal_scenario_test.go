package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
	"github.com/flarewarden/flarewarden/providers/nettest"
	"github.com/flarewarden/flarewarden/providers/sources/dnstest"
)

// healWorld is a world with a simulated edge, an origin, a DNS server for
// the DDNS target and a webhook that collects notifications.
type healWorld struct {
	*world
	dns       *dnstest.Server
	origin    *httptest.Server
	edge      *httptest.Server
	edgeHits  atomic.Int64
	hook      *webhook
	originIPs []string
}

func newHealWorld(t *testing.T) *healWorld {
	t.Helper()
	h := &healWorld{dns: dnstest.New(t), originIPs: []string{"203.0.113.7", "203.0.113.8"}}
	h.origin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") }))
	origins := map[string]string{}
	for _, ip := range h.originIPs {
		origins[ip] = h.origin.Listener.Addr().String()
	}
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, h.dns.Addr)
	}}
	h.world = newWorld(t, sim.WithOrigins(origins), sim.WithOriginTimeout(time.Second),
		sim.WithResolver(func(ctx context.Context, host string) ([]netip.Addr, error) {
			return resolver.LookupNetIP(ctx, "ip", host)
		}))
	h.dns.Set("myhome.duckdns.org", "203.0.113.7")
	edge := h.sim.Edge()
	h.edge = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.edgeHits.Add(1)
		edge.ServeHTTP(w, r)
	}))
	h.hook = newWebhook(t)
	t.Cleanup(func() { h.origin.Close(); h.edge.Close() })
	return h
}

// configure writes a daemon config: health checks every 50 ms through the
// edge as this host (self = 203.0.113.7), a webhook, and extra YAML.
func (h *healWorld) configure(records, extra string) {
	h.writeConfig(fmt.Sprintf(`["url:%s/a", "url:%s/b"]`, h.ip.URL, h.ip.URL), fmt.Sprintf(`schedule: "@every 1h"
health:
  interval: 50ms
  notify_hold: 1ms
  dns_server: %s
  checks:
    - name: home
      url: http://home.example.com/healthz
      edge_address: %s
      headers: {X-Sim-Client-IP: 203.0.113.7}
      timeout: 2s
      origin: {address: %q}
notify:
  webhooks: [{url: %q}]
  retries: 0
%s`, h.dns.Addr, h.edge.Listener.Addr(), h.origin.Listener.Addr().String(), h.hook.URL, extra))
	if records != "" {
		cfg := strings.Replace(readFile(h.t, h.config), "records:\n  - {name: home.example.com, proxied: true}\n  - {name: vpn.example.com}\n", records, 1)
		writeFile(h.t, h.config, cfg)
	}
}

// healthEvents returns the summaries of the webhook's health events.
func (h *healWorld) healthEvents() []string { return h.hook.of("health", false) }

// waitFor polls cond for up to 20 s.
func (h *healWorld) waitFor(what string, cond func() bool, stop func() result) {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r := stop()
			h.t.Fatalf("timed out waiting for %s\nwebhook events: %q\n%s", what, h.healthEvents(), r.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rounds waits until the edge has served n more probes.
func (h *healWorld) rounds(n int64, stop func() result) {
	h.t.Helper()
	target := h.edgeHits.Load() + n
	h.waitFor(fmt.Sprintf("%d health rounds", n), func() bool { return h.edgeHits.Load() >= target }, stop)
}

func TestHealDDNSOutageIsTakenOverOnFailure(t *testing.T) {
	h := newHealWorld(t)
	h.configure("records:\n  - {name: home.example.com, proxied: true, takeover_cname: on-failure}\n", "")
	stop := h.startDaemon()
	h.rounds(3, stop)
	if h.record("home.example.com", "CNAME") != "myhome.duckdns.org" || len(h.healthEvents()) != 0 {
		t.Fatalf("while the DDNS works the CNAME must stay and nothing be reported: events %q", h.healthEvents())
	}
	h.dns.Set("myhome.duckdns.org") // the DDNS provider is down
	h.waitFor("the takeover", func() bool { return h.record("home.example.com", "A") == "203.0.113.7" }, stop)
	h.waitFor("the healed notification", func() bool { return len(h.healthEvents()) >= 2 }, stop)
	h.rounds(3, stop)
	r := stop()
	events := h.healthEvents()
	if len(events) != 2 || !strings.Contains(events[0], "is failing: ddns_target_down") || !strings.Contains(events[1], "healthy again") {
		t.Fatalf("events = %q, want one failure and one recovery\n%s", events, r.stderr)
	}
	if h.record("home.example.com", "CNAME") != "" {
		t.Fatal("the CNAME is still there")
	}
}

func TestHealOriginDownNotifiesOnceAndWritesNoDNS(t *testing.T) {
	h := newHealWorld(t)
	h.configure("", "")
	stop := h.startDaemon()
	h.waitFor("the first pass", func() bool { return h.record("home.example.com", "A") == "203.0.113.7" }, stop)
	h.rounds(3, stop)
	h.sim.ResetLog()
	dead := nettest.ClosedPort(t)
	for _, ip := range h.originIPs {
		h.sim.SetOrigin(ip, dead)
	}
	h.waitFor("the failure notification", func() bool { return len(h.healthEvents()) == 1 }, stop)
	h.rounds(5, stop)
	if ev := h.healthEvents(); len(ev) != 1 || !strings.Contains(ev[0], "origin_down") {
		t.Fatalf("events during the outage = %q, want exactly one origin_down", ev)
	}
	for _, ip := range h.originIPs {
		h.sim.SetOrigin(ip, h.origin.Listener.Addr().String())
	}
	h.waitFor("the recovery notification", func() bool { return len(h.healthEvents()) == 2 }, stop)
	h.rounds(3, stop)
	r := stop()
	if ev := h.healthEvents(); len(ev) != 2 || !strings.Contains(ev[1], "healthy again") {
		t.Fatalf("events = %q\n%s", ev, r.stderr)
	}
	if w := h.writes(); len(w) != 0 {
		t.Fatalf("an origin outage led to writes: %v", w)
	}
}

func TestHealChallengedScriptEnsuresSkipRule(t *testing.T) {
	h := newHealWorld(t)
	h.underAttack()
	h.configure("", "waf:\n  skip_rules:\n    - {name: scripts, sources: [self]}\n")
	stop := h.startDaemon()
	h.waitFor("the skip rule", func() bool { _, ok := h.skipRule(); return ok }, stop)
	h.rounds(3, stop)
	id, _ := h.skipRule()
	if err := h.sim.DeleteRule("example.com", id); err != nil { // someone cleans up rules
		t.Fatal(err)
	}
	h.waitFor("the skip rule to be ensured again", func() bool { _, ok := h.skipRule(); return ok }, stop)
	h.waitFor("the recovery", func() bool {
		ev := h.healthEvents()
		return len(ev) == 2 && strings.Contains(ev[1], "healthy again")
	}, stop)
	r := stop()
	if ev := h.healthEvents(); !strings.Contains(ev[0], "challenged") {
		t.Fatalf("events = %q\n%s", ev, r.stderr)
	}
}

func TestDaemonDetectionMakesNoAPICallsWhenNothingChanged(t *testing.T) {
	h := newHealWorld(t)
	h.detectInterval = "20ms"
	h.writeConfig(fmt.Sprintf(`["url:%s/a", "url:%s/b"]`, h.ip.URL, h.ip.URL), "schedule: \"@every 1h\"\n")
	stop := h.startDaemon()
	h.waitFor("the first pass", func() bool { return h.record("home.example.com", "A") == "203.0.113.7" }, stop)
	time.Sleep(50 * time.Millisecond)
	h.sim.ResetLog()
	target := h.ipHits.Load() + 20 // ten detections of two sources
	h.waitFor("ten detections", func() bool { return h.ipHits.Load() >= target }, stop)
	if reqs := h.sim.Requests(); len(reqs) != 0 {
		stop()
		t.Fatalf("detection without change made %d API calls: %+v", len(reqs), reqs)
	}
	h.publicIP.Store("203.0.113.8")
	h.waitFor("the pass triggered by the new address", func() bool { return h.record("home.example.com", "A") == "203.0.113.8" }, stop)
	stop()
}

// skipRule returns the id of flarewarden's skip rule, if present.
func (h *healWorld) skipRule() (string, bool) {
	rs, _ := h.sim.Ruleset("example.com", "http_request_firewall_custom")
	for _, r := range rs.Rules {
		if r.Ref == "flarewarden_scripts" {
			return r.ID, true
		}
	}
	return "", false
}

// TestHealTransitionReportedOnceAcrossReload: a reload restarts the daemon
// but keeps the healer, so a site still failing is not reported again.
func TestHealTransitionReportedOnceAcrossReload(t *testing.T) {
	h := newHealWorld(t)
	h.configure("", "")
	reload := make(chan struct{})
	d := h.startRun(&cli{reload: reload, configPoll: time.Hour})
	stop := func() result { d.stop(); return result{stderr: d.stderr.String()} }
	h.waitFor("the first pass", func() bool { return h.record("home.example.com", "A") == "203.0.113.7" }, stop)
	dead := nettest.ClosedPort(t)
	for _, ip := range h.originIPs {
		h.sim.SetOrigin(ip, dead)
	}
	h.waitFor("the failure notification", func() bool { return len(h.healthEvents()) == 1 }, stop)
	reload <- struct{}{}
	h.waitFor("the restart", func() bool { return strings.Contains(d.stderr.String(), "daemon restarting") }, stop)
	h.rounds(5, stop)
	if ev := h.healthEvents(); len(ev) != 1 {
		t.Fatalf("events after the reload = %q, want the one failure only", ev)
	}
	for _, ip := range h.originIPs {
		h.sim.SetOrigin(ip, h.origin.Listener.Addr().String())
	}
	h.waitFor("the recovery notification", func() bool { return len(h.healthEvents()) == 2 }, stop)
	stop()
}
