package cloudflare_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare"
	"github.com/flarewarden/flarewarden/providers/cloudflare/sim"
)

// TestPassErrorsSayThingsOnce runs passes against the simulator with a
// failing request and checks that the pass error names the failed request
// and its zone once, not once per layer.
func TestPassErrorsSayThingsOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault sim.Fault
		want  string // the whole error
		once  []string
	}{
		{"zone listing", sim.Fault{Method: http.MethodGet, Path: `/zones$`, Status: 400},
			"list zones: cloudflare HTTP 400 code 10400", []string{"list zones"}},
		{"record listing", sim.Fault{Method: http.MethodGet, Path: `/dns_records$`, Status: 400},
			"list records in zone example.com: cloudflare HTTP 400 code 10400", []string{"in zone example.com", "list"}},
		{"batch", sim.Fault{Method: http.MethodPost, Path: `/batch$`, Status: 400},
			"batch write [home.example.com A] in zone example.com: cloudflare HTTP 400 code 10400", []string{"in zone example.com", "batch write"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := sim.New()
			s.AddToken("pass-token", sim.TokenOptions{})
			s.AddZone("example.com")
			s.Inject(tt.fault)
			srv := httptest.NewServer(s)
			t.Cleanup(srv.Close)
			cf, err := cloudflare.New(cloudflare.Options{Token: "pass-token", BaseURL: srv.URL + "/client/v4", RateLimit: 1e6})
			if err != nil {
				t.Fatal(err)
			}
			rec := &controller.Reconciler{Detector: &flipDetector{}, DNS: cf, Names: []controller.NameSpec{{Name: "home.example.com"}},
				Policy: controller.Policy{Mode: controller.ModeSync, Marker: "managed-by=flarewarden"}, Log: zap.NewNop()}
			_, err = rec.RunOnce(context.Background(), controller.PassOptions{})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("pass error = %v, want it to start with %q", err, tt.want)
			}
			for _, s := range tt.once {
				if n := strings.Count(err.Error(), s); n != 1 {
					t.Errorf("pass error %q says %q %d times, want once", err, s, n)
				}
			}
		})
	}
}
