package cloudflare_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// fixedDetector always detects 203.0.113.7, with IPv6 disabled.
type fixedDetector struct{}

func (fixedDetector) Detect(context.Context) controller.Detection {
	return controller.Detection{
		V4: controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("203.0.113.7")},
		V6: controller.FamilyResult{State: controller.StateDisabled}}
}

// nameWatch serves the simulator and, after each request and before its
// answer leaves, checks that a name has a record and that every record
// there is proxied; it keeps what it found wrong.
type nameWatch struct {
	s    *sim.Server
	zone string
	name string

	mu       sync.Mutex
	problems []string
}

func (nw *nameWatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	buf := httptest.NewRecorder()
	nw.s.ServeHTTP(buf, r)
	nw.check(r.Method + " " + strings.TrimPrefix(r.URL.Path, "/client/v4"))
	for k, v := range buf.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(buf.Code)
	_, _ = w.Write(buf.Body.Bytes())
}

func (nw *nameWatch) check(after string) {
	var at []string
	for _, rec := range nw.s.Records(nw.zone) {
		if rec.Name != nw.name {
			continue
		}
		at = append(at, rec.Type)
		if !rec.Proxied {
			nw.report(fmt.Sprintf("after %s: %s %s %s is not proxied", after, rec.Name, rec.Type, rec.Content))
		}
	}
	if len(at) == 0 {
		nw.report("after " + after + ": " + nw.name + " has no record")
	}
}

func (nw *nameWatch) report(p string) {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	nw.problems = append(nw.problems, p)
}

func (nw *nameWatch) found() []string {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	return append([]string(nil), nw.problems...)
}

// TestFallbackTakeoverNeverEmptiesNorUnproxiesTheName: with the batch
// endpoint missing and the create of the A failing, a CNAME takeover must
// not delete the CNAME (single calls would leave the name without a record)
// nor, on the next pass, create an unproxied A (the origin's address made
// public). Once the batch endpoint is back, the takeover happens, in one
// batch, and the A stays proxied like the CNAME was.
func TestFallbackTakeoverNeverEmptiesNorUnproxiesTheName(t *testing.T) {
	t.Parallel()
	s := sim.New(sim.WithBatch(false))
	s.AddToken("fallback-token", sim.TokenOptions{})
	s.AddZone("example.com")
	if _, err := s.AddRecord("example.com", sim.Record{Name: "home", Type: "CNAME", Content: "myhome.duckdns.org", Proxied: true}); err != nil {
		t.Fatal(err)
	}
	s.Inject(sim.Fault{Method: http.MethodPost, Path: `/dns_records$`, Status: http.StatusInternalServerError, Count: 1})
	watch := &nameWatch{s: s, zone: "example.com", name: "home.example.com"}
	srv := httptest.NewServer(watch)
	t.Cleanup(srv.Close)
	cf, err := cloudflare.New(cloudflare.Options{Token: "fallback-token", BaseURL: srv.URL + "/client/v4", RateLimit: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	rec := &controller.Reconciler{Detector: fixedDetector{}, DNS: cf,
		Names:  []controller.NameSpec{{Field: "records[0]", Name: "home.example.com", TakeoverCNAME: true}},
		Policy: controller.Policy{Mode: controller.ModeSync, Marker: "managed-by=flarewarden"}, Log: zap.NewNop()}
	ctx := context.Background()

	for pass := 1; pass <= 2; pass++ {
		rep, err := rec.RunOnce(ctx, controller.PassOptions{})
		t.Logf("pass %d (batch missing): error %v", pass, err)
		if err == nil || !strings.Contains(err.Error(), "batch") {
			t.Errorf("pass %d: error %v, want one saying the takeover waits for the batch endpoint", pass, err)
		}
		if rep.CNAMEs["home.example.com"] != "myhome.duckdns.org" {
			t.Errorf("pass %d: report says CNAMEs %v, want home.example.com still a CNAME", pass, rep.CNAMEs)
		}
	}
	for _, w := range s.Writes() {
		if w.Method == http.MethodDelete {
			t.Errorf("a record was deleted without the batch endpoint: %s %s", w.Method, w.Path)
		}
	}

	s.SetBatch(true)
	if _, err := rec.RunOnce(ctx, controller.PassOptions{}); err != nil {
		t.Fatalf("pass with the batch endpoint back: %v", err)
	}
	got := s.Records("example.com")
	if len(got) != 1 || got[0].Type != "A" || got[0].Content != "203.0.113.7" || !got[0].Proxied {
		t.Errorf("records after the batch came back: %+v, want one proxied A 203.0.113.7", got)
	}
	for _, p := range watch.found() {
		t.Error(p)
	}
}
