package notify

import (
	"net/http"
	"time"

	"github.com/flarewarden/flarewarden/controller/retry"
)

// Retry delays.
const (
	// maxBackoff caps the doubling backoff.
	maxBackoff = time.Minute
	// maxRetryAfter caps the wait a 429's Retry-After may ask for.
	maxRetryAfter = time.Minute
)

// delay is the wait before the attempt after attempt number n (from 1):
// the backoff doubled n-1 times, capped at maxBackoff, plus up to half of
// it at random; or the server's Retry-After when that is longer.
func (n *Notifier) delay(attempt int, retryAfter time.Duration) time.Duration {
	b := retry.Backoff{Base: n.s.backoff, Max: maxBackoff, Jitter: retry.Above}
	return max(b.Delay(attempt), retryAfter)
}

// retryAfter reads a Retry-After (seconds or an HTTP date, relative to
// now), capped at maxRetryAfter. Junk, and a date already past, give zero:
// the backoff applies.
func retryAfter(h http.Header, now time.Time) time.Duration {
	d, _ := retry.ParseAfter(h.Get("Retry-After"), now)
	return min(d, maxRetryAfter)
}
