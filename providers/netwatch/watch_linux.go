package netwatch

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/vishvananda/netlink"
)

// updateBuffer is the capacity of the channels netlink delivers updates on.
const updateBuffer = 64

// Watch calls changed for every address added to or removed from one of
// the interfaces named by names, and whenever one of them appears, goes up
// or down, is renamed or disappears. Interfaces are matched by index and
// names are resolved again as links change, so an interface created after
// Watch started is watched too. changed runs on Watch's goroutine, one call
// at a time, and should return quickly; bursts are not coalesced (that is
// the caller's job).
//
// Watch blocks until ctx ends and then returns nil. It returns an error
// when names is empty, when subscribing to the kernel's notifications
// fails (it needs no privilege: rtnetlink notifications are readable by
// any process), or when they stop early, such as after a receive buffer
// overflow; callers then fall back to polling.
func Watch(ctx context.Context, names []string, changed func()) error {
	if len(names) == 0 {
		return errors.New("netwatch: no interface to watch")
	}
	sub, err := subscribe()
	if err != nil {
		return err
	}
	defer sub.close()
	t, err := newTracker(names) // after subscribing, so no change falls in between
	if err != nil {
		return err
	}
	return sub.run(ctx, t, changed)
}

// subscription is a pair of rtnetlink subscriptions: addresses and links.
type subscription struct {
	done      chan struct{}
	addrs     chan netlink.AddrUpdate
	links     chan netlink.LinkUpdate
	addrsLive bool // the address subscription started (and will close addrs)

	mu      sync.Mutex
	lastErr error // the last error netlink reported
}

// subscribe subscribes to link, then address notifications.
func subscribe() (*subscription, error) {
	s := &subscription{
		done:  make(chan struct{}),
		addrs: make(chan netlink.AddrUpdate, updateBuffer),
		links: make(chan netlink.LinkUpdate, updateBuffer),
	}
	err := netlink.LinkSubscribeWithOptions(s.links, s.done, netlink.LinkSubscribeOptions{ErrorCallback: s.report})
	if err != nil {
		return nil, fmt.Errorf("netwatch: subscribe to link changes: %w", err)
	}
	err = netlink.AddrSubscribeWithOptions(s.addrs, s.done, netlink.AddrSubscribeOptions{ErrorCallback: s.report})
	if err != nil {
		s.close()
		return nil, fmt.Errorf("netwatch: subscribe to address changes: %w", err)
	}
	s.addrsLive = true
	return s, nil
}

// report is netlink's error callback; it runs on netlink's goroutines.
func (s *subscription) report(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastErr = err
}

// close ends the subscriptions and waits until netlink's goroutines have
// closed their channels, so none stays blocked sending an update.
func (s *subscription) close() {
	close(s.done)
	for range s.links {
	}
	if s.addrsLive {
		for range s.addrs {
		}
	}
}

// run dispatches updates to t and changed until ctx ends or a
// subscription stops.
func (s *subscription) run(ctx context.Context, t *tracker, changed func()) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case u, ok := <-s.addrs:
			if !ok {
				return s.stopped("address")
			}
			if t.watchesIndex(u.LinkIndex) {
				changed()
			}
		case u, ok := <-s.links:
			if !ok {
				return s.stopped("link")
			}
			if t.linkChanged(u) {
				changed()
			}
		}
	}
}

// stopped is the error of a subscription that ended before ctx.
func (s *subscription) stopped(kind string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastErr != nil {
		return fmt.Errorf("netwatch: %s notifications stopped: %w", kind, s.lastErr)
	}
	return fmt.Errorf("netwatch: %s notifications stopped", kind)
}
