package cloudflare

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestNewRefusesMalformedToken(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"tokONE\ntokTWO", "tokONE\rtokTWO", "tokONE tokTWO", "tokONE\x00tokTWO"} {
		_, err := New(Options{Token: tok + "\n"})
		if err == nil || !strings.Contains(err.Error(), "malformed api token") ||
			strings.Contains(err.Error(), "tokONE") || strings.Contains(err.Error(), "tokTWO") {
			t.Errorf("New(%q) = %v; want a malformed token error without the token", tok, err)
		}
	}
}

// A header value net/http refuses (a token with a line break inside that
// got past New) is one hard error per call: not sent, not retried, not
// temporary, and the error does not show the token.
func TestMalformedHeaderIsHardAndNeverSent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { zoneList(w) })
	h.c.api.APIToken = testToken[:8] + "\n" + testToken[8:]
	ctx := context.Background()
	_, zerr := h.c.Zones(ctx)
	verr := h.c.Verify(ctx)
	for _, err := range []error{zerr, verr} {
		e := apiErr(t, err)
		if e.Temporary() || !strings.Contains(e.Error(), "header Authorization holds a line break") ||
			strings.Contains(e.Error(), testToken[:8]) || strings.Contains(e.Error(), testToken[8:]) {
			t.Errorf("error %q (temporary %v); want a hard error naming the header, not the token", e, e.Temporary())
		}
	}
	h.c.noBatch.turnOff()
	aerr := apiErr(t, h.c.Apply(ctx, testZone, []controller.Change{create("home.example.com", "A", "203.0.113.7")}))
	if aerr.Temporary() {
		t.Errorf("apply error %v is temporary", aerr)
	}
	if n := len(h.rec.all()); n != 0 {
		t.Errorf("%d requests reached the server, want 0", n)
	}
	if n := h.logs.FilterMessage("cloudflare request retry").Len(); n != 0 {
		t.Errorf("%d retries, want 0", n)
	}
}
