package sim

import (
	"bytes"
	"net/http"
)

// Request is one logged API request. Headers are deliberately not kept, so
// the bearer token never appears in the log.
type Request struct {
	Method string
	Path   string // URL path as received, with or without /client/v4
	Query  string // raw query string
	Body   []byte
	// Status is the HTTP status answered; 0 while in flight, and for a
	// dropped connection or a request abandoned during a fault's latency.
	Status int
}

// Requests returns a copy of the log in arrival order, including requests
// answered by an injected fault.
func (s *Server) Requests() []Request {
	return s.logged(func(*Request) bool { return true })
}

// Writes returns the logged requests whose method is not GET.
func (s *Server) Writes() []Request {
	return s.logged(func(r *Request) bool { return r.Method != http.MethodGet })
}

// ResetLog empties the log. Requests in flight are not logged afterwards.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

func (s *Server) logged(keep func(*Request) bool) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Request{}
	for _, r := range s.log {
		if keep(r) {
			c := *r
			c.Body = bytes.Clone(r.Body)
			out = append(out, c)
		}
	}
	return out
}

// appendLog records r's arrival. The caller holds s.mu.
func (s *Server) appendLog(r *http.Request, body []byte) *Request {
	e := &Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: bytes.Clone(body)}
	s.log = append(s.log, e)
	return e
}

// setStatus records the status a logged request got.
func (s *Server) setStatus(e *Request, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.Status = status
}
