package leader

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// errNotHolder refuses a release of a Lease that this replica does not hold.
var errNotHolder = errors.New("leader: not the lease's holder")

// record is the election record a Lease's spec holds (client-go's LeaderElectionRecord).
type record struct {
	HolderIdentity       string // "" = none (released)
	LeaseDurationSeconds int
	AcquireTime          time.Time
	RenewTime            time.Time
	LeaderTransitions    int
	// Strategy and PreferredHolder are read only to notice changes: the election writes neither
	// (as client-go's uncoordinated election), so a write of this replica clears them.
	Strategy        string
	PreferredHolder string
}

// equal reports whether r and o are the same record, times compared to the microsecond a Lease
// stores.
func (r record) equal(o record) bool {
	return r.HolderIdentity == o.HolderIdentity && r.LeaseDurationSeconds == o.LeaseDurationSeconds &&
		r.AcquireTime.Truncate(time.Microsecond).Equal(o.AcquireTime.Truncate(time.Microsecond)) &&
		r.RenewTime.Truncate(time.Microsecond).Equal(o.RenewTime.Truncate(time.Microsecond)) &&
		r.LeaderTransitions == o.LeaderTransitions && r.Strategy == o.Strategy && r.PreferredHolder == o.PreferredHolder
}

// recordOf is the election record of a Lease's spec.
func recordOf(spec *coordv1.LeaseSpec) record {
	var r record
	if spec.HolderIdentity != nil {
		r.HolderIdentity = *spec.HolderIdentity
	}
	if spec.LeaseDurationSeconds != nil {
		r.LeaseDurationSeconds = int(*spec.LeaseDurationSeconds)
	}
	if spec.LeaseTransitions != nil {
		r.LeaderTransitions = int(*spec.LeaseTransitions)
	}
	if spec.AcquireTime != nil {
		r.AcquireTime = spec.AcquireTime.Time
	}
	if spec.RenewTime != nil {
		r.RenewTime = spec.RenewTime.Time
	}
	if spec.Strategy != nil {
		r.Strategy = string(*spec.Strategy)
	}
	if spec.PreferredHolder != nil {
		r.PreferredHolder = *spec.PreferredHolder
	}
	return r
}

// leaseSpecOf is the Lease spec holding r, as client-go writes it.
func leaseSpecOf(r record) coordv1.LeaseSpec {
	holder := r.HolderIdentity
	seconds, transitions := int32(r.LeaseDurationSeconds), int32(r.LeaderTransitions)
	spec := coordv1.LeaseSpec{
		HolderIdentity:       &holder,
		LeaseDurationSeconds: &seconds,
		AcquireTime:          &metav1.MicroTime{Time: r.AcquireTime},
		RenewTime:            &metav1.MicroTime{Time: r.RenewTime},
		LeaseTransitions:     &transitions,
	}
	if r.Strategy != "" {
		strategy := coordv1.CoordinatedLeaseStrategy(r.Strategy)
		spec.Strategy = &strategy
	}
	if r.PreferredHolder != "" {
		preferred := r.PreferredHolder
		spec.PreferredHolder = &preferred
	}
	return spec
}

// lock is the election's view of the Lease (client-go's resourcelock.Interface without events).
type lock interface {
	// Get reads the record; the error is the API server's (apierrors.IsNotFound works on it).
	Get(ctx context.Context) (record, error)
	// Create creates the Lease with a record.
	Create(ctx context.Context, r record) error
	// Update writes a record over the Lease.
	Update(ctx context.Context, r record) error
	// Describe names the Lease.
	Describe() string
	// Identity is this replica's holder identity.
	Identity() string
}

// leaseLock is the lock on a coordination.k8s.io Lease, like client-go's resourcelock.LeaseLock,
// with two guarantees that LeaseLock lacks:
//   - every Update is an optimistic-concurrency update on the resourceVersion of the Lease as this
//     lock last read or wrote it, so the API server refuses (409 Conflict) a write to a Lease that
//     changed since;
//   - a release (a record without a holder) is refused, without a request, unless the Lease as
//     last read or written names this replica.
//
// The second closes a split brain: the elector's release (ReleaseOnCancel, as client-go's) re-reads
// the Lease, so its resourceVersion is fresh, but checks leadership against its record from before
// a stall; a leader paused past its lease (GC pause, frozen VM, SIGSTOP) that resumes would
// otherwise wipe the new holder's Lease and let a third replica take it while the new holder writes.
type leaseLock struct {
	client    leaseClient
	namespace string
	name      string
	identity  string

	mu   sync.Mutex
	last *coordv1.Lease // the Lease as last read or written; nil before the first Get or Create
}

var _ lock = (*leaseLock)(nil)

// newLeaseLock is the Lease lock for c.
func newLeaseLock(client leaseClient, c Config) *leaseLock {
	return &leaseLock{client: client, namespace: c.Namespace, name: c.Name, identity: c.Identity}
}

// Get reads the Lease and remembers it as the base of the next Update.
func (l *leaseLock) Get(ctx context.Context) (record, error) {
	lease, err := l.client.Get(ctx, l.name)
	if err != nil {
		return record{}, fmt.Errorf("leader: get lease %s: %w", l.Describe(), err)
	}
	l.remember(lease)
	return recordOf(&lease.Spec), nil
}

// Create creates the Lease with record r.
func (l *leaseLock) Create(ctx context.Context, r record) error {
	lease, err := l.client.Create(ctx, &coordv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Namespace: l.namespace, Name: l.name},
		Spec:       leaseSpecOf(r),
	})
	if err != nil {
		return fmt.Errorf("leader: create lease %s: %w", l.Describe(), err)
	}
	l.remember(lease)
	return nil
}

// Update writes record r over the Lease as last read or written, at its resourceVersion: the API
// server refuses it if the Lease changed since. A release (r without a holder) is refused at once
// unless that Lease names this replica. A refused Update leaves the Lease unchanged.
func (l *leaseLock) Update(ctx context.Context, r record) error {
	l.mu.Lock()
	base := l.last
	l.mu.Unlock()
	if base == nil {
		return fmt.Errorf("leader: update of lease %s before reading it", l.Describe())
	}
	if r.HolderIdentity == "" {
		if holder := holderOf(base); holder != l.identity {
			return fmt.Errorf("leader: release of lease %s refused, its holder is %q (resourceVersion %s): %w",
				l.Describe(), holder, base.ResourceVersion, errNotHolder)
		}
	}
	next := base.DeepCopy()
	next.Spec = leaseSpecOf(r)
	lease, err := l.client.Update(ctx, next)
	if err != nil {
		return fmt.Errorf("leader: update lease %s at resourceVersion %s: %w", l.Describe(), base.ResourceVersion, err)
	}
	l.remember(lease)
	return nil
}

// remember makes lease the base of the next Update.
func (l *leaseLock) remember(lease *coordv1.Lease) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last = lease
}

// Describe names the Lease.
func (l *leaseLock) Describe() string { return l.namespace + "/" + l.name }

// Identity is this replica's holder identity.
func (l *leaseLock) Identity() string { return l.identity }

// holderOf is the Lease's holder identity ("" = none).
func holderOf(lease *coordv1.Lease) string {
	if lease.Spec.HolderIdentity == nil {
		return ""
	}
	return *lease.Spec.HolderIdentity
}
