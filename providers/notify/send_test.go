package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/retry"
)

var passFail = controller.Event{Kind: controller.EventPassFail, Summary: "reconcile pass failed", Detail: "boom"}

func TestRetryOn503ThenSuccess(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	n, logs := newTest(t, Options{Webhooks: []Webhook{{URL: srv.URL + "/hook"}}})
	if err := n.Notify(testCtx(t), passFail); err != nil {
		t.Fatal(err)
	}
	if got := len(srv.requests()); got != 3 {
		t.Errorf("%d requests, want 3", got)
	}
	entries := logs.FilterMessage("notification attempt failed").All()
	if len(entries) != 2 {
		t.Fatalf("%d warnings, want 2: %v", len(entries), logs.All())
	}
	for i, e := range entries {
		m := e.ContextMap()
		if m["attempt"] != int64(i+1) || m["final"] != false || m["target"] != srv.URL+"/…" ||
			m["field"] != "notify.webhooks[0]" || m["kind"] != "pass_fail" || !strings.Contains(fmt.Sprint(m["error"]), "503") {
			t.Errorf("warning %d fields = %v", i, m)
		}
	}
}

func TestRetriesExhausted(t *testing.T) {
	srv := newServer(t, status(http.StatusBadGateway))
	n, logs := newTest(t, Options{Healthchecks: []string{srv.URL + "/uuid"}, Retries: 2})
	err := n.Notify(testCtx(t), passFail)
	if err == nil || !strings.Contains(err.Error(), "answered 502 Bad Gateway (3 attempts)") {
		t.Errorf("Notify = %v, want a 502 after 3 attempts", err)
	}
	if got := len(srv.requests()); got != 3 {
		t.Errorf("%d requests, want 3", got)
	}
	if last := logs.All()[logs.Len()-1].ContextMap(); last["final"] != true {
		t.Errorf("last warning %v is not final", last)
	}
}

func TestNoRetryOn400(t *testing.T) {
	srv := newServer(t, status(http.StatusBadRequest))
	n, logs := newTest(t, Options{UptimeKuma: []string{srv.URL + "/api/push/tok"}})
	err := n.Notify(testCtx(t), passFail)
	if err == nil || err.Error() != "notify.uptime_kuma[0] "+srv.URL+"/…: answered 400 Bad Request" {
		t.Errorf("Notify = %v", err)
	}
	if got := len(srv.requests()); got != 1 || logs.Len() != 1 {
		t.Errorf("%d requests and %d warnings, want 1 and 1", got, logs.Len())
	}
}

func TestRetryAfterOn429(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration // the wait before the second attempt; 0: the backoff
		slack  time.Duration // how much shorter it may be: a date has whole seconds
	}{
		{"7", 7 * time.Second, 0},
		{"3600", maxRetryAfter, 0},
		{"", 0, 0},
		{"soon", 0, 0},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, 0},
		{time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat), 30 * time.Second, 2 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.header, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 1 {
					w.Header().Set("Retry-After", tc.header)
					w.WriteHeader(http.StatusTooManyRequests)
				}
			})
			n, _ := newTest(t, Options{Webhooks: []Webhook{{URL: srv.URL}}})
			var mu sync.Mutex
			var waits []time.Duration
			n.wait = func(_ context.Context, d time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				waits = append(waits, d)
				return nil
			}
			if err := n.Notify(testCtx(t), passFail); err != nil {
				t.Fatal(err)
			}
			if len(waits) != 1 || len(srv.requests()) != 2 {
				t.Fatalf("waits %v and %d requests, want 1 wait and 2 requests", waits, len(srv.requests()))
			}
			if tc.want == 0 && (waits[0] < time.Millisecond || waits[0] > 2*time.Millisecond) ||
				tc.want != 0 && (waits[0] < tc.want-tc.slack || waits[0] > tc.want) {
				t.Errorf("waited %s, want %s (0: the 1 ms backoff with jitter)", waits[0], tc.want)
			}
		})
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	elsewhere := newServer(t, nil)
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/stolen", http.StatusFound)
	})
	n, _ := newTest(t, Options{Webhooks: []Webhook{{URL: srv.URL + "/hook", Headers: map[string]string{"Authorization": "Bearer tok"}}}})
	err := n.Notify(testCtx(t), passFail)
	if err == nil || !strings.Contains(err.Error(), "answered 302 Found: redirects are not followed") {
		t.Errorf("Notify = %v, want a redirect failure", err)
	}
	if strings.Contains(fmt.Sprint(err), elsewhere.URL) {
		t.Errorf("error %q names the redirect target", err)
	}
	if got, hit := len(srv.requests()), len(elsewhere.requests()); got != 1 || hit != 0 {
		t.Errorf("%d requests, %d to the redirect target; want 1 and 0", got, hit)
	}
}

func TestAttemptTimeout(t *testing.T) {
	srv := newServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	var sent atomic.Int32 // counted by the client: the server may see an abandoned attempt late, or never
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	n, logs := newTest(t, Options{Healthchecks: []string{srv.URL + "/uuid"}, Timeout: 50 * time.Millisecond, Retries: 1,
		HTTPClient: client})
	err := n.Notify(testCtx(t), passFail)
	if err == nil || !strings.Contains(err.Error(), "no answer within 50ms (2 attempts)") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Notify = %v, want a timeout after 2 attempts", err)
	}
	if sent.Load() != 2 || logs.Len() != 2 {
		t.Errorf("%d requests sent and %d warnings, want 2 and 2", sent.Load(), logs.Len())
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestContextCancelled(t *testing.T) {
	t.Run("before sending", func(t *testing.T) {
		srv := newServer(t, nil)
		n, _ := newTest(t, Options{Webhooks: []Webhook{{URL: srv.URL}}})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := n.Notify(ctx, passFail)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "not sent: context canceled") {
			t.Errorf("Notify = %v, want not sent: context canceled", err)
		}
		if len(srv.requests()) != 0 {
			t.Errorf("%d requests, want 0", len(srv.requests()))
		}
	})
	t.Run("while waiting to retry", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		srv := newServer(t, status(http.StatusServiceUnavailable))
		n, _ := newTest(t, Options{Webhooks: []Webhook{{URL: srv.URL}}, Backoff: time.Hour})
		n.wait = func(ctx context.Context, d time.Duration) error {
			cancel() // the caller gives up while the hour-long backoff runs
			return retry.Sleep(ctx, d)
		}
		start := time.Now()
		err := n.Notify(ctx, passFail)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "answered 503 Service Unavailable; retries stopped: context canceled") {
			t.Errorf("Notify = %v", err)
		}
		if took := time.Since(start); took > 3*time.Second || len(srv.requests()) != 1 {
			t.Errorf("took %s and %d requests, want quick and 1", took, len(srv.requests()))
		}
	})
}

// TestNoSecretInErrorsOrLogs checks that neither errors nor log lines
// show a URL's path, query or user info, nor a header value, whatever
// goes wrong. net/http's *url.Error quotes the whole URL: the unreachable
// case is the one that matters.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	secrets := []string{"s3cretpath", "s3cretquery", "s3crethdr", "s3cretpass", "s3cretkuma"}
	redirector := func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:1/s3cretpath", http.StatusTemporaryRedirect)
	}
	tests := []struct {
		name     string
		base     func(t *testing.T) string
		attempts int // per target
	}{
		{"unreachable", closedURL, 2},
		{"server error", func(t *testing.T) string { return newServer(t, status(http.StatusInternalServerError)).URL }, 2},
		{"redirect", func(t *testing.T) string { return newServer(t, redirector).URL }, 1},
		{"timeout", func(t *testing.T) string {
			return newServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }).URL
		}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base(t)
			withUser := strings.Replace(base, "http://", "http://user:s3cretpass@", 1)
			n, logs := newTest(t, Options{
				Webhooks:     []Webhook{{URL: base + "/hook/s3cretpath?key=s3cretquery", Headers: map[string]string{"Authorization": "Bearer s3crethdr"}}},
				Healthchecks: []string{withUser + "/s3cretpath/slug?k=s3cretquery"},
				UptimeKuma:   []string{base + "/api/push/s3cretkuma?status=up&msg=OK&ping="},
				Retries:      1,
				Timeout:      100 * time.Millisecond,
			})
			err := n.Notify(testCtx(t), passFail)
			if err == nil {
				t.Fatal("Notify = nil, want failures")
			}
			text := []string{err.Error()}
			for _, e := range logs.All() {
				text = append(text, e.Message+" "+fmt.Sprint(e.ContextMap()))
			}
			if want := 1 + 3*tc.attempts; len(text) != want {
				t.Errorf("%d texts, want the error and %d warnings: %q", len(text), want-1, text)
			}
			for _, s := range secrets {
				for _, line := range text {
					if strings.Contains(line, s) {
						t.Errorf("%q shows the secret %q", line, s)
					}
				}
			}
		})
	}
}

func TestDelayDoublesWithJitter(t *testing.T) {
	n := &Notifier{s: settings{backoff: 10 * time.Millisecond}}
	for attempt, base := range map[int]time.Duration{1: 10 * time.Millisecond, 2: 20 * time.Millisecond, 3: 40 * time.Millisecond, 200: maxBackoff} {
		for range 50 {
			if d := n.delay(attempt, 0); d < base || d > base+base/2 {
				t.Fatalf("delay(%d) = %s, want [%s, %s]", attempt, d, base, base+base/2)
			}
		}
	}
	if d := n.delay(1, 5*time.Second); d != 5*time.Second {
		t.Errorf("delay with Retry-After 5s = %s", d)
	}
}
