package cloudflare

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestSecurityLevel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		ok(w, map[string]any{"id": "security_level", "value": "under_attack", "editable": true, "modified_on": "2024-08-01T10:00:00Z"}, nil)
	})
	level, err := h.c.SecurityLevel(context.Background(), testZone)
	if err != nil || level != "under_attack" {
		t.Fatalf("SecurityLevel = %q, %v; want under_attack", level, err)
	}
	if got, want := requestLines(h.rec.all()), []string{"GET /zones/" + testZone.ID + "/settings/security_level"}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
}

func TestSecurityLevelRejectsBadAnswers(t *testing.T) {
	t.Parallel()
	for name, result := range map[string]any{
		"number value":  map[string]any{"id": "security_level", "value": 3},
		"empty value":   map[string]any{"id": "security_level", "value": ""},
		"no value":      map[string]any{"id": "security_level"},
		"other setting": map[string]any{"id": "ssl", "value": "full"},
		"no result":     nil,
		"list result":   []string{"medium"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { ok(w, result, nil) })
			level, err := h.c.SecurityLevel(context.Background(), testZone)
			e := apiErr(t, err)
			if level != "" || !e.Temporary() || !strings.HasPrefix(e.Error(), "read security level in zone example.com: malformed cloudflare answer") {
				t.Errorf("SecurityLevel = %q, %v; want a temporary malformed-answer error naming the zone", level, e)
			}
		})
	}
}

func TestSecurityLevelAPIError(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		fail(w, http.StatusForbidden, 9109, "Unauthorized to access requested resource")
	})
	_, err := h.c.SecurityLevel(context.Background(), testZone)
	if e := apiErr(t, err); !IsAuth(e) || e.Error() != "read security level in zone example.com: cloudflare HTTP 403 code 9109: Unauthorized to access requested resource" {
		t.Errorf("SecurityLevel error %q; want an auth error naming the zone", e)
	}
}
