package health

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// testTimeout is the timeout of checks that should answer at once.
const testTimeout = 5 * time.Second

// cf returns the headers of an answer through Cloudflare, plus extra
// name/value pairs.
func cf(extra ...string) http.Header {
	h := http.Header{"Server": {"cloudflare"}, "Cf-Ray": {"8f0c1a2b3c4d5e6f-AMS"}}
	return withHeaders(h, extra...)
}

// hdr returns headers made of name/value pairs.
func hdr(pairs ...string) http.Header { return withHeaders(http.Header{}, pairs...) }

func withHeaders(h http.Header, pairs ...string) http.Header {
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Set(pairs[i], pairs[i+1])
	}
	return h
}

// answerHandler answers every request with status, the headers and body.
func answerHandler(status int, h http.Header, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for name, values := range h {
			w.Header()[name] = values
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// newServer starts an HTTP server on 127.0.0.1, closed when the test ends.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// addrOf is the "host:port" of a test server.
func addrOf(s *httptest.Server) string { return s.Listener.Addr().String() }

// newProber builds a prober or fails the test.
func newProber(t *testing.T, o Options) *Prober {
	t.Helper()
	p, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// probeOne runs a prober of the single check c and returns its result.
func probeOne(t *testing.T, c Check, in controller.ProbeInput, opts ...func(*Prober)) controller.CheckResult {
	t.Helper()
	p := newProber(t, Options{Checks: []Check{c}})
	for _, o := range opts {
		o(p)
	}
	res := p.Probe(context.Background(), in)
	if len(res) != 1 {
		t.Fatalf("got %d results, want 1", len(res))
	}
	return res[0]
}

// edgeCheck is a check of http://app.example.test/ pinned to addr.
func edgeCheck(addr string) Check {
	return Check{Name: "app", URL: "http://app.example.test/health", Timeout: testTimeout, EdgeAddress: addr}
}

// listen starts a TCP listener on 127.0.0.1 whose connections are handed
// to serve; all are closed when the test ends.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { serve(conn) })
		}
	})
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })
	return l.Addr().String()
}

// silentListener accepts connections and never answers; the connections
// are closed when the test ends.
func silentListener(t *testing.T) string {
	t.Helper()
	done := make(chan struct{})
	addr := listen(t, func(conn net.Conn) {
		<-done
		_ = conn.Close()
	})
	t.Cleanup(func() { close(done) })
	return addr
}

// resetListener reads each request, then resets the connection (SO_LINGER
// 0), as an IPS dropping the source does.
func resetListener(t *testing.T) string {
	t.Helper()
	return listen(t, func(conn net.Conn) {
		r := bufio.NewReader(conn)
		for {
			line, err := r.ReadString('\n')
			if err != nil || strings.TrimSpace(line) == "" {
				break
			}
		}
		_ = conn.(*net.TCPConn).SetLinger(0)
		_ = conn.Close()
	})
}

// wantClass fails unless d has class want.
func wantClass(t *testing.T, d controller.Diagnosis, want controller.Class) {
	t.Helper()
	if d.Class != want {
		t.Fatalf("class %q (%s), want %q", d.Class, d.Explanation, want)
	}
	if d.Explanation == "" {
		t.Fatalf("class %q without explanation", d.Class)
	}
	t.Logf("%s (HTTP %d): %s; hint: %s", d.Class, d.Status, d.Explanation, d.Hint)
}

// wantContains fails unless s contains every part.
func wantContains(t *testing.T, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Fatalf("%q does not contain %q", s, p)
		}
	}
}
