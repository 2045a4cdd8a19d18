package sim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestFaultStatuses(t *testing.T) {
	tests := []struct {
		status, code int
		retryAfter   int
	}{
		{http.StatusTooManyRequests, codeRateLimited, 2},
		{http.StatusInternalServerError, 10500, 0},
		{http.StatusBadGateway, 10502, 0},
		{http.StatusServiceUnavailable, 10503, 0},
		{http.StatusForbidden, codeAuth, 0},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			h := newHarness(t)
			h.s.Inject(Fault{Path: `/dns_records$`, Status: tt.status, RetryAfter: tt.retryAfter})
			a := h.do(http.MethodPost, h.zonePath("/dns_records"), map[string]any{"name": "a", "type": "A", "content": "192.0.2.1"})
			a.fails(t, tt.status, tt.code)
			if got, want := a.header.Get("Retry-After"), map[bool]string{true: "2"}[tt.retryAfter > 0]; got != want {
				t.Errorf("Retry-After = %q, want %q", got, want)
			}
			if a.header.Get("Cf-Ray") == "" {
				t.Error("no cf-ray on a faulted answer")
			}
			if len(h.s.Records(testZone)) != 0 {
				t.Error("a faulted write was applied")
			}
			if log := h.s.Requests(); len(log) != 1 || log[0].Status != tt.status {
				t.Errorf("log = %+v", log)
			}
		})
	}
}

func TestFaultMatching(t *testing.T) {
	h := newHarness(t)
	h.s.Inject(Fault{Method: http.MethodPost, Path: `/dns_records/batch$`, Count: 2, Status: 502})
	h.s.Inject(Fault{Path: `^/client/v4/zones$`, Status: 503})
	list := h.zonePath("/dns_records")
	h.do(http.MethodGet, list, nil).ok(t, nil)                                                    // neither path matches
	h.do(http.MethodGet, h.zonePath("/dns_records/batch"), nil).fails(t, 404, codeRecordNotFound) // method differs
	h.batch("{}").fails(t, 502, 10502)
	h.batch("{}").fails(t, 502, 10502)
	h.batch("{}").ok(t, nil) // Count used up
	for range 3 {
		h.do(http.MethodGet, "/zones", nil).fails(t, 503, 10503) // Count 0: every time
	}
	h.s.ClearFaults()
	h.do(http.MethodGet, "/zones", nil).ok(t, nil)
}

func TestFaultInvalidPatternIsLiteral(t *testing.T) {
	s := New()
	s.Inject(Fault{Path: "dns_records/(["})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.takeFault("GET", "/zones/x/dns_records") != nil {
		t.Error("invalid pattern matched a path without it")
	}
	if s.takeFault("GET", "/zones/x/dns_records/([") == nil {
		t.Error("invalid pattern did not match literally")
	}
}

func TestFaultLatency(t *testing.T) {
	const delay = 500 * time.Millisecond // the second request has that much time to show no delay
	h := newHarness(t)
	h.s.Inject(Fault{Path: `/zones$`, Count: 1, Latency: delay})
	start := time.Now()
	h.do(http.MethodGet, "/zones", nil).ok(t, nil)
	if d := time.Since(start); d < delay {
		t.Errorf("answered after %v, want >= %v", d, delay)
	}
	start = time.Now()
	h.do(http.MethodGet, "/zones", nil).ok(t, nil)
	if d := time.Since(start); d >= delay {
		t.Errorf("second request took %v; the latency fault had Count 1", d)
	}
}

func TestFaultLatencyRespectsCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/zones", nil)
	rec := httptest.NewRecorder()
	start := time.Now()
	status, answered := applyFault(rec, req, Fault{Latency: time.Minute, Status: 500}, "ray")
	if !answered || status != 0 || rec.Body.Len() != 0 || time.Since(start) > time.Second {
		t.Errorf("cancelled request: status %d answered %v body %q", status, answered, rec.Body)
	}
}

// TestFaultLatencyClientTimeout relies on httptest.Server.Close waiting for
// handlers: if the latency ignored the cancelled request, cleanup would
// hang for a minute.
func TestFaultLatencyClientTimeout(t *testing.T) {
	h := newHarness(t)
	h.s.Inject(Fault{Path: `/zones$`, Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.base+"/zones", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("want a client timeout")
	}
}

func TestFaultDrop(t *testing.T) {
	h := newHarness(t)
	h.s.Inject(Fault{Path: `/zones$`, Count: 1, Drop: true})
	req, _ := http.NewRequest(http.MethodGet, h.base+"/zones", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped request got an answer: %d", resp.StatusCode)
	}
	if log := h.s.Requests(); len(log) != 1 || log[0].Status != 0 {
		t.Errorf("log = %+v, want one entry with status 0", log)
	}
	h.do(http.MethodGet, "/zones", nil).ok(t, nil)
}

func TestFaultMalformed(t *testing.T) {
	h := newHarness(t)
	h.s.Inject(Fault{Path: `/dns_records$`, Malformed: true})
	req, _ := http.NewRequest(http.MethodGet, h.base+h.zonePath("/dns_records"), nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Valid(body) || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if log := h.s.Requests(); len(log) != 1 || log[0].Status != 200 {
		t.Errorf("log = %+v", log)
	}
}

func TestFaultNonErrorStatusBecomes500(t *testing.T) {
	h := newHarness(t)
	h.s.Inject(Fault{Path: `/zones$`, Count: 2, Status: 42})
	h.s.Inject(Fault{Path: `/zones$`, Status: 302})
	h.do(http.MethodGet, "/zones", nil).fails(t, 500, 10500)
	h.do(http.MethodGet, "/zones", nil).fails(t, 500, 10500)
	h.do(http.MethodGet, "/zones", nil).fails(t, 500, 10500)
}
