package notify

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
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
	d := n.s.backoff
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	if half := d / 2; half > 0 {
		d += rand.N(half)
	}
	return max(d, retryAfter)
}

// retryAfter reads a Retry-After given in seconds, capped at
// maxRetryAfter. Dates and junk give zero: the backoff applies.
func retryAfter(h http.Header) time.Duration {
	secs, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || secs <= 0 {
		return 0
	}
	if secs >= int(maxRetryAfter/time.Second) {
		return maxRetryAfter
	}
	return time.Duration(secs) * time.Second
}

// sleep waits d, or returns the context's error as soon as it is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
