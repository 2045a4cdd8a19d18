package sim

import (
	"net/http"
	"net/netip"
	"slices"
	"testing"
)

func TestAuthentication(t *testing.T) {
	h := newHarness(t)
	h.s.AddToken("ro", TokenOptions{ReadOnly: true})
	h.s.AddToken("acct", TokenOptions{Account: true})
	rec := h.seed(Record{Name: "www", Type: "A", Content: "192.0.2.1"})[0]
	newA := map[string]any{"name": "new", "type": "A", "content": "192.0.2.9"}
	tests := []struct {
		name, auth, method, path string
		body                     any
		status, code             int // code 0 = success
	}{
		{"missing header", "", http.MethodGet, "/zones", nil, 400, codeBadHeaders},
		{"not bearer", "Token " + testToken, http.MethodGet, "/zones", nil, 400, codeBadHeaders},
		{"empty bearer", "Bearer ", http.MethodGet, "/zones", nil, 400, codeBadHeaders},
		{"unknown token on zones", "Bearer nope", http.MethodGet, "/zones", nil, 403, codeAuth},
		{"unknown token on dns", "Bearer nope", http.MethodGet, h.zonePath("/dns_records"), nil, 403, codeAuth},
		{"unknown token on unknown route", "Bearer nope", http.MethodGet, "/nope", nil, 403, codeAuth},
		{"read-only token reads", "Bearer ro", http.MethodGet, h.zonePath("/dns_records"), nil, 200, 0},
		{"read-only token creates", "Bearer ro", http.MethodPost, h.zonePath("/dns_records"), newA, 403, codeAuth},
		{"read-only token deletes", "Bearer ro", http.MethodDelete, h.zonePath("/dns_records/" + rec.ID), nil, 403, codeAuth},
		{"read-only token batches", "Bearer ro", http.MethodPost, h.zonePath("/dns_records/batch"), "{}", 403, codeAuth},
		{"account token works on dns", "Bearer acct", http.MethodPost, h.zonePath("/dns_records"), newA, 200, 0},
		{"bearer scheme is case-insensitive", "bearer " + testToken, http.MethodGet, "/zones", nil, 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := h.doAs(tt.auth, tt.method, tt.path, tt.body)
			if tt.code == 0 {
				a.ok(t, nil)
				return
			}
			a.fails(t, tt.status, tt.code)
		})
	}
	if got := h.s.Records(testZone); len(got) != 2 {
		t.Errorf("records after auth cases: %d, want 2 (www + the account token's)", len(got))
	}
}

func TestVerifyToken(t *testing.T) {
	h := newHarness(t)
	h.s.AddToken("ro", TokenOptions{ReadOnly: true, Zones: []string{"other.org"}})
	h.s.AddToken("acct", TokenOptions{Account: true})
	tests := []struct {
		name, auth   string
		status, code int
	}{
		{"user token", "Bearer " + testToken, 200, 0},
		{"scoped read-only user token", "Bearer ro", 200, 0},
		{"account token is unknown to the endpoint", "Bearer acct", 401, codeInvalidToken},
		{"unknown token", "Bearer nope", 401, codeInvalidToken},
		{"missing header", "", 400, codeBadHeaders},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := h.doAs(tt.auth, http.MethodGet, "/user/tokens/verify", nil)
			if tt.code != 0 {
				a.fails(t, tt.status, tt.code)
				return
			}
			var res tokenStatus
			a.ok(t, &res)
			if !isHexID(res.ID) || res.Status != "active" {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

func TestTokenZoneVisibility(t *testing.T) {
	h := newHarness(t)
	other := h.s.AddZone("other.org")
	h.s.AddToken("scoped", TokenOptions{Zones: []string{"Other.org."}})
	var zones []zoneJSON
	h.doAs("Bearer scoped", http.MethodGet, "/zones", nil).ok(t, &zones)
	if len(zones) != 1 || zones[0].ID != other.ID {
		t.Fatalf("scoped token lists %+v, want only other.org", zones)
	}
	h.doAs("Bearer scoped", http.MethodGet, h.zonePath(""), nil).fails(t, 400, codeBadObjectID)
	h.doAs("Bearer scoped", http.MethodGet, h.zonePath("/dns_records"), nil).fails(t, 400, codeBadObjectID)
	h.doAs("Bearer scoped", http.MethodGet, "/zones/"+other.ID+"/dns_records", nil).ok(t, nil)
	h.do(http.MethodGet, "/zones", nil).ok(t, &zones)
	if len(zones) != 2 {
		t.Errorf("unscoped token lists %d zones, want 2", len(zones))
	}
}

// TestCredentialHeaderChains checks the error chain of each 6003: the
// Authorization header's format (6111) or, without it, the legacy headers
// missing (6100, 6101) or malformed (6102, 6103).
func TestCredentialHeaderChains(t *testing.T) {
	h := newHarness(t)
	goodKey := "0123456789abcdef0123456789abcdef01234" // 37 lower-hex chars, a global API key's shape
	tests := []struct {
		name   string
		header map[string]string
		status int
		chain  []int // nil: not a 6003
	}{
		{"no credentials", nil, 400, []int{codeMissingEmail, codeMissingKey}},
		{"malformed authorization", map[string]string{"Authorization": "Token x"}, 400, []int{codeBadAuthorization}},
		{"malformed legacy pair", map[string]string{"X-Auth-Email": "user ", "X-Auth-Key": "***PW***"}, 400, []int{codeBadEmail, codeBadKey}},
		{"token sent as a key", map[string]string{"X-Auth-Email": "user@example.com", "X-Auth-Key": testToken}, 400, []int{codeBadKey}},
		{"key without email", map[string]string{"X-Auth-Key": goodKey}, 400, []int{codeMissingEmail}},
		{"well-formed legacy pair", map[string]string{"X-Auth-Email": "user@example.com", "X-Auth-Key": goodKey}, 403, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{}
			for k, v := range tt.header {
				header.Set(k, v)
			}
			a := h.doWith(header, http.MethodGet, "/zones", nil)
			if tt.chain == nil {
				a.fails(t, tt.status, codeAuth)
				return
			}
			a.fails(t, tt.status, codeBadHeaders)
			var got []int
			for _, m := range a.env.Errors[0].ErrorChain {
				got = append(got, m.Code)
			}
			if !slices.Equal(got, tt.chain) {
				t.Errorf("error_chain codes %v, want %v: %s", got, tt.chain, a.raw)
			}
		})
	}
}

// TestClientIPFilter checks that a token restricted to other client
// addresses is refused (403, code 9109) on every route, verify included,
// and one allowed from loopback works.
func TestClientIPFilter(t *testing.T) {
	h := newHarness(t)
	h.s.AddToken("elsewhere", TokenOptions{ClientIPs: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}})
	h.s.AddToken("here", TokenOptions{ClientIPs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	for _, path := range []string{"/zones", h.zonePath("/dns_records"), "/user/tokens/verify", "/nope"} {
		a := h.doAs("Bearer elsewhere", http.MethodGet, path, nil)
		a.fails(t, http.StatusForbidden, codeIPFilter)
		if want := "Cannot use the access token from location: 127.0.0.1"; a.env.Errors[0].Message != want {
			t.Errorf("%s: message %q, want %q", path, a.env.Errors[0].Message, want)
		}
	}
	h.doAs("Bearer here", http.MethodGet, "/zones", nil).ok(t, nil)
}
