package notify

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/flarewarden/flarewarden/providers/nettest"
)

// seen is one request a test server received.
type seen struct {
	method string
	path   string
	query  string
	header http.Header
	body   string
}

// server is a loopback test server that records requests and answers
// with reply(n), n counting requests from 1.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

// newServer starts a recording server on 127.0.0.1; reply may be nil (200).
func newServer(t *testing.T, reply func(n int, w http.ResponseWriter, r *http.Request)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body)})
		n := len(s.reqs)
		s.mu.Unlock()
		if reply != nil {
			reply(n, w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns a copy of what the server received.
func (s *server) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

// status answers every request with code.
func status(code int) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// closedURL returns an http URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string { return "http://" + nettest.ClosedPort(t) }

// newTest builds a Notifier with fast test delays (unless o sets them)
// and an observed logger.
func newTest(t *testing.T, o Options) (*Notifier, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	o.Logger = zap.New(core)
	if o.Backoff == 0 {
		o.Backoff = time.Millisecond
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	n, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return n, logs
}

// testCtx is a context that ends with the test, bounded to 10 s.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
