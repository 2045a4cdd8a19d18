package leader

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// casStore is one Lease as the API server keeps it: every write bumps its resourceVersion, and an
// update at another resourceVersion is refused with 409 Conflict (client-go's fake tracker does
// not check resourceVersions). It records every write that reached it, and who sent it.
// onUpdate, when set (before any client uses the store), sees each update first: it may delay it,
// or fail it with its error, in which case the update does not reach the store.
type casStore struct {
	onUpdate func(*coordv1.Lease) error

	mu     sync.Mutex
	lease  *coordv1.Lease
	rv     int
	writes []casWrite
}

// casWrite is one write that reached the store.
type casWrite struct {
	by, verb, holder string
	rv               string // the resourceVersion written; "" when refused
	err              error
}

var leasesResource = schema.GroupResource{Group: "coordination.k8s.io", Resource: "leases"}

// client is replica by's Leases client of the store. Its requests wait while gate is stalled,
// and fail with their context's error once it has ended, as a real client's do.
func (s *casStore) client(by string, gate *stallGate) leaseClient {
	return casClient{store: s, by: by, gate: gate}
}

func (s *casStore) get(name string) (*coordv1.Lease, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lease == nil {
		return nil, apierrors.NewNotFound(leasesResource, name)
	}
	return s.lease.DeepCopy(), nil
}

func (s *casStore) write(by, verb string, l *coordv1.Lease) (*coordv1.Lease, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := casWrite{by: by, verb: verb, holder: holderOf(l)}
	switch {
	case verb == "create" && s.lease != nil:
		w.err = apierrors.NewAlreadyExists(leasesResource, l.Name)
	case verb == "update" && s.lease == nil:
		w.err = apierrors.NewNotFound(leasesResource, l.Name)
	case verb == "update" && l.ResourceVersion != s.lease.ResourceVersion:
		w.err = apierrors.NewConflict(leasesResource, l.Name,
			fmt.Errorf("resourceVersion %s, stored %s", l.ResourceVersion, s.lease.ResourceVersion))
	}
	if w.err != nil {
		s.writes = append(s.writes, w)
		return nil, w.err
	}
	s.rv++
	s.lease = l.DeepCopy()
	s.lease.ResourceVersion = strconv.Itoa(s.rv)
	w.rv = s.lease.ResourceVersion
	s.writes = append(s.writes, w)
	return s.lease.DeepCopy(), nil
}

func (s *casStore) history() []casWrite {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]casWrite(nil), s.writes...)
}

// casClient is the leaseClient of one replica on the store.
type casClient struct {
	store *casStore
	by    string
	gate  *stallGate
}

func (c casClient) Get(ctx context.Context, name string) (*coordv1.Lease, error) {
	if err := c.gate.pass(ctx, "get"); err != nil {
		return nil, err
	}
	return c.store.get(name)
}

func (c casClient) Create(ctx context.Context, l *coordv1.Lease) (*coordv1.Lease, error) {
	if err := c.gate.pass(ctx, "create"); err != nil {
		return nil, err
	}
	return c.store.write(c.by, "create", l)
}

func (c casClient) Update(ctx context.Context, l *coordv1.Lease) (*coordv1.Lease, error) {
	if err := c.gate.pass(ctx, "update"); err != nil {
		return nil, err
	}
	if c.store.onUpdate != nil {
		if err := c.store.onUpdate(l); err != nil {
			return nil, err
		}
	}
	return c.store.write(c.by, "update", l)
}

// stallGate stalls a replica's requests, as a paused process (SIGSTOP, GC pause, frozen VM) would:
// a request made while stalled waits until resume, then proceeds, or fails if its context has
// ended meanwhile. It counts the Gets made after the last resume.
type stallGate struct {
	mu         sync.Mutex
	stalled    chan struct{} // nil while running
	getsAfter  atomic.Int32
	resumedYet atomic.Bool
}

func (g *stallGate) stall() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stalled = make(chan struct{})
}

func (g *stallGate) resume() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.stalled)
	g.stalled = nil
	g.getsAfter.Store(0)
	g.resumedYet.Store(true)
}

// pass waits while the gate is stalled. A request already sent when the stall began proceeds
// after it (its bytes were on the wire), ignoring its context, like a resumed process's.
func (g *stallGate) pass(ctx context.Context, verb string) error {
	if g == nil {
		return ctx.Err()
	}
	g.mu.Lock()
	stalled := g.stalled
	g.mu.Unlock()
	if stalled != nil {
		<-stalled
	} else if err := ctx.Err(); err != nil {
		return err
	}
	if verb == "get" && g.resumedYet.Load() {
		g.getsAfter.Add(1)
	}
	return nil
}

// testLock is the lock under test, as the election builds it.
func testLock(client leaseClient, id string) lock {
	return newLeaseLock(client, Config{Namespace: "ns", Name: "lease", Identity: id})
}

// recordOfHolder is an election record of holder, as the elector writes it.
func recordOfHolder(holder string, seconds int) record {
	now := time.Now()
	return record{HolderIdentity: holder, LeaseDurationSeconds: seconds, AcquireTime: now, RenewTime: now}
}

// release is the record the elector's release writes.
func release() record { return recordOfHolder("", 1) }

// heldBy creates the Lease as a's and lets b take it over as the elector does once it has expired
// (Get, then Update). It returns a's and b's locks.
func heldBy(t *testing.T, s *casStore) (a, b lock) {
	t.Helper()
	ctx := context.Background()
	a, b = testLock(s.client("a", nil), "a"), testLock(s.client("b", nil), "b")
	if _, err := a.Get(ctx); !apierrors.IsNotFound(err) {
		t.Fatalf("a: Get of no Lease = %v, want not found", err)
	}
	if err := a.Create(ctx, recordOfHolder("a", 15)); err != nil {
		t.Fatal(err)
	}
	if err := a.Update(ctx, recordOfHolder("a", 15)); err != nil { // a renewal
		t.Fatal(err)
	}
	if rec, err := b.Get(ctx); err != nil || rec.HolderIdentity != "a" {
		t.Fatalf("b: Get = %v, %v; want a's record", rec, err)
	}
	if err := b.Update(ctx, recordOfHolder("b", 15)); err != nil { // b takes over
		t.Fatal(err)
	}
	return a, b
}

// assertUnchanged checks that the Lease is still as want.
func assertUnchanged(t *testing.T, s *casStore, want *coordv1.Lease) {
	t.Helper()
	got, err := s.get("lease")
	if err != nil {
		t.Fatal(err)
	}
	if got.ResourceVersion != want.ResourceVersion || holderOf(got) != holderOf(want) ||
		*got.Spec.LeaseDurationSeconds != *want.Spec.LeaseDurationSeconds {
		t.Errorf("the Lease changed: holder %q, resourceVersion %s, duration %ds; want holder %q, resourceVersion %s, duration %ds",
			holderOf(got), got.ResourceVersion, *got.Spec.LeaseDurationSeconds,
			holderOf(want), want.ResourceVersion, *want.Spec.LeaseDurationSeconds)
	}
}

// The defect of issue 8: client-go's release (and the elector's, which follows it) reads the Lease again (fresh resourceVersion) and
// then writes the release if its stale record says it leads. A replica whose Lease was taken
// over must not release it.
func TestLockRefusesReleaseOfLeaseTakenOver(t *testing.T) {
	s := &casStore{}
	a, _ := heldBy(t, s)
	before, _ := s.get("lease")
	if rec, err := a.Get(context.Background()); err != nil || rec.HolderIdentity != "b" {
		t.Fatalf("a: Get = %v, %v; want b's record", rec, err)
	}
	err := a.Update(context.Background(), release())
	if err == nil {
		t.Fatal("a released the Lease that b holds")
	}
	if !errors.Is(err, errNotHolder) {
		t.Errorf("a's release: %v, want errNotHolder", err)
	}
	assertUnchanged(t, s, before)
}

// A renewal or a release based on the Lease as this replica last wrote it, after another
// replica changed it, is refused by the API server (resourceVersion conflict).
func TestLockRefusesWritesOverLeaseChangedSinceRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  record
	}{{"renewal", recordOfHolder("a", 15)}, {"release", release()}} {
		t.Run(tc.name, func(t *testing.T) {
			s := &casStore{}
			a, _ := heldBy(t, s) // a's last read or write is its own renewal, before b's takeover
			before, _ := s.get("lease")
			err := a.Update(context.Background(), tc.rec)
			if !apierrors.IsConflict(err) {
				t.Errorf("a's %s over b's Lease: %v, want a conflict", tc.name, err)
			}
			assertUnchanged(t, s, before)
		})
	}
}

// A release that read the Lease as its own, but races with a takeover, is refused by the API
// server: it is written at the resourceVersion it read.
func TestLockRefusesReleaseRacingATakeover(t *testing.T) {
	s := &casStore{}
	ctx := context.Background()
	a, b := testLock(s.client("a", nil), "a"), testLock(s.client("b", nil), "b")
	if err := a.Create(ctx, recordOfHolder("a", 15)); err != nil {
		t.Fatal(err)
	}
	if rec, err := a.Get(ctx); err != nil || rec.HolderIdentity != "a" { // the release's read
		t.Fatalf("a: Get = %v, %v", rec, err)
	}
	if _, err := b.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Update(ctx, recordOfHolder("b", 15)); err != nil {
		t.Fatal(err)
	}
	before, _ := s.get("lease")
	if err := a.Update(ctx, release()); !apierrors.IsConflict(err) {
		t.Errorf("a's release after b's takeover: %v, want a conflict", err)
	}
	assertUnchanged(t, s, before)
}

// The holder releases its own Lease; a second release, now that it holds nothing, is refused.
func TestLockReleasesOwnLeaseOnce(t *testing.T) {
	s := &casStore{}
	ctx := context.Background()
	a := testLock(s.client("a", nil), "a")
	if err := a.Create(ctx, recordOfHolder("a", 15)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Update(ctx, release()); err != nil {
		t.Fatalf("release of its own Lease: %v", err)
	}
	l, _ := s.get("lease")
	if holderOf(l) != "" || *l.Spec.LeaseDurationSeconds != 1 {
		t.Fatalf("after the release: holder %q, duration %d", holderOf(l), *l.Spec.LeaseDurationSeconds)
	}
	if err := a.Update(ctx, release()); !errors.Is(err, errNotHolder) {
		t.Errorf("second release: %v, want errNotHolder", err)
	}
	assertUnchanged(t, s, l)
}

func TestLockUpdateBeforeReadIsRefused(t *testing.T) {
	s := &casStore{}
	if err := testLock(s.client("a", nil), "a").Update(context.Background(), recordOfHolder("a", 15)); err == nil {
		t.Fatal("Update before any Get or Create succeeded")
	}
	if w := s.history(); len(w) != 0 {
		t.Errorf("writes reached the API: %+v", w)
	}
}

// Issue 8 end to end on the elector: leader a stalls (its requests hang, its clock runs)
// past its lease, b takes over, a resumes. a's renewal fails, and the elector releases the Lease
// with its record from before the stall: the release must not reach b's Lease.
func TestStalledLeaderDoesNotReleaseNewHoldersLease(t *testing.T) {
	s := &casStore{}
	gate := &stallGate{}
	a := startElectorOn(t, s.client("a", gate), "a", options{releaseOnCancel: true}, nil)
	waitFor(t, "a leads", testLease, a.leading.Load)
	b := startElectorOn(t, s.client("b", nil), "b", options{releaseOnCancel: true}, nil)
	time.Sleep(2 * testRetry) // b observes a's renewals
	gate.stall()
	waitFor(t, "b takes over", 3*testLease, b.leading.Load)
	takeover := len(s.history())
	gate.resume()
	// a's stalled renewal fails, its release (Get, then Update) and its next round's Get follow.
	waitFor(t, "a campaigns again after the stall", 3*testLease, func() bool { return gate.getsAfter.Load() >= 2 })
	time.Sleep(testRetry)
	for _, w := range s.history()[takeover:] {
		if w.by != "b" && w.err == nil {
			t.Errorf("after b took over, %s wrote the Lease (%s, holder %q, resourceVersion %s)", w.by, w.verb, w.holder, w.rv)
		}
		t.Logf("after the takeover: %s %s holder %q: resourceVersion %q, err %v", w.by, w.verb, w.holder, w.rv, w.err)
	}
	l, _ := s.get("lease")
	if holderOf(l) != "b" || !b.leading.Load() || a.leading.Load() {
		t.Errorf("holder %q, b leading %v, a leading %v; want b alone", holderOf(l), b.leading.Load(), a.leading.Load())
	}
}
