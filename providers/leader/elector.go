package leader

import (
	"context"
	"math/rand/v2"
	"time"

	"go.uber.org/zap"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/flarewarden/flarewarden/controller/retry"
)

// jitterFactor scales the random extra wait between two tries to acquire the Lease: up to
// jitterFactor*RetryPeriod (client-go's leaderelection.JitterFactor).
const jitterFactor = 1.2

// elector campaigns for a lock once, as client-go's leaderelection.LeaderElector (uncoordinated)
// does, with the same timings:
//   - it tries to acquire the lock at once and then every RetryPeriod plus a jitter of up to
//     jitterFactor*RetryPeriod, until it succeeds or its context ends;
//   - a Lease held by another replica is taken only once LeaseDuration (the Lease's whole seconds)
//     has passed, by the local clock, since this replica last observed the Lease's record change;
//   - once it holds the lock it starts onStartedLeading on its own goroutine, with a context that
//     ends when run returns, and renews every RetryPeriod: a renewal retries every RetryPeriod
//     for up to RenewDeadline, and when it fails, or the context ends, leadership is over;
//   - then, with releaseOnCancel, it releases the Lease (a record without a holder, lasting 1s) if
//     it last observed itself as the holder, and returns.
//
// onNewLeader is called, on run's goroutine (client-go uses a new goroutine per call), whenever the
// observed holder changes. An elector runs once.
type elector struct {
	lock                                      lock
	leaseDuration, renewDeadline, retryPeriod time.Duration
	releaseOnCancel                           bool
	onStartedLeading                          func(ctx context.Context)
	onNewLeader                               func(holder string)
	log                                       *zap.Logger

	// Used only on run's goroutine.
	observed     record    // the record last read or written
	observedTime time.Time // when observed was set, by the local clock
	lastRead     *record   // the record last read; nil before the first read
	reported     string    // the holder last reported to onNewLeader
}

// run campaigns until the lock is acquired, then leads until leadership is lost or ctx ends.
func (le *elector) run(ctx context.Context) {
	if !le.acquire(ctx) {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go le.onStartedLeading(ctx)
	le.renew(ctx)
}

// acquire tries to acquire the lock every RetryPeriod (with jitter) until it succeeds, or until ctx
// ends, when it returns false.
func (le *elector) acquire(ctx context.Context) bool {
	le.log.Info("attempting to acquire the lease")
	for ctx.Err() == nil {
		ok := le.tryAcquireOrRenew(ctx)
		le.maybeReportTransition()
		if ok {
			le.log.Info("acquired the lease")
			return true
		}
		if retry.Sleep(ctx, jittered(le.retryPeriod)) != nil {
			break
		}
	}
	return false
}

// jittered is d plus a random duration of up to jitterFactor*d.
func jittered(d time.Duration) time.Duration {
	return d + time.Duration(rand.Float64()*jitterFactor*float64(d))
}

// renew renews the lock every RetryPeriod until a renewal fails or ctx ends, then releases it
// when releaseOnCancel is set.
func (le *elector) renew(ctx context.Context) {
	for ctx.Err() == nil {
		err := le.renewWithin(ctx)
		le.maybeReportTransition()
		if err != nil {
			le.log.Info("failed to renew the lease", zap.Error(err))
			break
		}
		if retry.Sleep(ctx, le.retryPeriod) != nil {
			break
		}
	}
	if le.releaseOnCancel {
		le.release()
	}
}

// renewWithin tries to renew the lock at once and then every RetryPeriod (start to start), until a
// try succeeds (nil) or RenewDeadline has passed or ctx has ended (the context's error). The
// deadline also ends a try in flight.
func (le *elector) renewWithin(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, le.renewDeadline)
	defer cancel()
	tick := time.NewTicker(le.retryPeriod)
	defer tick.Stop()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if le.tryAcquireOrRenew(ctx) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// release writes a record without a holder if this replica last observed itself as the holder.
// It reads the Lease first (for a fresh resourceVersion) and is bounded by RenewDeadline. It
// reports whether the Lease is not this replica's any more.
func (le *elector) release() bool {
	ctx, cancel := context.WithTimeout(context.Background(), le.renewDeadline)
	defer cancel()
	old, err := le.lock.Get(ctx)
	if err != nil {
		if !apierrors.IsNotFound(err) {
			le.log.Error("release: cannot read the lease", zap.Error(err))
			return false
		}
		le.log.Info("release: the lease does not exist")
		return false
	}
	if !le.isLeader() {
		return true
	}
	now := time.Now()
	r := record{LeaderTransitions: old.LeaderTransitions, LeaseDurationSeconds: 1, RenewTime: now, AcquireTime: now}
	if err := le.lock.Update(ctx, r); err != nil {
		le.log.Error("failed to release the lease", zap.Error(err))
		return false
	}
	le.setObserved(r)
	le.log.Info("released the lease")
	return true
}

// tryAcquireOrRenew tries once to acquire the lock, or to renew it if this replica holds it, and
// reports whether it succeeded.
func (le *elector) tryAcquireOrRenew(ctx context.Context) bool {
	now := time.Now()
	r := record{HolderIdentity: le.lock.Identity(), LeaseDurationSeconds: int(le.leaseDuration / time.Second),
		RenewTime: now, AcquireTime: now}

	// 1. The holder renews at once, assuming that the Lease is as it last read or wrote it (the
	// lock writes at that resourceVersion, so a changed Lease refuses it).
	if le.isLeader() && le.isLeaseValid(now) {
		r.AcquireTime, r.LeaderTransitions = le.observed.AcquireTime, le.observed.LeaderTransitions
		err := le.lock.Update(ctx, r)
		if err == nil {
			le.setObserved(r)
			return true
		}
		le.log.Debug("failed to renew the lease at once, reading it", zap.Error(err))
	}

	// 2. Read the Lease, or create it.
	old, err := le.lock.Get(ctx)
	if err != nil {
		if !apierrors.IsNotFound(err) {
			le.log.Error("cannot read the lease", zap.Error(err))
			return false
		}
		if err := le.lock.Create(ctx, r); err != nil {
			le.log.Error("cannot create the lease", zap.Error(err))
			return false
		}
		le.setObserved(r)
		return true
	}

	// 3. A changed record restarts the wait for its expiry; an unexpired one held by another stays.
	if le.lastRead == nil || !le.lastRead.equal(old) {
		le.setObserved(old)
		le.lastRead = &old
	}
	if old.HolderIdentity != "" && le.isLeaseValid(now) && !le.isLeader() {
		le.log.Debug("the lease is held and has not expired", zap.String("holder", old.HolderIdentity))
		return false
	}

	// 4. Take or renew it.
	if le.isLeader() {
		r.AcquireTime, r.LeaderTransitions = old.AcquireTime, old.LeaderTransitions
	} else {
		r.LeaderTransitions = old.LeaderTransitions + 1
	}
	if err := le.lock.Update(ctx, r); err != nil {
		le.log.Error("cannot update the lease", zap.Error(err))
		return false
	}
	le.setObserved(r)
	return true
}

// maybeReportTransition calls onNewLeader when the observed holder changed since the last call.
func (le *elector) maybeReportTransition() {
	if le.observed.HolderIdentity == le.reported {
		return
	}
	le.reported = le.observed.HolderIdentity
	if le.onNewLeader != nil {
		le.onNewLeader(le.reported)
	}
}

// isLeader reports whether the observed record names this replica.
func (le *elector) isLeader() bool { return le.observed.HolderIdentity == le.lock.Identity() }

// isLeaseValid reports whether the observed record has not expired at now: its LeaseDuration
// seconds after this replica observed it have not passed.
func (le *elector) isLeaseValid(now time.Time) bool {
	return le.observedTime.Add(time.Second * time.Duration(le.observed.LeaseDurationSeconds)).After(now)
}

// setObserved records r as observed now.
func (le *elector) setObserved(r record) {
	le.observed = r
	le.observedTime = time.Now()
}
