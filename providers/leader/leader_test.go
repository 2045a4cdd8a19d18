package leader

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	coordv1 "k8s.io/api/coordination/v1"

	"go.uber.org/zap/zaptest"
)

// Short timings for unit tests: takeover after a release within about RetryPeriod.
const (
	testLease = 2 * time.Second
	testRenew = 1500 * time.Millisecond
	testRetry = 500 * time.Millisecond
)

// elector is one running campaign in a test, with what it saw.
type testElector struct {
	id      string
	cancel  context.CancelFunc
	done    chan error
	starts  atomic.Int32
	leading atomic.Bool

	mu      sync.Mutex
	changes []string
}

// startElector runs the election for identity id on the Lease of s until the test ends or e.cancel.
// lead marks the elector as leading until its context ends; first, if non-nil, replaces lead
// on the first term only.
func startElector(t *testing.T, s *casStore, id string, o options, first func(context.Context)) *testElector {
	t.Helper()
	return startElectorOn(t, s.client(id, nil), id, o, first)
}

// startElectorOn is startElector on any Leases client.
func startElectorOn(t *testing.T, client leaseClient, id string, o options, first func(context.Context)) *testElector {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e := &testElector{id: id, cancel: cancel, done: make(chan error, 1)}
	c, err := Config{Namespace: "ns", Name: "lease", Identity: id, LeaseDuration: testLease,
		RenewDeadline: testRenew, RetryPeriod: testRetry, Log: zaptest.NewLogger(t)}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	lead := func(ctx context.Context) {
		if e.starts.Add(1) == 1 && first != nil {
			first(ctx)
			return
		}
		e.leading.Store(true)
		<-ctx.Done()
		e.leading.Store(false)
	}
	onChange := func(isLeader bool, leader string) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.changes = append(e.changes, leader+map[bool]string{true: "*", false: ""}[isLeader])
	}
	go func() { e.done <- run(ctx, client, c, lead, onChange, o) }()
	t.Cleanup(func() { e.stop(t) })
	return e
}

// stop cancels the elector and waits for Run to return nil.
func (e *testElector) stop(t *testing.T) {
	t.Helper()
	e.cancel()
	select {
	case err, ok := <-e.done:
		if ok && err != nil {
			t.Errorf("%s: Run = %v, want nil", e.id, err)
		}
		if ok {
			close(e.done)
		}
	case <-time.After(2 * testRenew):
		t.Fatalf("%s: Run did not return after cancel", e.id)
	}
	if e.leading.Load() {
		t.Errorf("%s: lead still running after Run returned", e.id)
	}
}

func (e *testElector) sawChanges() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.changes...)
}

func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func holder(t *testing.T, s *casStore) string {
	t.Helper()
	l, err := s.get("lease")
	if err != nil {
		t.Fatal(err)
	}
	return holderOf(l)
}

func TestSingleElectorLeadsAndReleasesOnCancel(t *testing.T) {
	client := &casStore{}
	a := startElector(t, client, "a", options{releaseOnCancel: true}, nil)
	waitFor(t, "a leads", testLease, a.leading.Load)
	if got := holder(t, client); got != "a" {
		t.Fatalf("holder = %q, want a", got)
	}
	a.stop(t)
	if got := holder(t, client); got != "" {
		t.Errorf("holder after cancel = %q, want released", got)
	}
	if got := a.sawChanges(); len(got) != 2 || got[0] != "a*" || got[1] != "" {
		t.Errorf("onChange saw %q, want [a* \"\"]", got)
	}
}

func TestCrashKeepsLeaseUntilExpiry(t *testing.T) {
	client := &casStore{}
	a := startElector(t, client, "a", options{releaseOnCancel: false}, nil)
	waitFor(t, "a leads", testLease, a.leading.Load)
	a.stop(t)
	if got := holder(t, client); got != "a" {
		t.Errorf("holder after crash = %q, want a (not released)", got)
	}
}

func TestFollowerTakesOverAfterRelease(t *testing.T) {
	client := &casStore{}
	a := startElector(t, client, "a", options{releaseOnCancel: true}, nil)
	waitFor(t, "a leads", testLease, a.leading.Load)
	b := startElector(t, client, "b", options{releaseOnCancel: true}, nil)
	waitFor(t, "b observes a", testLease, func() bool { return len(b.sawChanges()) > 0 })
	time.Sleep(2 * testRetry)
	if b.leading.Load() {
		t.Fatal("b leads while a holds the lease")
	}
	a.stop(t)
	start := time.Now()
	// Before the lease could expire (testLease); the jittered retry
	// period is at most 2.2*testRetry.
	waitFor(t, "b takes over", testLease-testRetry/5, b.leading.Load)
	t.Logf("takeover after release: %v", time.Since(start))
	if got := b.sawChanges(); got[0] != "a" || got[len(got)-1] != "b*" {
		t.Errorf("b's onChange saw %q, want a first and b* last", got)
	}
}

func TestLeadReturningEarlyStepsDownAndCampaignsAgain(t *testing.T) {
	client := &casStore{}
	a := startElector(t, client, "a", options{releaseOnCancel: true}, func(context.Context) {})
	waitFor(t, "a leads a second term", 2*testLease, a.leading.Load)
	if n := a.starts.Load(); n != 2 {
		t.Errorf("terms = %d, want 2", n)
	}
}

func TestLostLeadershipCampaignsAgain(t *testing.T) {
	client := &casStore{}
	var failing atomic.Bool
	client.onUpdate = func(*coordv1.Lease) error {
		if failing.Load() {
			return errors.New("injected: apiserver unavailable")
		}
		return nil
	}
	a := startElector(t, client, "a", options{releaseOnCancel: true}, nil)
	waitFor(t, "a leads", testLease, a.leading.Load)
	failing.Store(true)
	waitFor(t, "a steps down when renewals fail", testRenew+2*testRetry, func() bool { return !a.leading.Load() })
	select {
	case err := <-a.done:
		t.Fatalf("Run returned %v after losing leadership; want it to campaign again", err)
	default:
	}
	failing.Store(false)
	waitFor(t, "a leads again", testLease+2*testRetry, a.leading.Load)
	if n := a.starts.Load(); n != 2 {
		t.Errorf("terms = %d, want 2", n)
	}
}
