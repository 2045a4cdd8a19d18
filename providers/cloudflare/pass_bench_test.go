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

const benchZones, benchPerZone = 10, 100

// passWorld is 1,000 managed names in 10 zones on the simulator, with a
// pass that updates every record.
type passWorld struct {
	sim  *sim.Server
	pass func() int // runs a pass and returns its count of changes
}

func newPassWorld(tb testing.TB) *passWorld {
	s := sim.New()
	s.AddToken("bench-token", sim.TokenOptions{})
	var names []controller.NameSpec
	for z := range benchZones {
		zone := fmt.Sprintf("zone%d.example", z)
		s.AddZone(zone)
		for i := range benchPerZone {
			names = append(names, controller.NameSpec{Name: fmt.Sprintf("host%d.%s", i, zone)})
		}
	}
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	cf, err := cloudflare.New(cloudflare.Options{Token: "bench-token", BaseURL: srv.URL + "/client/v4", RateLimit: 1e6})
	if err != nil {
		tb.Fatal(err)
	}
	rec := &controller.Reconciler{Detector: &flipDetector{}, DNS: cf, Names: names,
		Policy: controller.Policy{Mode: controller.ModeSync, Marker: "managed-by=flarewarden"}, Log: zap.NewNop()}
	pass := func() int {
		rep, err := rec.RunOnce(context.Background(), controller.PassOptions{})
		if err != nil {
			tb.Fatal(err)
		}
		if n := len(rep.Plan.Changes); n != benchZones*benchPerZone {
			tb.Fatalf("pass made %d changes, want %d", n, benchZones*benchPerZone)
		}
		return len(rep.Plan.Changes)
	}
	pass() // creates every record; warms the zone cache
	s.ResetLog()
	return &passWorld{sim: s, pass: pass}
}

// TestPassAPICallsScaleWithZones checks the budget the benchmark reports:
// a pass over 1,000 names in 10 zones reads once per zone and writes one
// batch per zone (100 changes each, under the 200 limit).
func TestPassAPICallsScaleWithZones(t *testing.T) {
	w := newPassWorld(t)
	w.pass()
	reqs, writes := len(w.sim.Requests()), len(w.sim.Writes())
	if reads := reqs - writes; reads > benchZones || writes > benchZones {
		t.Fatalf("a pass made %d reads and %d writes, want at most %d of each (one per zone)", reads, writes, benchZones)
	}
}

// BenchmarkPass1000Names runs whole passes (detect, list, plan, apply)
// against the simulator over 1,000 managed names in 10 zones, every pass
// updating all 1,000 records, and reports the API calls a pass makes:
// they scale with zones and batches, never with records.
func BenchmarkPass1000Names(b *testing.B) {
	w := newPassWorld(b)
	for b.Loop() {
		w.pass()
	}
	reqs := w.sim.Requests()
	writes := len(w.sim.Writes())
	b.ReportMetric(float64(len(reqs))/float64(b.N), "api_calls/pass")
	b.ReportMetric(float64(len(reqs)-writes)/float64(b.N), "reads/pass")
	b.ReportMetric(float64(writes)/float64(b.N), "writes/pass")
	b.ReportMetric(float64(benchZones*benchPerZone), "records")
}
