package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testToken = "test-token"
	testZone  = "example.com"
)

// t0 is the start of the test clock.
var t0 = time.Date(2024, 8, 6, 12, 0, 0, 123456789, time.UTC)

// tickingClock returns a clock that starts at t0 and advances a second per call.
func tickingClock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return t0.Add(time.Duration(n.Add(1)-1) * time.Second) }
}

// harness is a simulator served over loopback HTTP with a user token and
// zone example.com.
type harness struct {
	t    *testing.T
	s    *Server
	base string // http://127.0.0.1:port/client/v4
	zone Zone
}

func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	s := New(append([]Option{WithClock(tickingClock())}, opts...)...)
	s.AddToken(testToken, TokenOptions{})
	h := &harness{t: t, s: s, zone: s.AddZone(testZone)}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	h.base = srv.URL + apiPrefix
	return h
}

// answer is a decoded API answer.
type answer struct {
	status int
	header http.Header
	raw    []byte
	env    struct {
		Success    bool            `json:"success"`
		Errors     []message       `json:"errors"`
		Messages   []message       `json:"messages"`
		Result     json.RawMessage `json:"result"`
		ResultInfo *resultInfo     `json:"result_info"`
	}
}

// do sends a request with the test token. body is marshalled unless it is
// a string, which is sent as is.
func (h *harness) do(method, path string, body any) answer {
	h.t.Helper()
	return h.doAs("Bearer "+testToken, method, path, body)
}

// doAs sends a request with the given Authorization header ("" = none).
func (h *harness) doAs(auth, method, path string, body any) answer {
	h.t.Helper()
	header := http.Header{}
	if auth != "" {
		header.Set("Authorization", auth)
	}
	return h.doWith(header, method, path, body)
}

// doWith sends a request with exactly the given headers (besides those Go
// adds).
func (h *harness) doWith(header http.Header, method, path string, body any) answer {
	h.t.Helper()
	req, err := http.NewRequest(method, h.base+path, bodyReader(h.t, body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header = header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	if a.raw, err = io.ReadAll(resp.Body); err != nil {
		h.t.Fatal(err)
	}
	if err := json.Unmarshal(a.raw, &a.env); err != nil {
		h.t.Fatalf("%s %s: body is not an envelope: %v\n%s", method, path, err, a.raw)
	}
	return a
}

func bodyReader(t *testing.T, body any) io.Reader {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(data)
	}
}

// ok fails unless the answer is a 200 success, and decodes its result into v.
func (a answer) ok(t *testing.T, v any) {
	t.Helper()
	a.succeeds(t, http.StatusOK, v)
}

// created is ok for the 201 success of an asynchronous list operation.
func (a answer) created(t *testing.T, v any) {
	t.Helper()
	a.succeeds(t, http.StatusCreated, v)
}

// succeeds fails unless the answer is a success with status, and decodes
// its result into v.
func (a answer) succeeds(t *testing.T, status int, v any) {
	t.Helper()
	if a.status != status || !a.env.Success || len(a.env.Errors) != 0 {
		t.Fatalf("want success, got %d: %s", a.status, a.raw)
	}
	if v != nil {
		if err := json.Unmarshal(a.env.Result, v); err != nil {
			t.Fatalf("result: %v\n%s", err, a.raw)
		}
	}
}

// fails fails unless the answer is an error envelope with status and code.
func (a answer) fails(t *testing.T, status, code int) {
	t.Helper()
	a.failsWith(t, status, code)
}

// failsWith fails unless the answer is an error envelope with status whose
// errors carry codes, in order.
func (a answer) failsWith(t *testing.T, status int, codes ...int) {
	t.Helper()
	got := make([]int, 0, len(a.env.Errors))
	for _, e := range a.env.Errors {
		got = append(got, e.Code)
	}
	if a.status != status || a.env.Success || !slices.Equal(got, codes) {
		t.Fatalf("want %d codes %v, got %d: %s", status, codes, a.status, a.raw)
	}
	if string(a.env.Result) != "null" {
		t.Errorf("failure result = %s, want null", a.env.Result)
	}
}

// zonePath is the path of the test zone plus suffix.
func (h *harness) zonePath(suffix string) string {
	return "/zones/" + h.zone.ID + suffix
}

// create posts a record and returns it, failing the test on error.
func (h *harness) create(rec map[string]any) Record {
	h.t.Helper()
	var r Record
	h.do(http.MethodPost, h.zonePath("/dns_records"), rec).ok(h.t, &r)
	return r
}

// seed adds records through the Go API.
func (h *harness) seed(recs ...Record) []Record {
	h.t.Helper()
	out := make([]Record, 0, len(recs))
	for _, r := range recs {
		got, err := h.s.AddRecord(testZone, r)
		if err != nil {
			h.t.Fatalf("AddRecord(%+v): %v", r, err)
		}
		out = append(out, got)
	}
	return out
}
