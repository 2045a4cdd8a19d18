package cloudflare

import (
	"context"
	"net/http"
	"sync"
	"testing"
)

// Every request, through the SDK's calls and through c.call, names the
// program: the UserAgent option, or "flarewarden" without it.
func TestRequestsCarryUserAgent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ give, want string }{
		{"", "flarewarden"},
		{"flarewarden/v1.2.3", "flarewarden/v1.2.3"},
	} {
		var mu sync.Mutex
		var got []string
		h := newHarness(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			mu.Lock()
			got = append(got, r.Method+" "+r.URL.Path+": "+r.Header.Get("User-Agent"))
			mu.Unlock()
			switch r.URL.Path {
			case "/client/v4/user/tokens/verify":
				ok(w, map[string]any{"id": "t", "status": "active"}, nil)
			default:
				zoneList(w)
			}
		}, func(o *Options) { o.UserAgent = tt.give })
		ctx := context.Background()
		if err := h.c.Verify(ctx); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if _, err := h.c.call(ctx, http.MethodGet, "/zones", nil); err != nil {
			t.Fatalf("call: %v", err)
		}
		mu.Lock()
		want := []string{
			"GET /client/v4/user/tokens/verify: " + tt.want, // SDK call
			"GET /client/v4/zones: " + tt.want,              // raw call
		}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("UserAgent %q: requests = %q, want %q", tt.give, got, want)
		}
		mu.Unlock()
	}
}
