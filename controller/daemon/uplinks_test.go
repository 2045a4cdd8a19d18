package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// canary is one round's answer of fiber's canary: "ok", "522", "521",
// "523", "524", "challenge", "timeout", or "-" for no result.
func canary(answer string) []controller.CheckResult {
	d := controller.Diagnosis{}
	switch answer {
	case "-":
		return nil
	case "ok":
		d = controller.Diagnosis{Class: controller.ClassOK, Status: 200}
	case "521":
		d = controller.Diagnosis{Class: controller.ClassOriginDown, Status: 521}
	case "522", "524":
		d = controller.Diagnosis{Class: controller.ClassOriginTimeout, Status: 522}
		if answer == "524" {
			d.Status = 524
		}
	case "523":
		d = controller.Diagnosis{Class: controller.ClassOriginUnreachable, Status: 523}
	case "502":
		d = controller.Diagnosis{Class: controller.ClassOriginError, Status: 502}
	case "challenge":
		d = controller.Diagnosis{Class: controller.ClassChallenged, Status: 403}
	case "timeout":
		d = controller.Diagnosis{Class: controller.ClassTimeout}
	case "1001":
		d = controller.Diagnosis{Class: controller.ClassUnexpected, Status: 409, Code: 1001}
	case "418":
		d = controller.Diagnosis{Class: controller.ClassUnexpected, Status: 418}
	}
	return []controller.CheckResult{{Check: "uplink_fiber", Host: "fiber.example.com", Edge: d}}
}

func TestUplinkTracker(t *testing.T) {
	tests := []struct {
		name   string
		rounds string // answers, space-separated
		want   string // "u" or "d" after each round
	}{
		{name: "healthy stays up", rounds: "ok ok ok", want: "uuu"},
		{name: "down after fail_after rounds", rounds: "ok 522 522 522", want: "uudd"},
		{name: "a single failure is not down", rounds: "ok 522 ok 522 ok", want: "uuuuu"},
		{name: "521 and 523 count", rounds: "ok 521 523", want: "uud"},
		{name: "524 means Cloudflare connected", rounds: "ok 524 524 524", want: "uuuu"},
		{name: "an origin error is carried by the uplink", rounds: "ok 502 502", want: "uuu"},
		{name: "an unexpected status of the origin is carried too", rounds: "522 418 418 418", want: "dddu"},
		{name: "an error page of the edge (no canary yet) counts for neither", rounds: "522 1001 1001 1001 1001", want: "ddddd"},
		{name: "challenges and probe timeouts count for neither", rounds: "ok 522 challenge timeout - 522", want: "uuuuud"},
		{name: "the first round judges alone", rounds: "522 ok ok ok", want: "dddu"},
		{name: "up again after recover_after rounds", rounds: "ok 522 522 ok ok ok ok", want: "uudddub"},
		{name: "a flap while recovering starts the count again", rounds: "522 ok ok 522 ok ok ok", want: "ddddddu"},
		{name: "a neutral round while recovering neither counts nor resets", rounds: "522 ok challenge ok ok", want: "dddda"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := strings.NewReplacer("b", "u", "a", "u").Replace(tt.want)
			tr := NewUplinkTracker([]UplinkCheck{{Uplink: "fiber", Check: "uplink_fiber", FailAfter: 2, RecoverAfter: 3}})
			now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
			var got strings.Builder
			for _, a := range strings.Fields(tt.rounds) {
				now = now.Add(30 * time.Second)
				tr.Observe(canary(a), now)
				if _, down := tr.Down()["fiber"]; down {
					got.WriteString("d")
				} else {
					got.WriteString("u")
				}
			}
			if got.String() != want {
				t.Errorf("states = %s, want %s", got.String(), want)
			}
		})
	}
}

func TestUplinkTrackerEvents(t *testing.T) {
	tr := NewUplinkTracker([]UplinkCheck{{Uplink: "fiber", Check: "uplink_fiber"}})
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	var events []controller.Event
	for _, a := range strings.Fields("ok 522 522 522 ok ok ok ok") {
		now = now.Add(30 * time.Second)
		events = append(events, tr.Observe(canary(a), now)...)
	}
	if len(events) != 2 {
		t.Fatalf("events = %+v, want a down and an up", events)
	}
	down, up := events[0], events[1]
	if down.Kind != controller.EventUplink || down.Healthy || !strings.Contains(down.Summary, "uplink fiber is down") ||
		down.Detail != "its canary fiber.example.com answers 522 through the edge, 2 rounds" {
		t.Errorf("down event = %+v", down)
	}
	if !up.Healthy || !strings.Contains(up.Summary, "uplink fiber is up again") || !strings.Contains(up.Detail, "3 rounds") {
		t.Errorf("up event = %+v", up)
	}
	if st := tr.States(); len(st) != 1 || !st[0].Up || !st[0].Since.Equal(now.Add(-30*time.Second)) {
		t.Errorf("States = %+v", st)
	}
	if reason := tr.Down(); len(reason) != 0 {
		t.Errorf("Down = %v after recovery", reason)
	}
}

func TestUplinkTrackerSaysWhenEveryUplinkIsDown(t *testing.T) {
	tr := NewUplinkTracker([]UplinkCheck{{Uplink: "fiber", Check: "uplink_fiber"}, {Uplink: "lte", Check: "uplink_lte"}})
	lte := func(answer string) controller.CheckResult {
		r := canary(answer)[0]
		r.Check, r.Host = "uplink_lte", "lte.example.com"
		return r
	}
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	first := tr.Observe(append(canary("521"), lte("ok")), now)
	if len(first) != 1 || first[0].Summary != "uplink fiber is down: records that follow it move to the next uplink up" {
		t.Fatalf("first round events = %+v", first)
	}
	tr.Observe(append(canary("521"), lte("522")), now.Add(time.Minute))
	last := tr.Observe(append(canary("521"), lte("522")), now.Add(2*time.Minute))
	if len(last) != 1 || last[0].Summary != "uplink lte is down: every uplink is down, records stay as they are" {
		t.Fatalf("events when the last uplink went down = %+v", last)
	}
}
