package ipdetect

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

// newServer starts an HTTP server on 127.0.0.1 that is closed at the end of
// the test.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// newServer6 starts an HTTP server on [::1] only.
func newServer6(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	return newLoopbackServer(t, controller.IPv6, h, false)
}

// newLoopbackServer starts a server (HTTPS with useTLS) on the loopback
// address of family f only, closed at the end of the test; it skips the
// test where that loopback is missing.
func newLoopbackServer(t *testing.T, f controller.Family, h http.Handler, useTLS bool) *httptest.Server {
	t.Helper()
	network, addr := "tcp4", "127.0.0.1:0"
	if f == controller.IPv6 {
		network, addr = "tcp6", "[::1]:0"
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("no %s loopback: %v", f, err)
	}
	s := httptest.NewUnstartedServer(h)
	s.Listener.Close()
	s.Listener = l
	if useTLS {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// textHandler answers every request with status and body.
func textHandler(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// blockingHandler answers only when the client goes away.
func blockingHandler(w http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
}

// wantBuilt fails unless err is as wantErr wants it and exactly one of v
// and err is nil, as a constructor promises.
func wantBuilt[T any](t *testing.T, v *T, err error, want string) {
	t.Helper()
	wantErr(t, err, want)
	if (v == nil) == (err == nil) {
		t.Fatalf("got %v, %v: want exactly one of them", v, err)
	}
}

// wantErr fails unless err is non-nil and contains want (or, with want
// empty, unless err is nil).
func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q does not contain %q", err, want)
	}
}
