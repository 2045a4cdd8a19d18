package sim

import (
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// Fault makes matching requests misbehave. Faults are checked in the order
// they were injected, after a request is logged and before it is routed;
// the first matching fault with hits left applies. A fault with only a
// Latency delays the request, which is then answered normally.
type Fault struct {
	Method string // "" = any method
	// Path is a regular expression matched against the URL path as
	// received (e.g. `/dns_records/batch$`). A pattern that does not
	// compile is matched as a literal substring.
	Path  string
	Count int // how many matching requests it hits; 0 (or less) = every one
	// Status is an error status (400-599) answered with an error envelope:
	// 429 carries code 971, 401/403 code 10000, others code 10000+Status.
	// Other non-zero values are answered as 500.
	Status     int
	RetryAfter int           // seconds, sent as Retry-After when > 0 (use with 429)
	Latency    time.Duration // delay before answering; a cancelled request gets no answer
	Drop       bool          // hijack and close the connection without answering
	Malformed  bool          // answer 200 with a truncated JSON body
}

// activeFault is an injected fault and its remaining hits.
type activeFault struct {
	f    Fault
	re   *regexp.Regexp
	left int // remaining hits; 0 = unlimited
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	re, err := regexp.Compile(f.Path)
	if err != nil {
		re = regexp.MustCompile(regexp.QuoteMeta(f.Path))
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		f.Status = http.StatusInternalServerError
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &activeFault{f: f, re: re, left: max(f.Count, 0)})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the first fault matching method and path, using up one
// of its hits, or nil. The caller holds s.mu.
func (s *Server) takeFault(method, path string) *Fault {
	for i, af := range s.faults {
		if af.f.Method != "" && af.f.Method != method || !af.re.MatchString(path) {
			continue
		}
		if af.left > 0 {
			af.left--
			if af.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		f := af.f
		return &f
	}
	return nil
}

// applyFault performs f on the request. It reports whether the request was
// answered (or dropped, or abandoned by the client during the latency) and
// the status it got (0 when nothing was sent).
func applyFault(w http.ResponseWriter, r *http.Request, f Fault, ray string) (status int, answered bool) {
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return 0, true
		}
	}
	switch {
	case f.Drop:
		dropConnection(w)
		return 0, true
	case f.Malformed:
		resp := response{status: http.StatusOK, header: http.Header{}, body: []byte(`{"success":true,"errors":[],"messages":[],"result":{"id":"`)}
		resp.write(w, ray)
		return http.StatusOK, true
	case f.Status != 0:
		resp := errorResponse(errFault(f.Status))
		if f.RetryAfter > 0 {
			resp.header.Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		resp.write(w, ray)
		return f.Status, true
	}
	return 0, false
}

// dropConnection closes the client connection without an answer. Where the
// connection cannot be hijacked (HTTP/2) it aborts the handler the way
// net/http provides for this, which resets the stream.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
