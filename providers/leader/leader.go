package leader

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/zapr"
	"go.uber.org/zap"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"
)

// Run campaigns for the Lease c.Namespace/c.Name until ctx ends.
//
// lead runs while this replica leads, with a context that is cancelled when leadership is lost
// or ctx ends; it should return promptly then, and Run waits for it before campaigning again or
// returning. If lead returns while still leading, the replica steps down (releasing the Lease) and
// campaigns again. After losing leadership Run campaigns again (after RetryPeriod), so the process
// stays up as a follower. When ctx ends, lead's context is cancelled and, once lead has returned, the Lease is
// released (ReleaseOnCancel), so a follower takes over within about RetryPeriod instead of
// LeaseDuration and never while this replica may still be writing.
//
// onChange(isLeader, leader), which may be nil, is called on every change of the observed
// leader, in order, never concurrently: (true, Identity) when lead starts, (false, "") when it
// stops, (false, holder) when another holder is observed ("" = none). It must not block.
//
// Run returns nil when ctx ends, or an error naming the invalid Config field (and its flag) or
// the client that could not be built.
func Run(ctx context.Context, c Config, lead func(ctx context.Context), onChange func(isLeader bool, leader string)) error {
	c, client, err := prepare(c, lead)
	if err != nil {
		return err
	}
	return run(ctx, client, c, lead, onChange, options{releaseOnCancel: true})
}

// prepare defaults and validates c and builds its Leases client.
func prepare(c Config, lead func(ctx context.Context)) (Config, coordinationv1.LeasesGetter, error) {
	if lead == nil {
		return c, nil, errors.New("leader: lead function is nil")
	}
	c, err := c.withDefaults()
	if err != nil {
		return c, nil, err
	}
	if err := c.validate(); err != nil {
		return c, nil, err
	}
	client, err := newLeasesClient(c)
	if err != nil {
		return c, nil, err
	}
	return c, client, nil
}

// options are knobs that only tests turn.
type options struct {
	// releaseOnCancel releases the Lease when ctx ends. Tests turn it off to simulate a crash:
	// the replica stops without a word and followers wait for the Lease to expire.
	releaseOnCancel bool
}

// run is Run with a given client and a defaulted, valid c.
func run(ctx context.Context, client coordinationv1.LeasesGetter, c Config, lead func(context.Context), onChange func(bool, string), o options) error {
	log := c.Log.With(zap.String("lease", c.Namespace+"/"+c.Name), zap.String("identity", c.Identity))
	// client-go's election code logs through the context's logger: route it into zap.
	ctx = klog.NewContext(ctx, zapr.NewLogger(log.Named("client-go")))
	obs := newObserver(c.Identity, onChange)
	for round := 1; ctx.Err() == nil; round++ {
		if err := campaign(ctx, client, c, lead, obs, round, o, log); err != nil {
			return err
		}
		pause(ctx, c.RetryPeriod) // no hot loop when lead keeps returning; others get a chance
	}
	log.Info("leader election stopped")
	return nil
}

// campaign runs one election round: it campaigns until it acquires the Lease or ctx ends, then
// runs lead until leadership is lost, lead returns or ctx ends, and returns once lead has returned.
//
// The elector runs on its own context, which ends only after lead has returned (or when no term
// is running), so that with ReleaseOnCancel the Lease is released after the last write of the
// term, never while lead may still be writing.
func campaign(ctx context.Context, client coordinationv1.LeasesGetter, c Config, lead func(context.Context), obs *observer, round int, o options, log *zap.Logger) error {
	elCtx, stopElector := context.WithCancel(context.WithoutCancel(ctx))
	defer stopElector()
	log = log.With(zap.Int("round", round))
	guard := &leadGuard{}
	term := func(leCtx context.Context) {
		defer stopElector() // lead returned (on its own, or because ctx ended): step down
		if ctx.Err() != nil {
			return
		}
		termCtx, stop := context.WithCancel(leCtx)
		defer stop()
		defer context.AfterFunc(ctx, stop)()
		leadRound(termCtx, lead, obs, round, log)
	}
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            leaseLock(client, c),
		LeaseDuration:   c.LeaseDuration,
		RenewDeadline:   c.RenewDeadline,
		RetryPeriod:     c.RetryPeriod,
		ReleaseOnCancel: o.releaseOnCancel,
		Name:            c.Namespace + "/" + c.Name,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(leCtx context.Context) { guard.run(leCtx, term) },
			OnStoppedLeading: func() {},
			OnNewLeader: func(holder string) {
				log.Info("leader observed", zap.String("leader", holder))
				obs.observed(round, holder)
			},
		},
	})
	if err != nil {
		return fmt.Errorf("leader: election for %s/%s: %w", c.Namespace, c.Name, err)
	}
	// When ctx ends: no new term starts, a running one ends (term's AfterFunc), and only then
	// does the elector stop.
	defer context.AfterFunc(ctx, func() {
		guard.closeAndWait()
		stopElector()
	})()
	log.Info("campaigning")
	le.Run(elCtx)
	guard.closeAndWait()
	return nil
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// leadRound runs lead for one term, reporting its start and end.
func leadRound(ctx context.Context, lead func(context.Context), obs *observer, round int, log *zap.Logger) {
	log.Info("leading")
	obs.started(round)
	defer func() {
		obs.stopped(round)
		log.Info("stopped leading")
	}()
	lead(ctx)
}

// leaseLock is the coordination.k8s.io Lease lock for c.
func leaseLock(client coordinationv1.LeasesGetter, c Config) *resourcelock.LeaseLock {
	return &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: c.Namespace, Name: c.Name},
		Client:     client,
		LockConfig: resourcelock.ResourceLockConfig{Identity: c.Identity},
	}
}

// leadGuard makes "lead has returned" knowable. client-go starts OnStartedLeading on a goroutine
// that it does not wait for, so after LeaderElector.Run returns that goroutine may still be running
// or may not have started yet. closeAndWait waits for a running one and stops a late one from
// starting, so no term overlaps the next round or outlives Run.
type leadGuard struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// run runs f(ctx) unless the guard is closed or ctx has ended.
func (g *leadGuard) run(ctx context.Context, f func(context.Context)) {
	g.mu.Lock()
	if g.closed || ctx.Err() != nil {
		g.mu.Unlock()
		return
	}
	g.wg.Add(1)
	g.mu.Unlock()
	defer g.wg.Done()
	f(ctx)
}

// closeAndWait stops later runs from starting and waits for a running one to return.
func (g *leadGuard) closeAndWait() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
}
