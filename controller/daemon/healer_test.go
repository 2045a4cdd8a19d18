package daemon

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

func result(check, host string, c controller.Class) controller.CheckResult {
	return controller.CheckResult{Check: check, Host: host, Edge: controller.Diagnosis{Class: c, Explanation: "because " + string(c)}}
}

func TestHealerDecisions(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	home := "home.example.com"
	tests := []struct {
		name      string
		in        HealInput
		trigger   bool
		takeover  []string
		eventHint string
	}{
		{name: "healthy: nothing", in: HealInput{Results: []controller.CheckResult{result("home", home, controller.ClassOK)}}},
		{name: "1016 with on-failure CNAME: take over now", trigger: true, takeover: []string{home},
			in: HealInput{Results: []controller.CheckResult{result("home", home, controller.ClassOriginDNSError)},
				CNAMEs: map[string]string{home: "myhome.duckdns.org"}, OnFailure: map[string]bool{home: true}}},
		{name: "ddns target down, takeover off: hint only", eventHint: "set takeover_cname",
			in: HealInput{Results: []controller.CheckResult{{Check: "home", Host: home, Edge: controller.Diagnosis{Class: controller.ClassOriginDNSError},
				DNS: &controller.DNSResult{Name: home, Target: "myhome.duckdns.org"}}}, CNAMEs: map[string]string{home: "myhome.duckdns.org"},
				NoTakeover: map[string]bool{home: true}}},
		{name: "only this host's resolver fails, the edge serves: no takeover",
			in: HealInput{Results: []controller.CheckResult{{Check: "home", Host: home, Edge: controller.Diagnosis{Class: controller.ClassOK},
				DNS: &controller.DNSResult{Name: home, Target: "myhome.duckdns.org", Err: "timed out"}}},
				CNAMEs: map[string]string{home: "myhome.duckdns.org"}, OnFailure: map[string]bool{home: true}}},
		{name: "1016 on an A record: reconcile", trigger: true,
			in: HealInput{Results: []controller.CheckResult{result("home", home, controller.ClassOriginDNSError)}}},
		{name: "not cloudflare: reconcile", trigger: true,
			in: HealInput{Results: []controller.CheckResult{result("home", home, controller.ClassNotCloudflare)}}},
		{name: "challenged, rule missing: ensure it", trigger: true,
			in: HealInput{Results: []controller.CheckResult{result("home", home, controller.ClassChallenged)}, Covered: only("home.example.com")}},
		{name: "challenged, rule reported in place by an older pass: ensure it", trigger: true,
			in: HealInput{Results: []controller.CheckResult{result("home", home, controller.ClassChallenged)}, Covered: only("home.example.com"), Exempted: only("home.example.com")}},
		{name: "challenged, no skip rule for self", eventHint: "add self",
			in: HealInput{Results: []controller.CheckResult{result("home", home, controller.ClassChallenged)}}},
		{name: "origin down: alert, and a pass checks the record's address", trigger: true,
			in: HealInput{Results: []controller.CheckResult{result("home", home, controller.ClassOriginUnreachable)}}},
		{name: "origin error (it answered): alert, no pass",
			in: HealInput{Results: []controller.CheckResult{result("home", home, controller.ClassOriginError)}}},
		{name: "edge unreachable and target unresolved from here: this host's outage, no takeover", trigger: true,
			in: HealInput{Results: []controller.CheckResult{{Check: "home", Host: home, Edge: controller.Diagnosis{Class: controller.ClassNotCloudflare},
				DNS: &controller.DNSResult{Name: home, Target: "myhome.duckdns.org", Err: "timed out"}}},
				CNAMEs: map[string]string{home: "myhome.duckdns.org"}, OnFailure: map[string]bool{home: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &Healer{}
			tt.in.Now = t0
			d := h.Decide(tt.in)
			if d.TriggerPass != tt.trigger || !slices.Equal(d.Takeover, tt.takeover) {
				t.Fatalf("decision = %+v, want trigger %v takeover %v", d, tt.trigger, tt.takeover)
			}
			if tt.eventHint != "" && (len(d.Events) != 1 || !strings.Contains(d.Events[0].Hint+d.Events[0].Detail, tt.eventHint)) {
				t.Fatalf("events = %+v, want a hint with %q", d.Events, tt.eventHint)
			}
		})
	}
}

func TestHealerReportsTransitionsOnce(t *testing.T) {
	h := &Healer{NotifyHold: time.Nanosecond}
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	round := func(i int, c controller.Class) HealDecision {
		return h.Decide(HealInput{Results: []controller.CheckResult{result("home", "home.example.com", c)}, Now: t0.Add(time.Duration(i) * time.Second)})
	}
	var events []string
	for i, c := range []controller.Class{controller.ClassOK, controller.ClassOK, controller.ClassOriginDown, controller.ClassOriginDown, controller.ClassOriginDown, controller.ClassOriginTimeout, controller.ClassOK, controller.ClassOK} {
		for _, e := range round(i, c).Events {
			events = append(events, e.Summary)
		}
	}
	want := []string{"check home: home.example.com is failing: origin_down, the origin refused Cloudflare's connection (521)",
		"check home: home.example.com is failing: origin_timeout, the origin did not answer Cloudflare in time (522/524)",
		"check home: home.example.com is healthy again (was origin_timeout)"}
	if !slices.Equal(events, want) {
		t.Fatalf("events = %q\nwant %q", events, want)
	}
}

func TestHealerRateLimitsTriggeredPasses(t *testing.T) {
	h := &Healer{TriggerGap: 30 * time.Second}
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	var triggers []int
	for s := 0; s <= 70; s += 10 {
		d := h.Decide(HealInput{Results: []controller.CheckResult{result("home", "h", controller.ClassNotCloudflare)}, Now: t0.Add(time.Duration(s) * time.Second)})
		if d.TriggerPass {
			triggers = append(triggers, s)
		}
	}
	if !slices.Equal(triggers, []int{0, 30}) {
		t.Fatalf("triggered at %v s, want at 0 and 30 (then 60 s later)", triggers)
	}
}

func TestHealerBacksOffWhileTriggeredPassesDoNotHeal(t *testing.T) {
	h := &Healer{}
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	round := func(at time.Duration, c controller.Class) bool {
		return h.Decide(HealInput{Results: []controller.CheckResult{result("home", "h", c)}, Now: t0.Add(at)}).TriggerPass
	}
	var triggers []time.Duration
	for at := time.Duration(0); at <= 3*time.Hour; at += 30 * time.Second {
		if round(at, controller.ClassNotCloudflare) {
			triggers = append(triggers, at)
		}
	}
	want := []time.Duration{0, 30 * time.Second, 90 * time.Second, 210 * time.Second, 450 * time.Second, 930 * time.Second,
		1890 * time.Second, 3690 * time.Second, 5490 * time.Second, 7290 * time.Second, 9090 * time.Second}
	if !slices.Equal(triggers, want) {
		t.Fatalf("triggered at %v, want %v (doubling gaps up to %v)", triggers, want, MaxTriggerGap)
	}
	next := 3*time.Hour + 30*time.Second
	if round(next, controller.ClassOK) || !round(next+30*time.Second, controller.ClassNotCloudflare) || round(next+45*time.Second, controller.ClassNotCloudflare) ||
		!round(next+60*time.Second, controller.ClassNotCloudflare) {
		t.Fatal("after a healthy round the gap did not start again from 30 s")
	}
}

func TestHealerReportsAFlappingSiteAtMostOncePerHold(t *testing.T) {
	h := &Healer{}
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	var events []controller.Event
	for i := range 120 { // an hour of rounds every 30 s, alternating 522 and ok
		c := controller.ClassOriginTimeout
		if i%2 == 1 {
			c = controller.ClassOK
		}
		events = append(events, h.Decide(HealInput{Results: []controller.CheckResult{result("home", "h", c)},
			Now: t0.Add(time.Duration(i) * 30 * time.Second)}).Events...)
	}
	if len(events) < 2 || len(events) > 13 {
		t.Fatalf("%d events in an hour of flapping, want 2 to 13 (one per %v at most)", len(events), DefaultNotifyHold)
	}
	for i, e := range events[1:] {
		if e.At.Sub(events[i].At) < DefaultNotifyHold {
			t.Fatalf("events %d and %d are %v apart", i, i+1, e.At.Sub(events[i].At))
		}
		if !strings.Contains(e.Detail, "state changes since the last report") {
			t.Fatalf("event %q does not say the site flapped: %q", e.Summary, e.Detail)
		}
	}
}

func TestHealerChallengedAfterEnsuringPointsAtBotFightMode(t *testing.T) {
	h := &Healer{TriggerGap: time.Second}
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	challenged := []controller.CheckResult{result("home", "home.example.com", controller.ClassChallenged)}
	first := h.Decide(HealInput{Results: challenged, Now: t0, Covered: only("home.example.com"), Exempted: only("home.example.com"), LastPassAt: t0.Add(-time.Minute)})
	if !first.TriggerPass {
		t.Fatalf("first challenge did not ask for a pass: %+v", first)
	}
	// The pass ran after the trigger and confirmed the rule; still challenged.
	second := h.Decide(HealInput{Results: challenged, Now: t0.Add(5 * time.Second), Covered: only("home.example.com"), Exempted: only("home.example.com"),
		LastPassAt: t0.Add(time.Second)})
	if second.TriggerPass || len(second.Events) != 1 || !strings.Contains(second.Events[0].Hint, "Bot Fight Mode") {
		t.Fatalf("second round = %+v, want no pass and one Bot Fight Mode notice", second)
	}
	third := h.Decide(HealInput{Results: challenged, Now: t0.Add(10 * time.Second), Covered: only("home.example.com"), Exempted: only("home.example.com"),
		LastPassAt: t0.Add(time.Second)})
	if third.TriggerPass || len(third.Events) != 0 {
		t.Fatalf("third round = %+v, want nothing new", third)
	}
	hint, _ := h.remedy(challenged[0], HealInput{Now: t0.Add(6 * time.Second), Covered: only("home.example.com"), Exempted: only("home.example.com"), LastPassAt: t0.Add(time.Second)})
	if hint != "" {
		t.Fatalf("remedy still heals: %q", hint)
	}
}

// only is the host set holding host alone.
func only(host string) map[string]bool { return map[string]bool{host: true} }

// A hint never reports a change the hold keeps back: the webhook would
// say "still failing" and then never hear of the recovery.
func TestHealerHintWaitsForTheHold(t *testing.T) {
	h := &Healer{}
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	round := func(min int, c controller.Class) []controller.Event {
		return h.Decide(HealInput{Results: []controller.CheckResult{result("home", "home.example.com", c)},
			Now: t0.Add(time.Duration(min) * time.Minute)}).Events // no skip rule lists self: challenged gets a hint
	}
	var got []string
	for _, r := range []struct {
		min int
		c   controller.Class
	}{{0, controller.ClassChallenged}, {6, controller.ClassOK}, {7, controller.ClassChallenged}, {8, controller.ClassOK}, {20, controller.ClassOK}} {
		for _, e := range round(r.min, r.c) {
			got = append(got, fmt.Sprintf("%d: %s", r.min, e.Summary))
		}
	}
	want := []string{"0: check home: home.example.com is failing: challenged, Cloudflare challenges the probe instead of serving the site",
		"6: check home: home.example.com is healthy again (was challenged)"}
	if !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
}

// The backoff of triggered passes is for the same failures: a new one (a
// 1016 on another site) gets a pass after the base gap, not after the
// backed-off one; a 524 (the origin answered, slowly) gets none.
func TestHealerNewFailureIsNotHeldBackByAnOldOne(t *testing.T) {
	h := &Healer{}
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	down := result("shop", "shop.example.com", controller.ClassOriginUnreachable)
	var last time.Duration
	for at := time.Duration(0); at <= time.Hour; at += 30 * time.Second {
		if h.Decide(HealInput{Results: []controller.CheckResult{down}, Now: t0.Add(at)}).TriggerPass {
			last = at
		}
	}
	dns := controller.CheckResult{Check: "home", Host: "home.example.com", Edge: controller.Diagnosis{Class: controller.ClassOriginDNSError}}
	next := h.Decide(HealInput{Results: []controller.CheckResult{down, dns}, Now: t0.Add(last + DefaultTriggerGap),
		CNAMEs: map[string]string{"home.example.com": "myhome.duckdns.org"}, OnFailure: map[string]bool{"home.example.com": true}})
	if !next.TriggerPass || !slices.Equal(next.Takeover, []string{"home.example.com"}) {
		t.Fatalf("a new 1016 %v after the last pass: %+v, want a pass taking the CNAME over", DefaultTriggerGap, next)
	}
	slow := controller.CheckResult{Check: "api", Host: "api.example.com", Edge: controller.Diagnosis{Class: controller.ClassOriginTimeout, Status: 524}}
	if d := (&Healer{}).Decide(HealInput{Results: []controller.CheckResult{slow}, Now: t0}); d.TriggerPass {
		t.Fatalf("a 524 triggered a pass: %+v", d)
	}
}

func TestTakeoverModes(t *testing.T) {
	onFailure, never := TakeoverModes([]controller.NameSpec{
		{Name: "Always.example.com", TakeoverCNAME: true},
		{Name: "Fail.Example.com.", TakeoverOnFailure: true},
		{Name: "never.example.com"},
	})
	if len(onFailure) != 1 || !onFailure["fail.example.com"] || len(never) != 1 || !never["never.example.com"] {
		t.Fatalf("onFailure %v, never %v", onFailure, never)
	}
}
