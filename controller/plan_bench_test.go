package controller

import (
	"fmt"
	"net/netip"
	"testing"
)

// BenchmarkPlan10k plans 10,000 managed names spread over 10 zones, each
// with an owned A record of which every other one is stale.
func BenchmarkPlan10k(b *testing.B) {
	const zones, names = 10, 10_000
	var d Desired
	var obs []Record
	for i := range names {
		z := Zone{ID: fmt.Sprintf("z%d", i%zones), Name: fmt.Sprintf("zone%d.example", i%zones)}
		name := fmt.Sprintf("host%d.%s", i, z.Name)
		d.Names = append(d.Names, DesiredName{Zone: z, Name: name, TakeoverCNAME: true})
		content := "203.0.113.7"
		if i%2 == 0 {
			content = "198.51.100.1"
		}
		obs = append(obs, Record{ID: fmt.Sprint(i), ZoneID: z.ID, Name: name, Type: TypeA, Content: content, TTL: 1, Comment: marker})
	}
	d.Addrs = map[Family]Target{IPv4: {State: StateKnown, Addr: netip.MustParseAddr("203.0.113.7")}, IPv6: {State: StateDisabled}}
	p := Policy{Mode: ModeSync, Marker: marker}
	b.ReportAllocs()
	for b.Loop() {
		if got := Plan(d, obs, p); len(got.Changes) != names/2 {
			b.Fatalf("changes = %d", len(got.Changes))
		}
	}
}
