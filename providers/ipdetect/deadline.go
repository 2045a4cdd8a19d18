package ipdetect

import (
	"context"
	"errors"
	"time"
)

// timedOut reports whether ctx's deadline has passed, even when the timer
// that marks ctx done has not fired yet (I/O deadlines share the instant).
func timedOut(ctx context.Context) bool {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// timeLeft is the time until ctx's deadline, or defaultTimeout without one.
func timeLeft(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl), time.Millisecond)
	}
	return defaultTimeout
}
