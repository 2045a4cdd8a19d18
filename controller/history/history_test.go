package history

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func v4(addr string) controller.Detection {
	return controller.Detection{V4: controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr(addr)}}
}

func update(name, from, to string) controller.Change {
	return controller.Change{Action: controller.ActionUpdate, Name: name, Type: "A", Reason: "stale address",
		Before: &controller.Record{Content: from}, After: &controller.Record{Content: to}}
}

func TestPassesAndAddressChanges(t *testing.T) {
	c := &clock{time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	h := New(c.now)
	h.ObservePass(controller.Report{Detection: v4("203.0.113.7")}, nil, time.Second)
	c.t = c.t.Add(time.Minute)
	rep := controller.Report{Detection: v4("203.0.113.8"), Plan: controller.PlanResult{Changes: []controller.Change{
		update("home.example.com", "203.0.113.7", "203.0.113.8"), update("vpn.example.com", "203.0.113.7", "203.0.113.8")}}}
	h.ObservePass(rep, nil, 2*time.Second)
	c.t = c.t.Add(time.Minute)
	h.ObservePass(controller.Report{Detection: v4("203.0.113.8")}, errors.New("list zones: 403"), time.Second)
	s := h.Snapshot()
	if len(s.Passes) != 3 || !s.Passes[0].OK || s.Passes[2].OK || s.Passes[2].Error != "list zones: 403" {
		t.Fatalf("passes = %+v", s.Passes)
	}
	if got := strings.Join(s.Passes[1].Changes, "; "); got != "home.example.com A 203.0.113.7 -> 203.0.113.8; vpn.example.com A 203.0.113.7 -> 203.0.113.8" {
		t.Errorf("changes = %q", got)
	}
	if !s.Passes[1].At.Equal(c.t.Add(-time.Minute - 2*time.Second)) {
		t.Errorf("pass started at %v", s.Passes[1].At)
	}
	if len(s.Addresses) != 1 {
		t.Fatalf("address changes = %+v, want one (the first pass only learns)", s.Addresses)
	}
	a := s.Addresses[0]
	if a.Family != "ipv4" || a.From != "203.0.113.7" || a.To != "203.0.113.8" || strings.Join(a.Records, ",") != "home.example.com,vpn.example.com" {
		t.Errorf("address change = %+v", a)
	}
}

func TestHealthSegmentsAndTransitions(t *testing.T) {
	c := &clock{time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	h := New(c.now)
	round := func(class controller.Class) {
		c.t = c.t.Add(30 * time.Second)
		h.ObserveHealth([]controller.CheckResult{{Check: "home", Host: "home.example.com", Edge: controller.Diagnosis{Class: class, Explanation: string(class)}}}, c.t)
	}
	round(controller.ClassOK)
	round(controller.ClassOK)
	round(controller.ClassOriginDown)
	round(controller.ClassOriginDown)
	round(controller.ClassOK)
	s := h.Snapshot()
	segs := s.Health["home"]
	if len(segs) != 3 || segs[0].Class != controller.ClassOK || segs[1].Class != controller.ClassOriginDown ||
		segs[1].To.Sub(segs[1].From) != time.Minute {
		t.Fatalf("segments = %+v", segs)
	}
	if len(s.Transitions) != 2 {
		t.Fatalf("transitions = %+v, want down then up (a first ok is none)", s.Transitions)
	}
	down, up := s.Transitions[0], s.Transitions[1]
	if down.From != controller.ClassOK || down.To != controller.ClassOriginDown || down.Lasted != time.Minute ||
		up.To != controller.ClassOK || up.Lasted != time.Minute || down.Host != "home.example.com" {
		t.Errorf("transitions = %+v", s.Transitions)
	}
}

func TestBounds(t *testing.T) {
	c := &clock{time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	h := New(c.now)
	for i := range MaxPasses + 10 {
		h.ObservePass(controller.Report{}, nil, time.Duration(i))
	}
	classes := []controller.Class{controller.ClassOK, controller.ClassOriginDown}
	for i := range 3000 { // 25 h of 30 s rounds, the class flipping every round
		c.t = c.t.Add(30 * time.Second)
		h.ObserveHealth([]controller.CheckResult{{Check: "home", Edge: controller.Diagnosis{Class: classes[i%2]}}}, c.t)
	}
	s := h.Snapshot()
	if len(s.Passes) != MaxPasses || s.Passes[0].Duration != 10 {
		t.Errorf("%d passes kept, the first lasting %d: want the newest %d", len(s.Passes), s.Passes[0].Duration, MaxPasses)
	}
	if len(s.Transitions) != MaxTransitions {
		t.Errorf("%d transitions kept, want %d", len(s.Transitions), MaxTransitions)
	}
	if first := s.Health["home"][0]; c.t.Sub(first.To) > HealthWindow {
		t.Errorf("a segment ended %v ago is kept, past the %v window", c.t.Sub(first.To), HealthWindow)
	}
}
