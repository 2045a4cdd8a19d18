package leader

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Causes of a fence's end.
var (
	errRenewalOverdue = errors.New("leader: lease renewal overdue")
	errReleasing      = errors.New("leader: releasing the lease")
	errCampaignEnded  = errors.New("leader: campaign ended")
)

// fence bounds a term by the Lease: its context ends bound after the start of the last successful
// renewal, unless a later renewal extends it, so that a term stops even while the API server hangs.
//
// Another replica takes over LeaseDuration after it observed this replica's last renewal, and it
// cannot observe a renewal before the renewal's request was sent. With bound < LeaseDuration (whole
// seconds, as the Lease stores it), the fence ends strictly before any other replica can acquire.
// Once ended, it stays ended: a renewal cannot revive it.
type fence struct {
	bound  time.Duration
	ctx    context.Context
	cancel context.CancelCauseFunc
	log    *zap.Logger

	mu       sync.Mutex
	timer    *time.Timer // nil until the first renewal
	deadline time.Time   // when the timer is due: the last renewal's send plus bound
}

// newFence returns a fence that also ends when parent ends. It ends bound after the first
// renewal; before one, it has no deadline and live reports false.
func newFence(parent context.Context, bound time.Duration, log *zap.Logger) *fence {
	ctx, cancel := context.WithCancelCause(parent)
	return &fence{bound: bound, ctx: ctx, cancel: cancel, log: log}
}

// Done is closed when the fence has ended.
func (f *fence) Done() <-chan struct{} { return f.ctx.Done() }

// live reports whether the fence has seen a renewal and has not ended.
func (f *fence) live() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.timer != nil && f.ctx.Err() == nil
}

// renewed moves the deadline to sent+bound, sent being when the successful renewal's request
// was sent. It does nothing once the fence has ended.
func (f *fence) renewed(sent time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ctx.Err() != nil {
		return
	}
	f.deadline = sent.Add(f.bound)
	left := time.Until(f.deadline)
	if f.timer == nil {
		f.timer = time.AfterFunc(left, f.expire)
		return
	}
	f.timer.Reset(left)
}

// check returns nil while the term may act: the fence has seen a renewal and has not ended, and
// its deadline has not passed by the clock. Past the deadline it ends the fence at once, even
// before its timer has fired: after a stall (GC pause, frozen VM, SIGSTOP) overdue timers fire in
// no particular order, so a goroutine woken by its own timer could otherwise still act.
func (f *fence) check() error {
	f.mu.Lock()
	started, overdue := f.timer != nil, f.timer != nil && !time.Now().Before(f.deadline)
	f.mu.Unlock()
	if overdue {
		f.expire()
	}
	if err := f.ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", errTermEnded, context.Cause(f.ctx))
	}
	if !started {
		return fmt.Errorf("%w: no renewal yet", errTermEnded)
	}
	return nil
}

// expire ends the fence because no renewal succeeded in time.
func (f *fence) expire() {
	if f.ctx.Err() != nil {
		return
	}
	f.log.Warn("lease renewal overdue, stopping the term", zap.Duration("bound", f.bound))
	f.cancel(errRenewalOverdue)
}

// stop ends the fence now, with cause.
func (f *fence) stop(cause error) {
	f.cancel(cause)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.timer != nil {
		f.timer.Stop()
	}
}

// fencedLock is the Lease lock as the elector sees it, with two guarantees added:
//   - each successful Create or Update of this replica's own record extends the fence;
//   - an Update that releases the Lease (a record without a holder) first calls endTerm, which
//     ends the running term and waits for it, bounded by the Update's context; if it fails, the
//     release is not written and the Lease expires on its own instead.
//
// The elector releases the Lease (ReleaseOnCancel) before it cancels the context of the term, so
// without the second guarantee the term would outlive the Lease it depends on.
type fencedLock struct {
	lock
	fence   *fence
	endTerm func(ctx context.Context) error
}

// Create creates the record, extending the fence if it is this replica's and was written.
func (l *fencedLock) Create(ctx context.Context, r record) error {
	sent := time.Now()
	if err := l.lock.Create(ctx, r); err != nil {
		return err
	}
	l.held(r, sent)
	return nil
}

// Update writes the record: a release only after the term has ended; a renewal of this
// replica's record extends the fence once written.
func (l *fencedLock) Update(ctx context.Context, r record) error {
	if r.HolderIdentity == "" {
		if err := l.endTerm(ctx); err != nil {
			return err
		}
		return l.lock.Update(ctx, r)
	}
	sent := time.Now()
	if err := l.lock.Update(ctx, r); err != nil {
		return err
	}
	l.held(r, sent)
	return nil
}

// held extends the fence when r, written by a request sent at sent, names this replica.
func (l *fencedLock) held(r record, sent time.Time) {
	if r.HolderIdentity == l.Identity() {
		l.fence.renewed(sent)
	}
}
