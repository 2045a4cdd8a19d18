package daemon

import (
	"context"
	"math"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/retry"
)

// Schedule tells when the next scheduled pass is due (robfig/cron's
// Schedule satisfies it).
type Schedule interface {
	Next(time.Time) time.Time
}

// Backoff bounds the retry delay after soft errors: Base doubles with each
// consecutive soft failure up to Max, with jitter.
type Backoff struct {
	Base time.Duration
	Max  time.Duration
}

// Loop runs passes: one at start, then on the schedule, on a trigger, and
// sooner after a soft error (429, 5xx, timeouts) with exponential backoff.
// Hard errors wait for the next scheduled pass. When a pass error asks for
// a delay (see RetryDelay), no pass starts before it has passed, whatever
// the schedule, backoff or triggers say; a trigger meanwhile runs a pass
// right after it. It never exits on a failed pass, only when ctx is
// cancelled.
type Loop struct {
	Pass     func(ctx context.Context) error
	Schedule Schedule
	Backoff  Backoff
	// Trigger asks for a pass now; may be nil.
	Trigger <-chan struct{}
	Log     *zap.Logger
	// Now defaults to time.Now.
	Now func() time.Time
}

// Run blocks until ctx is cancelled and returns nil then. A pass in flight
// sees the cancellation through its context.
func (l *Loop) Run(ctx context.Context) error {
	now := l.Now
	if now == nil {
		now = time.Now
	}
	softFailures := 0
	for {
		err := l.Pass(ctx)
		if ctx.Err() != nil {
			return nil
		}
		softFailures = l.nextFailures(err, softFailures)
		hold, next := l.nextWait(err, softFailures, now())
		l.Log.Debug("next pass scheduled", zap.Duration("in", next), zap.Duration("retry_after", hold))
		if !sleepOrTrigger(ctx, hold, nil, l.Log) || !sleepOrTrigger(ctx, next-hold, l.Trigger, l.Log) {
			return nil
		}
	}
}

// nextWait returns how long to wait for the next pass: until the next
// scheduled one, or the backoff after soft failures when that is sooner,
// but never less than hold, the delay the pass error asks for.
func (l *Loop) nextWait(err error, softFailures int, now time.Time) (hold, wait time.Duration) {
	wait = l.untilNext(now)
	if softFailures > 0 {
		wait = min(wait, l.Backoff.delay(softFailures))
	}
	hold = controller.RetryDelay(err)
	return hold, max(wait, hold)
}

// noNext is the wait when the schedule never fires again: passes then
// come only from triggers and soft-error retries.
const noNext = time.Duration(math.MaxInt64)

// untilNext is the time until the next scheduled pass, or noNext (logged)
// when the schedule has none, such as a cron spec for February 30.
func (l *Loop) untilNext(now time.Time) time.Duration {
	next := l.Schedule.Next(now)
	if next.IsZero() {
		l.Log.Error("schedule has no next run, passes only on triggers")
		return noNext
	}
	return max(next.Sub(now), 0)
}

// nextFailures logs the pass result and returns the new count of
// consecutive soft failures.
func (l *Loop) nextFailures(err error, soft int) int {
	switch {
	case err == nil:
		return 0
	case controller.IsSoft(err):
		l.Log.Warn("pass failed, retrying with backoff", zap.Error(err), zap.Int("consecutive_soft_errors", soft+1))
		return soft + 1
	default:
		l.Log.Error("pass failed", zap.Error(err))
		return 0
	}
}

// sleepOrTrigger waits d, cut short by a value on trigger (nil: none); it
// reports false when ctx ends. Without a trigger, d <= 0 does not wait at
// all. (A plain wait is retry.Sleep; this one also wakes on a trigger.)
func sleepOrTrigger(ctx context.Context, d time.Duration, trigger <-chan struct{}, log *zap.Logger) bool {
	if d <= 0 && trigger == nil {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-trigger:
		log.Info("pass triggered")
	}
	return true
}

// delay returns the backoff before retry n (1-based): Base*2^(n-1) capped
// at Max, with "equal jitter" (between half and all of it): never past
// Max, never sooner than half of it.
func (b Backoff) delay(n int) time.Duration {
	return retry.Backoff{Base: b.Base, Max: b.Max, Jitter: retry.Equal}.Delay(n)
}
