package sim

import (
	"maps"
	"net/http"
	"regexp"
	"testing"
)

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          map[string]string // nil = no match
	}{
		{"/zones", "/zones", map[string]string{}},
		{"/zones", "/zones/", nil},
		{"/zones/{zone}", "/zones/abc", map[string]string{"zone": "abc"}},
		{"/zones/{zone}", "/zones/", nil},
		{"/zones/{zone}/dns_records/{record}", "/zones/z/dns_records/r", map[string]string{"zone": "z", "record": "r"}},
		{"/zones/{zone}/dns_records/{record}", "/zones/z/dns_records", nil},
		{"/zones/{zone}/dns_records/batch", "/zones/z/dns_records/other", nil},
	}
	for _, tt := range tests {
		got, ok := matchPattern(tt.pattern, tt.path)
		if ok != (tt.want != nil) || ok && !maps.Equal(got, tt.want) {
			t.Errorf("matchPattern(%q, %q) = %v, %v; want %v", tt.pattern, tt.path, got, ok, tt.want)
		}
	}
}

func TestRouting(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, method, path string
		status             int
		codes              []int
	}{
		{"unknown route", http.MethodGet, "/nope", http.StatusNotFound, []int{codeNoRoute}},
		{"unknown zone subroute", http.MethodGet, h.zonePath("/nope"), http.StatusNotFound, []int{codeNoRoute}},
		{"wrong method on zones", http.MethodPost, "/zones", http.StatusMethodNotAllowed, []int{codeMethodNotAllowed}},
		{"wrong method on record", http.MethodPost, h.zonePath("/dns_records/0123"), http.StatusMethodNotAllowed, []int{codeMethodNotAllowed}},
		{"wrong method on verify", http.MethodDelete, "/user/tokens/verify", http.StatusMethodNotAllowed, []int{codeMethodNotAllowed}},
		{"bad zone id on a route", http.MethodGet, "/zones/not-an-id/dns_records", http.StatusBadRequest, []int{codeBadObjectID}},
		{"bad zone id and no route", http.MethodGet, "/zones/not-an-id/nope", http.StatusBadRequest, []int{codeBadObjectID, codeNoRoute}},
		{"bad zone id, wrong method", http.MethodPut, "/zones/dns_records", http.StatusBadRequest, []int{codeBadObjectID, codeNoRoute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.do(tt.method, tt.path, nil).failsWith(t, tt.status, tt.codes...)
		})
	}
}

func TestCommonHeadersAndPrefix(t *testing.T) {
	h := newHarness(t)
	ray := regexp.MustCompile(`^[0-9a-f]{16}-SIM$`)
	seen := map[string]bool{}
	for _, base := range []string{h.base, h.base[:len(h.base)-len(apiPrefix)]} {
		for _, path := range []string{"/zones", "/nope"} {
			req, _ := http.NewRequest(http.MethodGet, base+path, nil)
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s%s: Content-Type %q", base, path, ct)
			}
			r := resp.Header.Get("Cf-Ray")
			if !ray.MatchString(r) || seen[r] {
				t.Errorf("%s%s: cf-ray %q malformed or repeated", base, path, r)
			}
			seen[r] = true
			if want := map[string]int{"/zones": 200, "/nope": 404}[path]; resp.StatusCode != want {
				t.Errorf("%s%s: status %d, want %d", base, path, resp.StatusCode, want)
			}
		}
	}
}
