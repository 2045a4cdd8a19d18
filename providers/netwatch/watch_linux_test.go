package netwatch_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/flarewarden/flarewarden/providers/netwatch"
)

// quiet is how long without a call counts as settled.
const quiet = 150 * time.Millisecond

func TestWatchCallsForNamedInterfacesOnly(t *testing.T) {
	if !inNetns() {
		runInNetns(t, 2*time.Minute, "-test.run", "^TestWatchCallsForNamedInterfacesOnly$", "-test.v", "-test.count", "1")
		return
	}
	setupNetns(t)
	watched, other := addDummy(t, "fwwatch0"), addDummy(t, "fwother0")
	w := startWatch(t, "fwwatch0", "fwlate0")
	w.ready(t, watched)

	addAddr(t, other, "203.0.113.20/32") // queued before the next: a call for it would come first
	addAddr(t, watched, "203.0.113.10/32")
	w.expect(t, "adding an address to the watched link (and one to an unrelated link)", 1, 1)
	if err := netlink.AddrReplace(watched, mustAddr(t, "203.0.113.11/32")); err != nil {
		t.Fatal(err)
	}
	w.expect(t, "replacing with another address", 1, 1)
	delAddr(t, other, "203.0.113.20/32")
	delAddr(t, watched, "203.0.113.10/32")
	w.expect(t, "removing an address", 1, 1)

	late := addDummy(t, "fwlate0")
	w.expect(t, "a watched link appearing and going up", 1, 10)
	addAddr(t, late, "203.0.113.30/32")
	w.expect(t, "adding an address to a link created after Watch started", 1, 1)
	if err := netlink.LinkSetDown(watched); err != nil {
		t.Fatal(err)
	}
	w.expect(t, "a watched link going down", 1, 10)
	w.stop(t)
}

// watchRecorder runs Watch and counts its calls.
type watchRecorder struct {
	calls  atomic.Int64
	signal chan struct{}
	cancel context.CancelFunc
	done   chan error
}

func startWatch(t *testing.T, names ...string) *watchRecorder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watchRecorder{signal: make(chan struct{}, 1), cancel: cancel, done: make(chan error, 1)}
	go func() { w.done <- netwatch.Watch(ctx, names, w.changed) }()
	t.Cleanup(cancel)
	return w
}

func (w *watchRecorder) changed() {
	w.calls.Add(1)
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

// ready pokes link with a private address until Watch reports it (its
// subscription is live), then lets the calls settle and resets the count.
func (w *watchRecorder) ready(t *testing.T, link netlink.Link) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for w.calls.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Watch never reported an address change on the watched link")
		}
		addAddr(t, link, "10.255.0.1/32")
		delAddr(t, link, "10.255.0.1/32")
		w.wait(50 * time.Millisecond)
	}
	w.settle()
}

// expect waits for a first call after what the test just did, lets the
// calls settle, and requires between min and max of them.
func (w *watchRecorder) expect(t *testing.T, what string, minCalls, maxCalls int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for w.calls.Load() < minCalls && time.Now().Before(deadline) {
		w.wait(time.Until(deadline))
	}
	if n := w.settle(); n < minCalls || n > maxCalls {
		t.Errorf("%s: %d calls, want %d to %d", what, n, minCalls, maxCalls)
	}
}

// wait returns at the next call or after d.
func (w *watchRecorder) wait(d time.Duration) {
	select {
	case <-w.signal:
	case <-time.After(d):
	}
}

// settle waits until no call came for quiet, then returns and resets the count.
func (w *watchRecorder) settle() int64 {
	for {
		select {
		case <-w.signal:
		case <-time.After(quiet):
			return w.calls.Swap(0)
		}
	}
}

// stop cancels Watch and requires it to return nil promptly.
func (w *watchRecorder) stop(t *testing.T) {
	t.Helper()
	w.cancel()
	select {
	case err := <-w.done:
		if err != nil {
			t.Fatalf("Watch returned %v after its context ended, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after its context ended")
	}
}
