package retry

import (
	"context"
	"time"
)

// Sleep waits d and returns nil, or returns ctx's error as soon as ctx is
// done, whichever comes first. A d of 0 or less does not wait (with ctx
// already done, either may be returned).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
