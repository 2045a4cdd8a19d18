package leader

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/go-logr/zapr"
	"go.uber.org/zap"
	"k8s.io/klog/v2"

	"github.com/flarewarden/flarewarden/controller/retry"
)

// Run campaigns for the Lease c.Namespace/c.Name until ctx ends.
//
// lead runs while this replica leads, with a context that is cancelled when leadership is lost
// or ctx ends, and at the latest RenewDeadline after the start of the last successful renewal, so
// it ends before another replica can take over (at LeaseDuration after it) even when the API
// server hangs; it should return promptly then, and Run waits for it before campaigning again or
// returning. The Lease is never released while lead runs: a release waits for lead (at most
// RenewDeadline), and is skipped, leaving the Lease to expire, if lead has not returned by then. If lead returns while still leading, the replica steps down (releasing the Lease) and
// campaigns again. After losing leadership Run campaigns again (after RetryPeriod), so the process
// stays up as a follower. When ctx ends, lead's context is cancelled and, once lead has returned, the Lease is
// released (ReleaseOnCancel), so a follower takes over within about RetryPeriod instead of
// LeaseDuration and never while this replica may still be writing.
//
// lead's context carries its term: CheckTerm, and Transport for HTTP clients, refuse its requests
// once the term is over by the clock, even before the context's cancellation has run (right after
// the process was paused, say). The Lease is written only at the resourceVersion this replica last
// read or wrote, and a release only while that version names this replica: a replica resuming from
// a pause past its lease cannot overwrite (or release) the Lease of the replica that took over.
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
func prepare(c Config, lead func(ctx context.Context)) (Config, leaseClient, error) {
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
func run(ctx context.Context, client leaseClient, c Config, lead func(context.Context), onChange func(bool, string), o options) error {
	log := c.Log.With(zap.String("lease", c.Namespace+"/"+c.Name), zap.String("identity", c.Identity))
	// client-go's REST client logs through the context's logger: route it into zap.
	ctx = klog.NewContext(ctx, zapr.NewLogger(log.Named("client-go")))
	obs := newObserver(c.Identity, onChange)
	for round := 1; ctx.Err() == nil; round++ {
		campaign(ctx, client, c, lead, obs, round, o, log)
		_ = retry.Sleep(ctx, c.RetryPeriod) // no hot loop when lead keeps returning; others get a chance
	}
	log.Info("leader election stopped")
	return nil
}

// campaign runs one election round: it campaigns until it acquires the Lease or ctx ends, then
// runs lead until leadership is lost, lead returns or ctx ends, and returns once lead has returned.
//
// The elector runs on its own context, which ends only after lead has returned (or when no term
// is running), so that with ReleaseOnCancel the Lease is released after the last write of the
// term, never while lead may still be writing. lead's context also ends RenewDeadline after the
// last successful renewal (see fence), before the Lease can expire.
func campaign(ctx context.Context, client leaseClient, c Config, lead func(context.Context), obs *observer, round int, o options, log *zap.Logger) {
	elCtx, stopElector := context.WithCancel(context.WithoutCancel(ctx))
	defer stopElector()
	log = log.With(zap.Int("round", round))
	r := &electionRound{n: round, lead: lead, obs: obs, log: log, stopElector: stopElector,
		fence: newFence(ctx, c.RenewDeadline, log)}
	defer r.fence.stop(errCampaignEnded)
	le := r.elector(client, c, o)
	// When ctx ends: no new term starts, a running one ends (the fence ends with ctx), and only
	// then does the elector stop.
	defer context.AfterFunc(ctx, func() {
		r.guard.closeAndWait()
		stopElector()
	})()
	log.Info("campaigning")
	le.run(elCtx)
	r.guard.closeAndWait()
}

// electionRound is one campaign's state: its number, its fence and the guard of its term (the
// elector starts at most one term per run).
type electionRound struct {
	n           int
	lead        func(context.Context)
	obs         *observer
	log         *zap.Logger
	stopElector context.CancelFunc
	fence       *fence
	guard       leadGuard
}

// elector is the round's elector, with its Lease lock fenced.
func (r *electionRound) elector(client leaseClient, c Config, o options) *elector {
	return &elector{
		lock:             &fencedLock{lock: newLeaseLock(client, c), fence: r.fence, endTerm: r.endTerm},
		leaseDuration:    c.LeaseDuration,
		renewDeadline:    c.RenewDeadline,
		retryPeriod:      c.RetryPeriod,
		releaseOnCancel:  o.releaseOnCancel,
		onStartedLeading: func(leCtx context.Context) { r.guard.run(leCtx, r.term) },
		onNewLeader: func(holder string) {
			r.log.Info("leader observed", zap.String("leader", holder))
			r.obs.observed(r.n, holder)
		},
		log: r.log,
	}
}

// term runs lead for the term the elector started with leCtx. lead's context ends when leCtx or
// the fence ends (renewal overdue, release, Run's context ended); it carries the fence, which
// CheckTerm and Transport check by the clock before each request. When lead returns, the elector
// stops, which steps down.
func (r *electionRound) term(leCtx context.Context) {
	defer r.stopElector()
	if !r.fence.live() {
		return
	}
	termCtx, stop := context.WithCancel(leCtx)
	defer stop()
	defer context.AfterFunc(r.fence.ctx, stop)()
	leadRound(withTerm(termCtx, r.fence), r.lead, r.obs, r.n, r.log)
}

// endTerm ends the running term and waits for lead to return, at most until ctx ends; no term
// starts after it. It returns an error when lead is still running.
func (r *electionRound) endTerm(ctx context.Context) error {
	r.fence.stop(errReleasing)
	select {
	case <-r.guard.close():
		return nil
	case <-ctx.Done():
		r.log.Error("lead still running, leaving the lease to expire instead of releasing it")
		return fmt.Errorf("leader: lead still running, lease not released: %w", ctx.Err())
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

// leadGuard makes "lead has returned" knowable. The elector starts onStartedLeading on a goroutine
// that it does not wait for, so after elector.run returns that goroutine may still be running
// or may not have started yet. close stops a late one from starting and says when a running one
// has returned, so no term overlaps the next round or outlives Run. A guard runs at most one term.
type leadGuard struct {
	mu     sync.Mutex
	closed bool
	done   chan struct{} // closed when the term returns; nil until one starts
}

// run runs f(ctx) unless the guard is closed, has run a term already, or ctx has ended.
func (g *leadGuard) run(ctx context.Context, f func(context.Context)) {
	g.mu.Lock()
	if g.closed || g.done != nil || ctx.Err() != nil {
		g.mu.Unlock()
		return
	}
	done := make(chan struct{})
	g.done = done
	g.mu.Unlock()
	defer close(done)
	f(ctx)
}

// close stops later terms from starting and returns a channel closed once no term runs.
func (g *leadGuard) close() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	if g.done == nil {
		g.done = make(chan struct{})
		close(g.done)
	}
	return g.done
}

// closeAndWait stops later terms from starting and waits for a running one to return.
func (g *leadGuard) closeAndWait() { <-g.close() }
