package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// simServer is one listener of `flarewarden sim`.
type simServer struct {
	flag, addr string
	handler    http.Handler
	banner     string // printf format of the line announcing the address
}

// serveAll serves every server until ctx ends or one fails, then shuts
// them all down.
func serveAll(ctx context.Context, servers []simServer, out io.Writer) error {
	errc := make(chan error, len(servers))
	var running []*http.Server
	defer func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, srv := range running {
			_ = srv.Shutdown(shutdown)
		}
	}()
	for _, sv := range servers {
		ln, err := net.Listen("tcp", sv.addr)
		if err != nil {
			return fmt.Errorf("sim %s: %w", sv.flag, err)
		}
		srv := &http.Server{Handler: sv.handler, ReadHeaderTimeout: 10 * time.Second}
		running = append(running, srv)
		fmt.Fprintf(out, sv.banner+"\n", ln.Addr())
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("sim: %w", err)
	case <-ctx.Done():
		return nil
	}
}

// logRequests prints one line per request answered by h: method, path
// (with its query), status.
func logRequests(h http.Handler, out io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, "%s %s %d\n", r.Method, r.URL.RequestURI(), rec.status)
	})
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
