package sim

import (
	"fmt"
	"net/netip"
	"testing"
)

// The edge looks up a host's zone and routing records once per request:
// deciding for a host deep under its zone (each parent name tried costs
// allocations) with many records allocates at most a few times more than
// one such lookup does.
func TestEdgeDecisionLooksUpOnce(t *testing.T) {
	s := New()
	s.AddZone(testZone)
	const host = "a.b.c.d.e.f.g.h.www." + testZone
	for i := range 100 {
		r := Record{Name: host, Type: "A", Content: fmt.Sprintf("198.51.100.%d", i), Proxied: true}
		if _, err := s.AddRecord(testZone, r); err != nil {
			t.Fatal(err)
		}
	}
	client := netip.MustParseAddr("203.0.113.7")
	if status, reason := s.EdgeDecision(host, client); status != 200 || reason != "origin" {
		t.Fatalf("EdgeDecision = %d %q, want 200 origin", status, reason)
	}
	lookup := testing.AllocsPerRun(20, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		routingRecords(s.zoneForHost(host), host)
	})
	decide := testing.AllocsPerRun(20, func() { s.EdgeDecision(host, client) })
	t.Logf("one lookup %v allocations, a decision %v", lookup, decide)
	if decide > lookup+5 {
		t.Errorf("a decision allocates %v times, one lookup of zone and records %v: looked up more than once", decide, lookup)
	}
}
