package cloudflare_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// TestZoneListedTwice: the zone listing holds example.com twice, the
// active zone and a copy (a zone re-added in another account, or
// mid-move). The pass uses the active zone and warns naming both ids;
// when the copy is active too, the pass refuses the zone, names it and its
// ids, and writes nothing.
func TestZoneListedTwice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		copyStatus string
		wantErr    string // "" when the active zone is used
	}{
		{copyStatus: "pending"},
		{copyStatus: "moved"},
		{copyStatus: "active", wantErr: "zone example.com is listed 2 times"},
	} {
		t.Run(tc.copyStatus, func(t *testing.T) {
			t.Parallel()
			s := sim.New()
			s.AddToken("dup-token", sim.TokenOptions{})
			active := s.AddZone("example.com")
			dup := s.AddZoneCopy("example.com", tc.copyStatus)
			srv := httptest.NewServer(s)
			t.Cleanup(srv.Close)
			cf, err := cloudflare.New(cloudflare.Options{Token: "dup-token", BaseURL: srv.URL + "/client/v4", RateLimit: 1e6})
			if err != nil {
				t.Fatal(err)
			}
			core, logs := observer.New(zap.WarnLevel)
			rec := &controller.Reconciler{Detector: fixedDetector{}, DNS: cf,
				Names:  []controller.NameSpec{{Field: "records[0]", Name: "home.example.com"}},
				Policy: controller.Policy{Mode: controller.ModeSync, Marker: "managed-by=flarewarden"}, Log: zap.New(core)}
			_, err = rec.RunOnce(context.Background(), controller.PassOptions{})
			t.Logf("pass error: %v", err)
			for _, e := range logs.All() {
				t.Logf("log: %s %v", e.Message, e.ContextMap())
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) ||
					!strings.Contains(err.Error(), active.ID) || !strings.Contains(err.Error(), dup.ID) {
					t.Errorf("pass error %v; want %q naming both zone ids", err, tc.wantErr)
				}
				for _, w := range s.Writes() {
					t.Errorf("write %s %s in an ambiguous zone, want none", w.Method, w.Path)
				}
				return
			}
			if err != nil {
				t.Fatalf("pass: %v", err)
			}
			for _, w := range s.Writes() {
				if !strings.Contains(w.Path, "/zones/"+active.ID+"/") {
					t.Errorf("write %s %s outside the active zone %s", w.Method, w.Path, active.ID)
				}
			}
			if got := s.Records("example.com"); len(got) != 1 || got[0].Name != "home.example.com" {
				t.Errorf("records of the active zone %+v, want home.example.com", got)
			}
			warned := logs.FilterMessage("zone listed more than once, using the active one").All()
			if len(warned) != 1 {
				t.Fatalf("%d warnings about the zone listed twice, want 1", len(warned))
			}
			f := warned[0].ContextMap()
			if f["zone"] != "example.com" || f["zone_id"] != active.ID || !strings.Contains(f["ignored_zone_ids"].(string), dup.ID+" ("+tc.copyStatus+")") {
				t.Errorf("warning fields %v; want the zone, the active id and the ignored %s id", f, tc.copyStatus)
			}
		})
	}
}
