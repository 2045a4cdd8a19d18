package cloudflare_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"testing"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// flipDetector answers one of two addresses, alternating per pass, so that
// every pass has every record to update.
type flipDetector struct{ n int }

func (f *flipDetector) Detect(context.Context) controller.Detection {
	f.n++
	addr := netip.MustParseAddr("203.0.113.7")
	if f.n%2 == 0 {
		addr = netip.MustParseAddr("203.0.113.8")
	}
	return controller.Detection{V4: controller.FamilyResult{State: controller.StateKnown, Addr: addr},
		V6: controller.FamilyResult{State: controller.StateDisabled}}
}

// BenchmarkPass1000Names runs whole passes (detect, list, plan, apply)
// against the simulator over 1,000 managed names in 10 zones, every pass
// updating all 1,000 records, and reports the API calls a pass makes:
// they scale with zones and batches, never with records.
func BenchmarkPass1000Names(b *testing.B) {
	const zones, perZone = 10, 100
	s := sim.New()
	s.AddToken("bench-token", sim.TokenOptions{})
	var names []controller.NameSpec
	for z := range zones {
		zone := fmt.Sprintf("zone%d.example", z)
		s.AddZone(zone)
		for i := range perZone {
			names = append(names, controller.NameSpec{Name: fmt.Sprintf("host%d.%s", i, zone)})
		}
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	cf, err := cloudflare.New(cloudflare.Options{Token: "bench-token", BaseURL: srv.URL + "/client/v4", RateLimit: 1e6})
	if err != nil {
		b.Fatal(err)
	}
	rec := &controller.Reconciler{Detector: &flipDetector{}, DNS: cf, Names: names,
		Policy: controller.Policy{Mode: controller.ModeSync, Marker: "managed-by=flarewarden"}, Log: zap.NewNop()}
	ctx := context.Background()
	pass := func() int {
		rep, err := rec.RunOnce(ctx, controller.PassOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return len(rep.Plan.Changes)
	}
	if n := pass(); n != zones*perZone { // creates every record; warms the zone cache
		b.Fatalf("first pass made %d changes, want %d", n, zones*perZone)
	}
	s.ResetLog()
	for b.Loop() {
		if n := pass(); n != zones*perZone {
			b.Fatalf("pass made %d changes, want %d", n, zones*perZone)
		}
	}
	reqs := s.Requests()
	writes := len(s.Writes())
	b.ReportMetric(float64(len(reqs))/float64(b.N), "api_calls/pass")
	b.ReportMetric(float64(len(reqs)-writes)/float64(b.N), "reads/pass")
	b.ReportMetric(float64(writes)/float64(b.N), "writes/pass")
	b.ReportMetric(float64(zones*perZone), "records")
}
