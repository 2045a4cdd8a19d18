package leader

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	coordv1 "k8s.io/api/coordination/v1"
)

// leaseAPI is a fake Lease API whose renewals of "a" fail once failing is set, after hanging
// for renewHang; a release (a record without a holder) hangs for releaseHang and then fails
// when releaseFails is set. It records when the last renewal succeeded and what lead was doing
// when a release reached it.
type leaseAPI struct {
	client                 *casStore
	failing, releaseFails  atomic.Bool
	renewHang, releaseHang time.Duration
	lastOK                 atomic.Int64 // unix nanos of the last successful renewal's answer
	releases               atomic.Int32 // release requests that reached the API
	leadRunningAtRelease   atomic.Bool
	lead                   *leadProbe
}

// leadProbe is a lead function that records its context and when it returned; it keeps running
// linger after its context ended.
type leadProbe struct {
	linger     time.Duration
	ctx        atomic.Pointer[context.Context]
	running    atomic.Bool
	ctxEndedAt atomic.Int64 // unix nanos: when lead saw its context end
	returnedAt atomic.Int64 // unix nanos
}

func (p *leadProbe) run(ctx context.Context) {
	p.ctx.Store(&ctx)
	p.running.Store(true)
	<-ctx.Done()
	p.ctxEndedAt.Store(time.Now().UnixNano())
	time.Sleep(p.linger)
	p.returnedAt.Store(time.Now().UnixNano())
	p.running.Store(false)
}

// ctxLive reports whether the context of the probe's last term exists and has not ended.
func (p *leadProbe) ctxLive() bool {
	c := p.ctx.Load()
	return c != nil && (*c).Err() == nil
}

func newLeaseAPI(lead *leadProbe) *leaseAPI {
	api := &leaseAPI{client: &casStore{}, lead: lead}
	api.client.onUpdate = api.update
	return api
}

func (api *leaseAPI) update(l *coordv1.Lease) error {
	if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity == "" {
		api.releases.Add(1)
		if api.lead.running.Load() || api.lead.ctxLive() {
			api.leadRunningAtRelease.Store(true)
		}
		time.Sleep(api.releaseHang)
		if api.releaseFails.Load() {
			return errors.New("injected: release timed out")
		}
		return nil
	}
	if api.failing.Load() {
		time.Sleep(api.renewHang)
		return errors.New("injected: renewal timed out")
	}
	api.lastOK.Store(time.Now().UnixNano()) // the store writes it next
	return nil
}

// startRun runs the election for "a" with the probe as lead until the
// test ends; stop ends it earlier (cancel, then wait for Run's result).
func (api *leaseAPI) startRun(t *testing.T) (stop func() error) {
	t.Helper()
	c, err := Config{Namespace: "ns", Name: "lease", Identity: "a", LeaseDuration: testLease,
		RenewDeadline: testRenew, RetryPeriod: testRetry, Log: zaptest.NewLogger(t)}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, api.client.client("a", nil), c, api.lead.run, nil, options{releaseOnCancel: true})
	}()
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() { cancel(); result = <-done })
		return result
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Run = %v", err)
		}
	})
	return stop
}

// When renewals fail, the elector releases the Lease before it cancels the term's context: the
// fenced lock must end the term, and wait for lead to return, before the release is written.
// lead lingers past the elector's release (about RetryPeriod after the fence ended the term), so
// the release has to wait for it.
func TestRenewalFailureEndsLeadBeforeRelease(t *testing.T) {
	api := newLeaseAPI(&leadProbe{linger: testRetry + 300*time.Millisecond})
	api.startRun(t)
	waitFor(t, "a leads", testLease, api.lead.running.Load)
	api.failing.Store(true)
	waitFor(t, "the release", 3*testLease, func() bool { return api.releases.Load() > 0 })
	if api.leadRunningAtRelease.Load() {
		t.Fatal("the Lease was released while lead ran or its context was live")
	}
	if ran := time.Duration(api.lead.ctxEndedAt.Load() - api.lastOK.Load()); ran >= testLease || ran > testRenew+testRetry/2 {
		t.Errorf("lead's context ended %v after the last renewal; want within RenewDeadline %v, before the Lease (%v) expires", ran, testRenew, testLease)
	}
}

// With a hung API server (renewals hang then fail, the release hangs), lead's context must end
// RenewDeadline after the last successful renewal, before the Lease expires for the others.
func TestLeadContextEndsBeforeLeaseExpiresWhenAPIHangs(t *testing.T) {
	api := newLeaseAPI(&leadProbe{})
	api.renewHang, api.releaseHang = testRenew/2, testRenew
	api.releaseFails.Store(true)
	api.startRun(t)
	waitFor(t, "a leads", testLease, api.lead.running.Load)
	api.failing.Store(true)
	waitFor(t, "lead returns", 2*testLease, func() bool { return api.lead.returnedAt.Load() != 0 })
	ran := time.Duration(api.lead.returnedAt.Load() - api.lastOK.Load())
	t.Logf("lead returned %v after the last successful renewal (RenewDeadline %v, Lease %v)", ran, testRenew, testLease)
	if ran >= testLease || ran > testRenew+testRetry/2 {
		t.Fatalf("lead ran %v after the last renewal; want within RenewDeadline %v, before the Lease (%v) expires", ran, testRenew, testLease)
	}
	if api.releases.Load() != 0 && api.leadRunningAtRelease.Load() {
		t.Fatal("the Lease was released while lead ran")
	}
}

// A lead that does not return within RenewDeadline of its context's end keeps the Lease from
// being released: the Lease then expires on its own.
func TestReleaseSkippedWhileLeadStillRuns(t *testing.T) {
	api := newLeaseAPI(&leadProbe{linger: 2 * testRenew})
	api.startRun(t)
	waitFor(t, "a leads", testLease, api.lead.running.Load)
	api.failing.Store(true)
	waitFor(t, "lead returns", 4*testLease, func() bool { return api.lead.returnedAt.Load() != 0 })
	if api.leadRunningAtRelease.Load() {
		t.Fatalf("the Lease was released while lead ran (%d release requests)", api.releases.Load())
	}
	if got := holder(t, api.client); got != "a" {
		t.Errorf("holder = %q, want a (left to expire)", got)
	}
}

// On shutdown the Lease is released only after lead has returned.
func TestReleaseOnCancelWaitsForLead(t *testing.T) {
	api := newLeaseAPI(&leadProbe{linger: 300 * time.Millisecond})
	stop := api.startRun(t)
	waitFor(t, "a leads", testLease, api.lead.running.Load)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if api.releases.Load() != 1 || api.leadRunningAtRelease.Load() {
		t.Fatalf("releases = %d, released while lead ran = %v; want one release after lead returned",
			api.releases.Load(), api.leadRunningAtRelease.Load())
	}
	if got := holder(t, api.client); got != "" {
		t.Errorf("holder = %q, want released", got)
	}
}

func TestFenceExtendsOnRenewalAndStaysEnded(t *testing.T) {
	const bound = time.Second // the live check below has bound/4 of slack
	f := newFence(context.Background(), bound, zap.NewNop())
	defer f.stop(errCampaignEnded)
	if f.live() {
		t.Fatal("live before any renewal")
	}
	start := time.Now()
	f.renewed(start)
	time.Sleep(bound / 2)
	f.renewed(time.Now())
	time.Sleep(3 * bound / 4)
	if !f.live() {
		t.Fatalf("ended %v after the first renewal although renewed at %v", time.Since(start), bound/2)
	}
	<-f.Done()
	if ended := time.Since(start); ended < 3*bound/2 {
		t.Errorf("ended %v after the first renewal, want >= %v", ended, 3*bound/2)
	}
	if !errors.Is(context.Cause(f.ctx), errRenewalOverdue) {
		t.Errorf("cause = %v", context.Cause(f.ctx))
	}
	f.renewed(time.Now())
	if f.live() {
		t.Error("a renewal revived an ended fence")
	}
}

func TestFenceEndsWithParent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := newFence(ctx, time.Hour, zap.NewNop())
	f.renewed(time.Now())
	cancel()
	<-f.Done()
	if f.live() {
		t.Error("live after the parent ended")
	}
	f.stop(errCampaignEnded)
}
