package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
	"github.com/flarewarden/flarewarden/providers/nettest"
)

// The uplinks' public addresses, as the simulated edge knows them.
const (
	fiberIP = "198.51.100.7"
	lteIP   = "203.0.113.9"
)

// uplinkWorld is a simulated Cloudflare whose edge reaches two origins,
// one per uplink address, both on loopback; the uplinks' sources are
// static, so no traffic leaves the machine.
type uplinkWorld struct {
	*world
	edge    *httptest.Server
	origins map[string]*httptest.Server // by uplink address
	probes  sync.Map                    // host -> *atomic.Int64, edge requests per host
	hook    *webhook
	// patience bounds waitFor; 0 means 20 s.
	patience time.Duration
}

func newUplinkWorld(t testing.TB) *uplinkWorld {
	t.Helper()
	u := &uplinkWorld{origins: map[string]*httptest.Server{}}
	addrs := map[string]string{}
	for _, ip := range []string{fiberIP, lteIP} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok from", ip) }))
		u.origins[ip], addrs[ip] = srv, srv.Listener.Addr().String()
		t.Cleanup(srv.Close)
	}
	u.world = newWorld(t, sim.WithOrigins(addrs), sim.WithOriginTimeout(time.Second))
	edge := u.sim.Edge()
	u.edge = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := u.probes.LoadOrStore(r.Host, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		edge.ServeHTTP(w, r)
	}))
	u.hook = newWebhook(t)
	t.Cleanup(u.edge.Close)
	return u
}

// configure writes a config of two uplinks, fiber then lte, with canaries
// probed through the simulated edge every 50 ms, and site.example.com
// following them in mode.
func (u *uplinkWorld) configure(mode string) { u.configureEvery(mode, "50ms") }

// configureEvery is configure with health rounds every interval.
func (u *uplinkWorld) configureEvery(mode, interval string) {
	u.t.Helper()
	uplink := func(name, ip string) string {
		return fmt.Sprintf(`  - name: %s
    bind: {address: 127.0.0.1}
    detect: {ipv4: {sources: ["static:%s"], quorum: 1}}
    canary: {name: %s.example.com, scheme: http, edge_address: %q, timeout: 2s, origin: {address: %q}}
`, name, ip, name, u.edge.Listener.Addr().String(), u.origins[ip].Listener.Addr().String())
	}
	cfg := fmt.Sprintf(`cloudflare: {api_base_url: %s/client/v4, rate_limit: 1000}
detect:
  ipv4: {sources: ["static:%s"], quorum: 1}
uplinks:
%s%srecords:
  - {name: site.example.com, proxied: true, uplinks: [fiber, lte], uplink_mode: %s}
schedule: "@every 1h"
health: {interval: %s, notify_hold: 1ms}
notify:
  webhooks: [{url: %q}]
  retries: 0
retry: {base: 10ms, max: 50ms}
server: {listen: "127.0.0.1:0"}
`, u.api.URL, fiberIP, uplink("fiber", fiberIP), uplink("lte", lteIP), mode, interval, u.hook.URL)
	u.useConfig(cfg)
}

// kill makes Cloudflare's connections to an uplink's address refused
// (521); revive restores its origin.
func (u *uplinkWorld) kill(ip string)   { u.sim.SetOrigin(ip, nettest.ClosedPort(u.t)) }
func (u *uplinkWorld) revive(ip string) { u.sim.SetOrigin(ip, u.origins[ip].Listener.Addr().String()) }

// contents returns the contents of site.example.com's A records, sorted
// as the simulator lists them.
func (u *uplinkWorld) contents() []string {
	var out []string
	for _, r := range u.sim.Records("example.com") {
		if r.Name == "site.example.com" && r.Type == "A" {
			out = append(out, r.Content)
		}
	}
	return out
}

// canaryProbes is how many times the edge was asked for host.
func (u *uplinkWorld) canaryProbes(host string) int64 {
	n, ok := u.probes.Load(host)
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

// eventsOf returns "summary | detail" of the webhook's events of kind.
func (u *uplinkWorld) eventsOf(kind string) []string { return u.hook.of(kind, true) }

// watchNeverEmpty polls site.example.com's A records until the test ends
// and fails it if the name, once it has a record, ever has none.
func (u *uplinkWorld) watchNeverEmpty() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var seen, emptied bool
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			n := len(u.contents())
			seen = seen || n > 0
			emptied = emptied || (seen && n == 0)
			time.Sleep(time.Millisecond)
		}
	}()
	u.t.Cleanup(func() {
		cancel()
		<-done
		if emptied {
			u.t.Error("site.example.com had no A record at some point")
		}
	})
}

// waitFor polls cond for up to 20 s, or u.patience when set.
func (u *uplinkWorld) waitFor(what string, cond func() bool, stop func() result) {
	u.t.Helper()
	deadline := time.Now().Add(cmp.Or(u.patience, 20*time.Second))
	for !cond() {
		if time.Now().After(deadline) {
			r := stop()
			u.t.Fatalf("timed out waiting for %s; A records %v\nuplink events %q\n%s", what, u.contents(), u.eventsOf("uplink"), r.stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func holds(u *uplinkWorld, want ...string) func() bool {
	return func() bool { return strings.Join(u.contents(), ",") == strings.Join(want, ",") }
}

func TestUplinkFailoverMovesTheRecordAndBack(t *testing.T) {
	u := newUplinkWorld(t)
	u.configure("failover")
	u.watchNeverEmpty()
	stop := u.startDaemon()
	u.waitFor("site on fiber", holds(u, fiberIP), stop)
	if got := u.record("fiber.example.com", "A"); got != fiberIP {
		t.Fatalf("fiber canary = %q, want %s", got, fiberIP)
	}

	u.sim.ResetLog()
	u.kill(fiberIP)
	at := u.canaryProbes("fiber.example.com")
	u.waitFor("site on lte", holds(u, lteIP), stop)
	if w := u.writes(); len(w) != 1 || !strings.HasSuffix(w[0], "/dns_records/batch") {
		t.Errorf("the failover wrote %v, want one batch", w)
	}
	rounds := u.canaryProbes("fiber.example.com") - at
	t.Logf("fiber down: the record moved after %d health rounds", rounds)
	if rounds < 2 || rounds > 3 { // fail_after 2, plus the round in flight when the origin died
		t.Errorf("moved after %d rounds, want 2 (fail_after) or 3", rounds)
	}
	if got := u.record("fiber.example.com", "A"); got != fiberIP {
		t.Errorf("fiber canary = %q, want it kept on fiber's address while fiber is down", got)
	}

	u.revive(fiberIP)
	at = u.canaryProbes("fiber.example.com")
	u.waitFor("site back on fiber", holds(u, fiberIP), stop)
	rounds = u.canaryProbes("fiber.example.com") - at
	t.Logf("fiber up: the record moved back after %d health rounds", rounds)
	if rounds < 3 || rounds > 4 {
		t.Errorf("moved back after %d rounds, want 3 (recover_after) or 4", rounds)
	}
	u.waitFor("the move back notified", func() bool { return len(u.eventsOf("change")) >= 3 }, stop)
	stop()

	down := "uplink fiber is down: records that follow it move to the next uplink up | its canary fiber.example.com answers 521 through the edge, 2 rounds"
	up := "uplink fiber is up again: records that prefer it move back | its canary fiber.example.com answers through the edge again, 3 rounds"
	if got := u.eventsOf("uplink"); len(got) != 2 || !strings.HasPrefix(got[0], down) || got[1] != up {
		t.Errorf("uplink events = %q\nwant %q then %q", got, down, up)
	}
	moved := "site.example.com moved from fiber 198.51.100.7 to lte 203.0.113.9: fiber is down (its canary fiber.example.com answers 521 through the edge, 2 rounds"
	back := "site.example.com moved from lte 203.0.113.9 to fiber 198.51.100.7: fiber is up and preferred"
	changes := strings.Join(u.eventsOf("change"), "\n")
	if !strings.Contains(changes, moved) || !strings.Contains(changes, back) {
		t.Errorf("change events:\n%s\nwant %q and %q", changes, moved, back)
	}
}

func TestUplinksAllDownWriteNothing(t *testing.T) {
	u := newUplinkWorld(t)
	u.configure("failover")
	if r := u.run("reconcile"); r.code != 0 || !holds(u, fiberIP)() {
		t.Fatalf("first pass exit %d, records %v\n%s", r.code, u.contents(), r.stderr)
	}
	u.kill(fiberIP)
	r := u.run("reconcile", "--dry-run")
	for _, want := range []string{"uplink fiber is down: its canary fiber.example.com answers 521 through the edge, 1 round",
		"moved from fiber 198.51.100.7 to lte 203.0.113.9"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("reconcile --dry-run with fiber down does not say %q:\n%s", want, r.stdout)
		}
	}

	u.kill(lteIP)
	u.sim.ResetLog()
	r = u.run("reconcile")
	if r.code != 0 {
		t.Fatalf("reconcile with every uplink down: exit %d\n%s", r.code, r.stderr)
	}
	if w := u.writes(); len(w) != 0 {
		t.Errorf("reconcile with every uplink down wrote %v", w)
	}
	if !strings.Contains(r.stdout, "records kept: every uplink is down") {
		t.Errorf("reconcile does not say the records are kept:\n%s", r.stdout)
	}

	stop := u.startDaemon()
	u.waitFor("the last uplink down reported", func() bool {
		return strings.Contains(strings.Join(u.eventsOf("uplink"), "\n"), "every uplink is down, records stay as they are")
	}, stop)
	at := u.canaryProbes("lte.example.com")
	u.waitFor("5 more rounds", func() bool { return u.canaryProbes("lte.example.com") >= at+5 }, stop)
	stop()
	if w := u.writes(); len(w) != 0 {
		t.Errorf("run with every uplink down wrote %v", w)
	}
	if !holds(u, fiberIP)() {
		t.Errorf("records = %v, want them kept as they were", u.contents())
	}
}

func TestUplinkModeAllKeepsOneRecordPerUplinkUp(t *testing.T) {
	u := newUplinkWorld(t)
	u.configure("all")
	u.watchNeverEmpty()
	stop := u.startDaemon()
	u.waitFor("a record per uplink", holds(u, fiberIP, lteIP), stop)
	u.kill(lteIP)
	u.waitFor("lte's record removed", holds(u, fiberIP), stop)
	u.revive(lteIP)
	u.waitFor("lte's record back", holds(u, fiberIP, lteIP), stop)
	u.waitFor("the changes notified", func() bool { return len(u.eventsOf("change")) >= 3 }, stop)
	stop()
	changes := strings.Join(u.eventsOf("change"), "\n")
	if want := "site.example.com A 203.0.113.9 deleted (removed lte 203.0.113.9: lte is down (its canary lte.example.com answers 521"; !strings.Contains(changes, want) {
		t.Errorf("change events:\n%s\nwant %q", changes, want)
	}
}

func TestUplinkDownIsShownInStatusMetricsAndCheck(t *testing.T) {
	u := newUplinkWorld(t)
	u.configure("failover")
	if r := u.run("reconcile"); r.code != 0 {
		t.Fatalf("first pass exit %d\n%s", r.code, r.stderr)
	}
	u.kill(fiberIP)
	out := u.run("check")
	for _, want := range []string{"uplink fiber is down: its canary fiber.example.com answers 521 through the edge, 1 round",
		"uplink lte is up", "site.example.com follows lte: fiber is down"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("check does not say %q:\n%s", want, out.stdout)
		}
	}

	r := u.world.startRun(&cli{})
	r.waitFor("site on lte", holds(u, lteIP))
	r.waitFor("the pass that moved it reported", func() bool {
		recs, _ := r.status()["records"].([]any)
		return len(recs) > 0 && strings.Contains(fmt.Sprint(recs[0]), "follows lte")
	})
	doc := r.status()
	ups, _ := json.Marshal(doc["uplinks"])
	if !strings.Contains(string(ups), `{"reason":"its canary fiber.example.com answers 521 through the edge, `) ||
		!strings.Contains(string(ups), `"up":false,"uplink":"fiber"}`) || !strings.Contains(string(ups), `{"up":true,"uplink":"lte"}`) {
		t.Errorf("/status uplinks = %s", ups)
	}
	recs, _ := json.Marshal(doc["records"])
	if !strings.Contains(string(recs), `"name":"site.example.com"`) ||
		!strings.Contains(string(recs), `"uplinks":"follows lte: fiber is down (its canary fiber.example.com answers 521 through the edge, `) {
		t.Errorf("/status records = %s", recs)
	}
	_, metrics := r.get("/metrics")
	for _, want := range []string{`flarewarden_uplink_up{uplink="fiber"} 0`, `flarewarden_uplink_up{uplink="lte"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
