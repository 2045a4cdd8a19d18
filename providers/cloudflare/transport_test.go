package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 2 {
			w.Header().Set("Retry-After", "1")
			fail(w, http.StatusTooManyRequests, 971, "Please wait and consider throttling your request speed")
			return
		}
		zoneList(w)
	})
	zones, err := h.c.Zones(context.Background())
	if err != nil || len(zones) != 1 {
		t.Fatalf("Zones = %v, %v; want the zone", zones, err)
	}
	hits := h.rec.all()
	if len(hits) != 3 {
		t.Fatalf("%d requests, want 3", len(hits))
	}
	for i := 1; i < len(hits); i++ {
		if gap := hits[i].At.Sub(hits[i-1].At); gap < time.Second {
			t.Errorf("gap before attempt %d = %s, want >= Retry-After (1s)", i+1, gap)
		}
	}
	retries := h.logs.FilterMessage("cloudflare request retry").All()
	if len(retries) != 2 {
		t.Fatalf("%d retry log lines, want 2", len(retries))
	}
	f := retries[0].ContextMap()
	if f["method"] != "GET" || f["path"] != "/client/v4/zones" || f["status"] != int64(429) ||
		f["attempt"] != int64(1) || f["delay"] != time.Second {
		t.Errorf("retry log fields = %v", f)
	}
}

func TestRetryAfterTooLongFailsSoftAtOnce(t *testing.T) {
	t.Parallel()
	for name, value := range map[string]string{
		"seconds":   "3600",
		"http date": time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, throttled(value))
			start := time.Now()
			e := apiErr(t, errorOf(h.c.Zones(context.Background())))
			if time.Since(start) > time.Second || len(h.rec.all()) != 1 {
				t.Errorf("took %s and %d requests; want one request, at once", time.Since(start), len(h.rec.all()))
			}
			if e.Status != 429 || !e.Temporary() || e.RetryAfter < time.Hour || e.Codes[0] != 971 {
				t.Errorf("error = %+v; want a temporary 429 carrying Retry-After", e)
			}
			if !strings.Contains(e.Error(), "retry after 1h") && !strings.Contains(e.Error(), "retry after 2h") {
				t.Errorf("error %q does not say when to retry", e)
			}
		})
	}
}

// TestRetryAfterTooLongReachesTheLoop checks that a Retry-After the
// client does not wait for is exposed to the controller, which then waits
// before its next pass.
func TestRetryAfterTooLongReachesTheLoop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, throttled("120"))
	err := errorOf(h.c.Zones(context.Background()))
	if d := apiErr(t, err).RetryDelay(); d != 2*time.Minute {
		t.Errorf("RetryDelay() = %s, want 2m0s", d)
	}
	if d := controller.RetryDelay(fmt.Errorf("pass: %w", errors.Join(errors.New("other zone"), err))); d != 2*time.Minute {
		t.Errorf("controller.RetryDelay of the pass error = %s, want 2m0s", d)
	}
}

func TestRetryWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	h := newHarness(t, throttled("30"))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	e := apiErr(t, errorOf(h.c.Zones(ctx)))
	if time.Since(start) > 2*time.Second {
		t.Errorf("waited %s despite the context", time.Since(start))
	}
	if e.Status != 429 || e.RetryAfter != 30*time.Second {
		t.Errorf("error = %+v; want 429 with Retry-After 30s", e)
	}
}

func TestGet5xxRetriedThenSucceeds(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 2 {
			fail(w, []int{http.StatusInternalServerError, http.StatusBadGateway}[n], 0, "upstream trouble")
			return
		}
		ok(w, []any{apiRec("r1", "home.example.com", "A", "203.0.113.7")}, map[string]int{"page": 1, "per_page": 5000, "count": 1, "total_count": 1, "total_pages": 1})
	})
	recs, err := h.c.Records(context.Background(), testZone)
	if err != nil || len(recs) != 1 {
		t.Fatalf("Records = %v, %v", recs, err)
	}
	if n := len(h.rec.all()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	if n := h.logs.FilterMessage("cloudflare request retry").Len(); n != 2 {
		t.Errorf("%d retry log lines, want 2", n)
	}
}

func TestGet5xxGivesUpSoft(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		fail(w, http.StatusServiceUnavailable, 0, "maintenance")
	}, func(o *Options) { o.MaxRetries = 2 })
	e := apiErr(t, errorOf(h.c.Records(context.Background(), testZone)))
	if len(h.rec.all()) != 3 || e.Status != 503 || !e.Temporary() || e.Zone != "example.com" {
		t.Errorf("%d requests, error %+v; want 3 requests and a temporary 503 naming the zone", len(h.rec.all()), e)
	}
	if !strings.Contains(e.Error(), "gave up after 3 attempts") {
		t.Errorf("error %q does not say it gave up", e)
	}
}

func TestPost500NotRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		fail(w, http.StatusInternalServerError, 0, "oops")
	})
	e := apiErr(t, h.c.Apply(context.Background(), testZone, []controller.Change{create("home.example.com", "A", "203.0.113.7")}))
	if len(h.rec.all()) != 1 || e.Status != 500 || !e.Temporary() {
		t.Errorf("%d requests, error %+v; want 1 request and a temporary 500", len(h.rec.all()), e)
	}
	wantErrorText(t, e, "batch write [home.example.com A] in zone example.com: cloudflare HTTP 500: oops (POST not retried: it may have been executed)")
}

func TestPost429RetriedWithSameBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			throttled("0")(w, r, n)
			return
		}
		ok(w, map[string]any{}, nil)
	})
	if err := h.c.Apply(context.Background(), testZone, []controller.Change{create("home.example.com", "A", "203.0.113.7")}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	hits := h.rec.all()
	if len(hits) != 2 || hits[1].Body == "" || hits[0].Body != hits[1].Body {
		t.Errorf("requests %+v; want the POST sent twice with the same body", hits)
	}
}

func TestDroppedConnection(t *testing.T) {
	t.Parallel()
	t.Run("GET retried", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 0 {
				dropConn(t, w)
				return
			}
			zoneList(w)
		})
		if _, err := h.c.Zones(context.Background()); err != nil {
			t.Fatalf("Zones: %v", err)
		}
		if n := len(h.rec.all()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("POST not retried", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { dropConn(t, w) })
		e := apiErr(t, h.c.Apply(context.Background(), testZone, []controller.Change{create("home.example.com", "A", "203.0.113.7")}))
		if n := len(h.rec.all()); n != 1 || e.Status != 0 || !e.Temporary() {
			t.Errorf("%d requests, error %+v; want 1 request and a temporary error", n, e)
		}
	})
}

func TestAttemptTimeoutRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			<-r.Context().Done()
			return
		}
		zoneList(w)
	}, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond} })
	if _, err := h.c.Zones(context.Background()); err != nil {
		t.Fatalf("Zones: %v", err)
	}
	if n := len(h.rec.all()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestBackoffFullJitterCapped(t *testing.T) {
	t.Parallel()
	tr := &retryTransport{backoffBase: time.Second, backoffCap: 30 * time.Second}
	for attempt, ceiling := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 6: 30 * time.Second, 60: 30 * time.Second} {
		var top time.Duration
		for range 200 {
			d := tr.backoff(attempt)
			if d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %s, outside [0, %s]", attempt, d, ceiling)
			}
			top = max(top, d)
		}
		if top < ceiling/2 {
			t.Errorf("backoff(%d) never above %s in 200 draws; want jitter over [0, %s]", attempt, top, ceiling)
		}
	}
}

// errorOf drops the value of a (value, error) pair.
func errorOf[T any](_ T, err error) error { return err }

// wantErrorText fails the test unless err reads want.
func wantErrorText(t *testing.T, err error, want string) {
	t.Helper()
	if err.Error() != want {
		t.Errorf("error\n got %q\nwant %q", err.Error(), want)
	}
}

// throttled answers every request with a 429 that asks to retry after
// retryAfter.
func throttled(retryAfter string) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", retryAfter)
		fail(w, http.StatusTooManyRequests, 971, "Please wait")
	}
}

// rawAnswer answers every request with body, as it is, as JSON.
func rawAnswer(body string) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

func create(name, typ, content string) controller.Change {
	return controller.Change{Action: controller.ActionCreate, Zone: testZone, Name: name, Type: typ,
		After: &controller.Record{Name: name, Type: typ, Content: content, TTL: 1}}
}

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
			h := newHarness(t, rawAnswer(body))
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
