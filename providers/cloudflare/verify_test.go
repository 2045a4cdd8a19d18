package cloudflare

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// verifyServer answers token verification with verify and zone listings
// with zones.
func verifyServer(verify, zones func(w http.ResponseWriter)) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		if strings.HasSuffix(r.URL.Path, "/user/tokens/verify") {
			verify(w)
			return
		}
		zones(w)
	}
}

func tokenStatus(status string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		ok(w, map[string]any{"id": "ed17574386854bf78a67040be0a770b0", "status": status}, nil)
	}
}

func invalidToken(w http.ResponseWriter) { fail(w, http.StatusUnauthorized, 1000, "Invalid API Token") }

func TestVerify(t *testing.T) {
	t.Parallel()
	forbidden := func(w http.ResponseWriter) {
		fail(w, http.StatusForbidden, 9109, "Unauthorized to access requested resource")
	}
	for _, tc := range []struct {
		name           string
		verify, zones  func(w http.ResponseWriter)
		wantErr        string // "" for success
		wantAuth, temp bool
		requests       int
	}{
		{name: "active token", verify: tokenStatus("active"), zones: zoneList, requests: 1},
		{name: "account token", verify: invalidToken, zones: zoneList, requests: 2},
		{name: "invalid token", verify: invalidToken, zones: invalidToken, requests: 2, wantAuth: true,
			wantErr: "cloudflare api token rejected (check CLOUDFLARE_API_TOKEN / api_token_file): list zones: cloudflare HTTP 401 code 1000: Invalid API Token"},
		{name: "token without zone access", verify: invalidToken, zones: forbidden, requests: 2, wantAuth: true,
			wantErr: "cloudflare api token rejected (check CLOUDFLARE_API_TOKEN / api_token_file): list zones: cloudflare HTTP 403 code 9109"},
		{name: "expired token", verify: tokenStatus("expired"), zones: zoneList, requests: 1,
			wantErr: `verify token: cloudflare api token status is "expired", not "active"`},
		{name: "verify endpoint missing (gateway, JSON 404)", verify: func(w http.ResponseWriter) { fail(w, http.StatusNotFound, 7000, "No route for that URI") },
			zones: zoneList, requests: 2},
		{name: "verify endpoint missing (plain 404)", verify: func(w http.ResponseWriter) { http.NotFound(w, nil) },
			zones: zoneList, requests: 2},
		{name: "verify endpoint missing, token refused", verify: func(w http.ResponseWriter) { http.NotFound(w, nil) },
			zones: invalidToken, requests: 2, wantAuth: true,
			wantErr: "cloudflare api token rejected (check CLOUDFLARE_API_TOKEN / api_token_file): list zones: cloudflare HTTP 401 code 1000"},
		{name: "server trouble", verify: func(w http.ResponseWriter) { fail(w, 500, 0, "boom") }, zones: zoneList,
			requests: 1, temp: true, wantErr: "verify token: cloudflare HTTP 500: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, verifyServer(tc.verify, tc.zones), func(o *Options) { o.MaxRetries = -1 })
			err := h.c.Verify(context.Background())
			if n := len(h.rec.all()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) || strings.Contains(err.Error(), testToken) {
				t.Fatalf("Verify = %v; want %q...", err, tc.wantErr)
			}
			var ae *APIError
			if !errors.As(err, &ae) || IsAuth(err) != tc.wantAuth || ae.Temporary() != tc.temp {
				t.Errorf("Verify = %v (IsAuth %v, temporary %v); want IsAuth %v, temporary %v", err, IsAuth(err), ae.Temporary(), tc.wantAuth, tc.temp)
			}
		})
	}
}

func TestVerifyFallbackFillsZoneCache(t *testing.T) {
	t.Parallel()
	h := newHarness(t, verifyServer(invalidToken, zoneList))
	ctx := context.Background()
	if err := h.c.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if zones, err := h.c.Zones(ctx); err != nil || len(zones) != 1 || len(h.rec.all()) != 2 {
		t.Errorf("Zones after Verify = %v, %v after %d requests; want the cached zone", zones, err, len(h.rec.all()))
	}
}
