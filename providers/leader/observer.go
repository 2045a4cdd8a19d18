package leader

import "sync"

// observer turns the elector's callbacks, some of which run on their own goroutines, into an
// ordered, de-duplicated stream of onChange(isLeader, leader) calls.
//
// isLeader is true exactly while this replica's lead function runs; leader is then its own
// identity. Otherwise leader is the last holder observed ("" = none or unknown). An observation
// of its own identity while not leading is ignored: leadership is reported when lead starts.
// Each election round has a number; reports from an older round than the last one seen are
// dropped, so a late callback of a finished round cannot overwrite the present.
type observer struct {
	self     string
	onChange func(isLeader bool, leader string)

	mu      sync.Mutex
	round   int
	leading bool
	leader  string
}

func newObserver(self string, onChange func(isLeader bool, leader string)) *observer {
	return &observer{self: self, onChange: onChange}
}

// observed records that round saw holder hold the Lease.
func (o *observer) observed(round int, holder string) {
	if holder == o.self {
		return
	}
	o.set(round, false, holder)
}

// started records that this replica's lead function started in round.
func (o *observer) started(round int) { o.set(round, true, o.self) }

// stopped records that this replica's lead function returned in round.
func (o *observer) stopped(round int) { o.set(round, false, "") }

// set stores the state and reports it when it changed. onChange runs under the lock, which
// keeps reports in order; it must not block.
func (o *observer) set(round int, leading bool, leader string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if round < o.round {
		return
	}
	o.round = round
	if leading == o.leading && leader == o.leader {
		return
	}
	o.leading, o.leader = leading, leader
	if o.onChange != nil {
		o.onChange(leading, leader)
	}
}
