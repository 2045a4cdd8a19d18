package cloudflare

import (
	"context"
	"net/http"
	"strconv"
	"testing"
)

// A 2xx answer that says "success": false with errors is a permanent error
// carrying its status, codes and messages, for calls through Raw as for
// the SDK's typed calls (TestSDKTypedCallsIgnoreSuccessFalse).
func TestSuccessFalseIsAnError(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		fail(w, http.StatusOK, 9109, "Unauthorized to access requested resource")
	})
	_, err := h.c.Records(context.Background(), testZone)
	e := apiErr(t, err)
	want := `list records in zone example.com: cloudflare HTTP 200 code 9109: Unauthorized to access requested resource` +
		` (the answer says "success": false)`
	if e.Error() != want || e.Temporary() || !IsAuth(e) {
		t.Errorf("Records error %q (temporary %v, auth %v);\nwant %q, permanent, auth", e, e.Temporary(), IsAuth(e), want)
	}
}

// An answer without a success key, or saying false without errors, is
// handed on as it is.
func TestSuccessWithoutFailureIsRead(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"no success key":       `{"result":{"id":"security_level","value":"high"}}`,
		"false without errors": `{"success":false,"errors":[],"result":{"id":"security_level","value":"high"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(body))
			})
			if level, err := h.c.SecurityLevel(context.Background(), testZone); err != nil || level != "high" {
				t.Errorf("SecurityLevel = %q, %v; want high", level, err)
			}
		})
	}
}

// A 2xx answer cut short is a temporary error.
func TestTruncatedAnswerIsTemporary(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		body := `{"success":true,"errors":[],"result":[`
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+100))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(body))
	}, func(o *Options) { o.MaxRetries = -1 })
	_, err := h.c.Records(context.Background(), testZone)
	if e := apiErr(t, err); !e.Temporary() {
		t.Errorf("Records error %v; want a temporary error", e)
	}
}
