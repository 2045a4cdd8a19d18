package sim

import (
	"fmt"
	"io"
	"net/http"
	"sync"
)

// PrintRequests wraps h (the simulator's API, say) to print one line per
// request it answered to out: method, path with its query, status. No
// header is printed, so no token is.
func PrintRequests(h http.Handler, out io.Writer) http.Handler {
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
