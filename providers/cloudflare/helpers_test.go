package cloudflare

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/flarewarden/flarewarden/controller"
)

// testToken is the token every test client uses; it must never show up in
// an error or a log line.
const testToken = "tok-S3CRET-9f8e7d6c5b4a"

var testZone = controller.Zone{ID: "023e105f4ecef8ad9ca31a8372d0c353", Name: "example.com"}

// hit is one request a test server received.
type hit struct {
	Method string
	Path   string
	Query  string
	Body   string
	Auth   string
	At     time.Time
}

// recorder is a test API: it records every request, then answers with
// handle.
type recorder struct {
	mu     sync.Mutex
	hits   []hit
	handle func(w http.ResponseWriter, r *http.Request, n int) // n: 0-based index of the request
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	n := len(rec.hits)
	rec.hits = append(rec.hits, hit{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/client/v4"),
		Query: r.URL.RawQuery, Body: string(body), Auth: r.Header.Get("Authorization"), At: time.Now()})
	rec.mu.Unlock()
	rec.handle(w, r, n)
}

func (rec *recorder) all() []hit {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]hit(nil), rec.hits...)
}

// harness is a client wired to a recorder, with observed logs.
type harness struct {
	t    *testing.T
	rec  *recorder
	c    *Client
	logs *observer.ObservedLogs
}

// newHarness starts a test server answering with handle and a client for it.
// opts may adjust the client options.
func newHarness(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int), opts ...func(*Options)) *harness {
	t.Helper()
	rec := &recorder{handle: handle}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	core, logs := observer.New(zap.DebugLevel)
	o := Options{Token: testToken, BaseURL: srv.URL + "/client/v4", RateLimit: 1000,
		BackoffBase: time.Millisecond, Logger: zap.New(core)}
	for _, f := range opts {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := &harness{t: t, rec: rec, c: c, logs: logs}
	t.Cleanup(h.checkLogs)
	return h
}

// checkLogs fails the test if any log line carries the token, and checks
// that the server did receive it (so the check means something).
func (h *harness) checkLogs() {
	for _, e := range h.logs.All() {
		line := fmt.Sprintf("%s %v", e.Message, e.ContextMap())
		if strings.Contains(line, testToken) {
			h.t.Errorf("log line contains the token: %s", line)
		}
	}
	for _, x := range h.rec.all() {
		if x.Auth != "Bearer "+testToken {
			h.t.Errorf("%s %s sent Authorization %q", x.Method, x.Path, x.Auth)
		}
	}
}

// apiErr asserts that err is an *APIError without the token and returns it.
func apiErr(t *testing.T, err error) *APIError {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got nil")
	}
	if strings.Contains(err.Error(), testToken) {
		t.Fatalf("error contains the token: %v", err)
	}
	ae, ok := err.(*APIError)
	if !ok {
		t.Fatalf("error %T is not *APIError: %v", err, err)
	}
	return ae
}

// ok writes a success envelope; info, when not nil, is result_info.
func ok(w http.ResponseWriter, result any, info map[string]int) {
	env := map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": result}
	if info != nil {
		env["result_info"] = info
	}
	writeJSON(w, http.StatusOK, env)
}

// fail writes an error envelope with one code and message.
func fail(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"success": false, "messages": []any{}, "result": nil,
		"errors": []any{map[string]any{"code": code, "message": msg}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// zoneList answers a zone listing with the test zone.
func zoneList(w http.ResponseWriter) {
	ok(w, []controller.Zone{testZone}, map[string]int{"page": 1, "per_page": 50, "count": 1, "total_count": 1, "total_pages": 1})
}

// apiRec renders a record as the list endpoint does.
func apiRec(id, name, typ, content string) map[string]any {
	return map[string]any{"id": id, "zone_id": testZone.ID, "name": name, "type": typ, "content": content,
		"proxied": false, "ttl": 1, "tags": []string{}, "meta": map[string]any{}}
}

// sameJSON reports whether two request bodies are equal, or are JSON
// documents with the same fields and values in whatever key order (the
// SDK's types order some keys otherwise than flarewarden's did).
func sameJSON(got, want string) bool {
	if got == want {
		return true
	}
	var g, w any
	if json.Unmarshal([]byte(got), &g) != nil || json.Unmarshal([]byte(want), &w) != nil {
		return false
	}
	return reflect.DeepEqual(g, w)
}

// dropConn closes the connection without an answer.
func dropConn(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}
