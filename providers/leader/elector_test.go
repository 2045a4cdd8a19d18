package leader

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
	coordv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// specOf reads the stored Lease's spec.
func specOf(t *testing.T, s *casStore) coordv1.LeaseSpec {
	t.Helper()
	l, err := s.get("lease")
	if err != nil {
		t.Fatal(err)
	}
	return l.Spec
}

// The record is written as client-go writes it: the holder keeps its acquireTime and the
// transition count while it renews; a release keeps the count; a new holder increments it.
func TestElectorRecordsTransitionsAndAcquireTime(t *testing.T) {
	s := &casStore{}
	a := startElector(t, s, "a", options{releaseOnCancel: true}, nil)
	waitFor(t, "a leads", testLease, a.leading.Load)
	first := specOf(t, s)
	time.Sleep(3 * testRetry) // renewals
	renewed := specOf(t, s)
	if *renewed.HolderIdentity != "a" || *renewed.LeaseTransitions != 0 || *renewed.LeaseDurationSeconds != int32(testLease/time.Second) ||
		!renewed.AcquireTime.Equal(first.AcquireTime) || !renewed.RenewTime.After(first.RenewTime.Time) {
		t.Errorf("after renewals: holder %s, transitions %d, duration %ds, acquired %v (first %v), renewed %v (first %v)",
			*renewed.HolderIdentity, *renewed.LeaseTransitions, *renewed.LeaseDurationSeconds,
			renewed.AcquireTime, first.AcquireTime, renewed.RenewTime, first.RenewTime)
	}
	a.stop(t)
	released := specOf(t, s)
	if *released.HolderIdentity != "" || *released.LeaseTransitions != 0 || *released.LeaseDurationSeconds != 1 {
		t.Errorf("after the release: holder %q, transitions %d, duration %ds", *released.HolderIdentity, *released.LeaseTransitions, *released.LeaseDurationSeconds)
	}
	b := startElector(t, s, "b", options{releaseOnCancel: true}, nil)
	waitFor(t, "b leads", testLease, b.leading.Load)
	taken := specOf(t, s)
	if *taken.HolderIdentity != "b" || *taken.LeaseTransitions != 1 || !taken.AcquireTime.After(released.AcquireTime.Time) {
		t.Errorf("after b's takeover: holder %s, transitions %d, acquired %v", *taken.HolderIdentity, *taken.LeaseTransitions, taken.AcquireTime)
	}
}

// A Lease held by another is taken only LeaseDuration after this replica first observed its
// record, by its own clock, however old the Lease's renewTime: clocks of replicas may differ.
func TestElectorWaitsLeaseDurationFromItsOwnObservation(t *testing.T) {
	s := &casStore{}
	old := metav1.NewMicroTime(time.Now().Add(-time.Hour))
	holderX, seconds := "x", int32(1)
	if _, err := s.write("x", "create", &coordv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "lease"},
		Spec: coordv1.LeaseSpec{HolderIdentity: &holderX, LeaseDurationSeconds: &seconds, AcquireTime: &old, RenewTime: &old}}); err != nil {
		t.Fatal(err)
	}
	c := Config{Namespace: "ns", Name: "lease", Identity: "b"}
	le := &elector{lock: newLeaseLock(s.client("b", nil), c), leaseDuration: testLease, renewDeadline: testRenew,
		retryPeriod: testRetry, log: zaptest.NewLogger(t)}
	ctx := context.Background()
	start := time.Now()
	if le.tryAcquireOrRenew(ctx) {
		t.Fatal("took the Lease at its first observation")
	}
	time.Sleep(time.Second / 2)
	if le.tryAcquireOrRenew(ctx) {
		t.Fatalf("took the Lease %v after first observing it, before its LeaseDuration (1s)", time.Since(start))
	}
	time.Sleep(600 * time.Millisecond)
	if !le.tryAcquireOrRenew(ctx) {
		t.Fatalf("did not take the expired Lease %v after first observing it", time.Since(start))
	}
	if got := specOf(t, s); *got.HolderIdentity != "b" || *got.LeaseTransitions != 1 {
		t.Errorf("holder %s, transitions %d; want b, 1", *got.HolderIdentity, *got.LeaseTransitions)
	}
}

// A change of the record restarts the wait: a holder that renews keeps its Lease.
func TestElectorDoesNotTakeARenewedLease(t *testing.T) {
	s := &casStore{}
	x := testLock(s.client("x", nil), "x")
	ctx := context.Background()
	if err := x.Create(ctx, recordOfHolder("x", 1)); err != nil {
		t.Fatal(err)
	}
	le := &elector{lock: testLock(s.client("b", nil), "b"), leaseDuration: testLease, renewDeadline: testRenew,
		retryPeriod: testRetry, log: zaptest.NewLogger(t)}
	for i := 0; i < 8; i++ { // 2s, twice the Lease's duration
		if le.tryAcquireOrRenew(ctx) {
			t.Fatalf("took the Lease while x renewed it (try %d)", i)
		}
		time.Sleep(time.Second / 4)
		if _, err := x.Get(ctx); err != nil {
			t.Fatal(err)
		}
		if err := x.Update(ctx, recordOfHolder("x", 1)); err != nil {
			t.Fatal(err)
		}
	}
}
