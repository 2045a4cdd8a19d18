package leader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	coordv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	coordinationv1 "k8s.io/client-go/kubernetes/typed/coordination/v1"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// errNotHolder refuses a release of a Lease that this replica does not hold.
var errNotHolder = errors.New("leader: not the lease's holder")

// leaseLock is client-go's resourcelock.Interface on a coordination.k8s.io Lease, like
// resourcelock.LeaseLock, with two guarantees that LeaseLock lacks:
//   - every Update is an optimistic-concurrency update on the resourceVersion of the Lease as this
//     lock last read or wrote it, so the API server refuses (409 Conflict) a write to a Lease that
//     changed since;
//   - a release (a record without a holder) is refused, without a request, unless the Lease as
//     last read or written names this replica.
//
// The second closes a split brain: client-go's release (ReleaseOnCancel) re-reads the Lease, so its
// resourceVersion is fresh, but checks leadership against its record from before a stall; a
// leader paused past its lease (GC pause, frozen VM, SIGSTOP) that resumes would otherwise wipe
// the new holder's Lease and let a third replica take it while the new holder writes.
type leaseLock struct {
	client    coordinationv1.LeasesGetter
	namespace string
	name      string
	identity  string

	mu   sync.Mutex
	last *coordv1.Lease // the Lease as last read or written; nil before the first Get or Create
}

var _ resourcelock.Interface = (*leaseLock)(nil)

// newLeaseLock is the Lease lock for c.
func newLeaseLock(client coordinationv1.LeasesGetter, c Config) *leaseLock {
	return &leaseLock{client: client, namespace: c.Namespace, name: c.Name, identity: c.Identity}
}

// Get reads the Lease and remembers it as the base of the next Update.
func (l *leaseLock) Get(ctx context.Context) (*resourcelock.LeaderElectionRecord, []byte, error) {
	lease, err := l.client.Leases(l.namespace).Get(ctx, l.name, metav1.GetOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("leader: get lease %s: %w", l.Describe(), err)
	}
	l.remember(lease)
	// client-go compares these bytes with the last ones it saw: the same encoding as LeaseLock's.
	rec, raw, err := recordOf(lease)
	if err != nil {
		return nil, nil, fmt.Errorf("leader: encode the record of lease %s: %w", l.Describe(), err)
	}
	return rec, raw, nil
}

// Create creates the Lease with record r.
func (l *leaseLock) Create(ctx context.Context, r resourcelock.LeaderElectionRecord) error {
	lease, err := l.client.Leases(l.namespace).Create(ctx, &coordv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Namespace: l.namespace, Name: l.name},
		Spec:       resourcelock.LeaderElectionRecordToLeaseSpec(&r),
	}, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("leader: create lease %s: %w", l.Describe(), err)
	}
	l.remember(lease)
	return nil
}

// Update writes record r over the Lease as last read or written, at its resourceVersion: the API
// server refuses it if the Lease changed since. A release (r without a holder) is refused at once
// unless that Lease names this replica. A refused Update leaves the Lease unchanged.
func (l *leaseLock) Update(ctx context.Context, r resourcelock.LeaderElectionRecord) error {
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
	next.Spec = resourcelock.LeaderElectionRecordToLeaseSpec(&r)
	lease, err := l.client.Leases(l.namespace).Update(ctx, next, metav1.UpdateOptions{})
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

// RecordEvent does nothing: the election records no Events (its Role cannot create them).
func (l *leaseLock) RecordEvent(string) {}

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

// recordOf is the Lease's election record and its JSON encoding.
func recordOf(lease *coordv1.Lease) (*resourcelock.LeaderElectionRecord, []byte, error) {
	rec := resourcelock.LeaseSpecToLeaderElectionRecord(&lease.Spec)
	raw, err := json.Marshal(*rec)
	if err != nil {
		return nil, nil, err
	}
	return rec, raw, nil
}
