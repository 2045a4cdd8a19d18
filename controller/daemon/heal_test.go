package daemon

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/controllertest"
)

type mutDetector struct {
	mu  sync.Mutex
	det controller.Detection
}

func (m *mutDetector) Detect(context.Context) controller.Detection {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.det
}
func (m *mutDetector) set(d controller.Detection) { m.mu.Lock(); defer m.mu.Unlock(); m.det = d }

type seqProber struct{ class controller.Class }

func (p *seqProber) Probe(context.Context, controller.ProbeInput) []controller.CheckResult {
	return []controller.CheckResult{{Check: "home", Host: "home.example.com", Edge: controller.Diagnosis{Class: p.class}}}
}

// an on-failure takeover flag outlives the failure. The DDNS is down
// while IPv6 is unknown (takeover blocked), it recovers, health is OK again,
// and hours later, once IPv6 is known, a plain scheduled pass replaces the
// CNAME although nothing is failing any more.
func TestDaemonOnFailureTakeoverEndsWithTheFailure(t *testing.T) {
	z := controller.Zone{ID: "z", Name: "example.com"}
	cname := controller.Record{ID: "c1", ZoneID: "z", Name: "home.example.com", Type: controller.TypeCNAME, Content: "myhome.duckdns.org", Proxied: true, TTL: 1}
	dns := &controllertest.MemDNS{Listed: []controller.Zone{z}, Stored: map[string][]controller.Record{"z": {cname}}}
	det := &mutDetector{det: controller.Detection{V4: known("203.0.113.7"), V6: controller.FamilyResult{State: controller.StateUnknown}}}
	rec := &controller.Reconciler{Detector: det, DNS: dns, Names: []controller.NameSpec{{Field: "records[0]", Name: "home.example.com", TakeoverOnFailure: true}},
		Policy: controller.Policy{Mode: controller.ModeSync, Marker: controllertest.Marker}, Log: zap.NewNop()}
	pr := &seqProber{class: controller.ClassOriginDNSError}
	d := &Daemon{Reconciler: rec, Healer: &Healer{}, Prober: pr, Log: zap.NewNop(),
		OnFailure: map[string]bool{"home.example.com": true}, NoTakeover: map[string]bool{}}
	d.firstPass = make(chan struct{})
	ctx := context.Background()
	_ = d.pass(ctx)    // CNAME observed
	d.healthRound(ctx) // 1016: flagged for takeover
	_ = d.pass(ctx)    // takeover blocked: ipv6 unknown
	if len(dns.Applied("z")) != 0 || !d.takeoverSet()["home.example.com"] {
		t.Fatalf("setup: applied %v, flags %v", dns.Applied("z"), d.takeoverSet())
	}
	pr.class = controller.ClassOK // the DDNS provider is back
	d.healthRound(ctx)
	_ = d.pass(ctx)
	if len(dns.Applied("z")) != 0 {
		t.Fatalf("setup: applied %v", dns.Applied("z"))
	}
	if flags := d.takeoverSet(); len(flags) != 0 {
		t.Fatalf("after recovery, takeover flags = %v, want none", flags)
	}
	det.set(controller.Detection{V4: known("203.0.113.7"), V6: known("2001:db8::7")}) // later, v6 detection recovers
	_ = d.pass(ctx)
	for _, c := range dns.Applied("z") {
		if c.Action == controller.ActionDelete && c.Type == controller.TypeCNAME {
			t.Fatalf("CNAME deleted by a pass after the site had recovered: the on-failure flag set during the outage was never cleared")
		}
	}
}

// ctxNotifier delivers like an HTTP notifier: a done ctx means not sent.
type ctxNotifier struct {
	mu        sync.Mutex
	delivered []string
	started   chan struct{}
	release   chan struct{}
}

func (n *ctxNotifier) Notify(ctx context.Context, e controller.Event) error {
	if e.Kind == controller.EventPassStart {
		n.mu.Lock()
		n.delivered = append(n.delivered, string(e.Kind))
		n.mu.Unlock()
		close(n.started)
		<-n.release // a slow webhook / ping
	}
	if e.Kind == controller.EventPassStart {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.delivered = append(n.delivered, string(e.Kind))
	return nil
}

// Events still queued when the daemon is stopped are delivered with a
// context of their own (notifyDrain), not the cancelled one.
func TestDaemonDeliversQueuedNotificationsAtShutdown(t *testing.T) {
	n := &ctxNotifier{started: make(chan struct{}), release: make(chan struct{})}
	d, stop := runDaemon(n)
	<-n.started
	for d.Snapshot().LastPassAt.IsZero() {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // change + pass_ok are queued
	go func() {
		time.Sleep(50 * time.Millisecond) // after the cancel (SIGTERM)
		close(n.release)
	}()
	_ = stop()
	if got := strings.Join(n.delivered, ","); got != "pass_start,change,pass_ok" {
		t.Fatalf("delivered %q, want pass_start,change,pass_ok: queued events dropped on shutdown", got)
	}
}

// ensuredAt moves on every challenged round, even rate-limited
// ones that trigger nothing. When a pass takes longer than the health
// interval, no pass ever starts after the latest ensuredAt: the Bot Fight
// hint never comes and a useless pass is triggered every 30 s forever.
func TestHealerChallengedWithSlowPassesReachesBotFightHint(t *testing.T) {
	h := &Healer{}
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	ch := []controller.CheckResult{{Check: "home", Host: "home.example.com", Edge: controller.Diagnosis{Class: controller.ClassChallenged}}}
	lastPassStart := t0.Add(-time.Hour)
	var pendingStart, pendingEnd time.Time
	triggers := 0
	for s := 0; s <= 300; s += 10 { // health every 10 s; a pass takes 14 s
		now := t0.Add(time.Duration(s) * time.Second)
		if !pendingEnd.IsZero() && !now.Before(pendingEnd) {
			lastPassStart, pendingEnd = pendingStart, time.Time{}
		}
		dec := h.Decide(HealInput{Results: ch, Now: now, Covered: only("home.example.com"), Exempted: only("home.example.com"), LastPassAt: lastPassStart})
		for _, e := range dec.Events {
			if strings.Contains(e.Hint, "Bot Fight") {
				return
			}
		}
		if dec.TriggerPass {
			triggers++
			pendingStart, pendingEnd = now.Add(time.Second), now.Add(15*time.Second)
		}
	}
	t.Fatalf("no Bot Fight Mode hint after 5 min of challenged rounds; %d passes triggered", triggers)
}

// never is a schedule with no next activation, as robfig/cron returns for
// "0 0 30 2 *" (Feb 30): the zero time.
type never struct{}

func (never) Next(time.Time) time.Time { return time.Time{} }

// a schedule with no next time makes the wait hugely negative:
// the loop runs passes back to back with no pause (API rate limit burnt).
func TestLoopScheduleWithoutNextWaitsForTriggers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var passes int
	l := &Loop{Pass: func(context.Context) error { passes++; return nil }, Schedule: never{},
		Backoff: Backoff{Base: time.Second, Max: time.Minute}, Log: zap.NewNop()}
	_ = l.Run(ctx)
	if passes > 2 {
		t.Fatalf("%d passes in 200 ms with a schedule that never fires", passes)
	}
}
