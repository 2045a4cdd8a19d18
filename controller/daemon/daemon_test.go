package daemon

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/controllertest"
)

func known(addr string) controller.FamilyResult {
	return controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr(addr)}
}

func TestDaemonRecordAsksForAnotherPassWhenTheAddressMovedDuringIt(t *testing.T) {
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		used       controller.FamilyResult // what the pass detected
		detected   controller.FamilyResult // the detect loop's latest verdict
		detectedAt time.Time
		passErr    error
		want       bool
	}{
		{"address changed back while the pass ran", known("203.0.113.7"), known("203.0.113.8"), start.Add(time.Second), nil, true},
		{"the loop saw it before the pass started", known("203.0.113.7"), known("203.0.113.8"), start.Add(-time.Second), nil, false},
		{"same address", known("203.0.113.7"), known("203.0.113.7"), start.Add(time.Second), nil, false},
		{"the pass did not know the address", controller.FamilyResult{State: controller.StateUnknown}, known("203.0.113.8"), start.Add(time.Second), nil, false},
		{"the loop does not know it", known("203.0.113.7"), controller.FamilyResult{State: controller.StateUnknown}, start.Add(time.Second), nil, false},
		{"failed pass: the backoff decides", known("203.0.113.7"), known("203.0.113.8"), start.Add(time.Second), context.DeadlineExceeded, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &Daemon{detected: controller.Detection{V4: tc.detected}, detectedAt: tc.detectedAt}
			got := d.record(controller.Report{Detection: controller.Detection{V4: tc.used}}, tc.passErr, start)
			if got != tc.want {
				t.Fatalf("record() = %t, want %t", got, tc.want)
			}
		})
	}
}

// recordingNotifier keeps the kinds of the events it is told, in order.
type recordingNotifier struct {
	mu    sync.Mutex
	kinds []controller.EventKind
}

func (n *recordingNotifier) Notify(_ context.Context, e controller.Event) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.kinds = append(n.kinds, e.Kind)
	return nil
}

func (n *recordingNotifier) seen() []controller.EventKind {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.kinds)
}

// hourly is a schedule whose next pass is an hour away.
type hourly struct{}

func (hourly) Next(t time.Time) time.Time { return t.Add(time.Hour) }

// runDaemon runs a daemon that manages home.example.com (to be created)
// on an hourly schedule with these notifiers; stop cancels it and returns
// what Run returned.
func runDaemon(notifiers ...Notifier) (d *Daemon, stop func() error) {
	dns := &controllertest.MemDNS{Listed: []controller.Zone{{ID: "z", Name: "example.com"}}}
	d = &Daemon{Reconciler: newTestReconciler(dns, controller.NameSpec{Field: "records[0]", Name: "home.example.com"}),
		Schedule: hourly{}, Notifiers: notifiers, Log: zap.NewNop()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return d, func() error { cancel(); return <-done }
}

// waitSeen waits up to 10 s for n to have seen count events.
func waitSeen(n *recordingNotifier, count int) {
	for deadline := time.Now().Add(10 * time.Second); len(n.seen()) < count && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDaemonDeliversEventsInOrder(t *testing.T) {
	n := &recordingNotifier{}
	d, stop := runDaemon(n)
	waitSeen(n, 3)
	if err := stop(); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	want := []controller.EventKind{controller.EventPassStart, controller.EventChange, controller.EventPassOK}
	if got := n.seen(); !slices.Equal(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
	if st := d.Snapshot(); st.LastOKAt.IsZero() || st.LastPass == nil || st.LastPass.Plan.Count() != 1 {
		t.Fatalf("status = %+v, want the pass that created the record", st)
	}
}

func TestRequestPassAcceptsOnePerGap(t *testing.T) {
	d := &Daemon{Log: zap.NewNop()}
	if !d.RequestPass("first") {
		t.Fatal("the first request was refused")
	}
	if d.RequestPass("second, at once") {
		t.Fatal("a second request within the gap was accepted")
	}
	d.mu.Lock()
	d.lastRequest = d.lastRequest.Add(-DefaultTriggerGap)
	d.mu.Unlock()
	if !d.RequestPass("after the gap") {
		t.Fatal("a request after the gap was refused")
	}
}

// stuckNotifier holds every delivery until released, like a webhook that
// never answers.
type stuckNotifier struct{ release chan struct{} }

func (n stuckNotifier) Notify(context.Context, controller.Event) error {
	<-n.release
	return nil
}

func TestDaemonStuckNotifierDelaysNoOther(t *testing.T) {
	stuck, n := stuckNotifier{release: make(chan struct{})}, &recordingNotifier{}
	_, stop := runDaemon(stuck, n)
	waitSeen(n, 3)
	got := n.seen()
	close(stuck.release)
	if err := stop(); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if want := []controller.EventKind{controller.EventPassStart, controller.EventChange, controller.EventPassOK}; !slices.Equal(got, want) {
		t.Fatalf("while another notifier was stuck, events = %q, want %q", got, want)
	}
}

// ctxDNS is a MemDNS whose reads fail once their context has ended.
type ctxDNS struct{ *controllertest.MemDNS }

func (c ctxDNS) Records(ctx context.Context, z controller.Zone) ([]controller.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.MemDNS.Records(ctx, z)
}

// countingObserver counts the passes it is told about.
type countingObserver struct{ passes atomic.Int32 }

func (o *countingObserver) ObservePass(controller.Report, error, time.Duration) { o.passes.Add(1) }

func TestDaemonInterruptedPassIsNotAFailure(t *testing.T) {
	n, obs := &recordingNotifier{}, &countingObserver{}
	r := newTestReconciler(&controllertest.MemDNS{Listed: []controller.Zone{{ID: "z", Name: "example.com"}}}, controller.NameSpec{Field: "records[0]", Name: "home.example.com"})
	r.DNS = ctxDNS{r.DNS.(*controllertest.MemDNS)}
	okAt := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	prev := Status{LastPass: &controller.Report{}, LastPassAt: okAt, LastOKAt: okAt}
	d := &Daemon{Reconciler: r, Notifiers: []Notifier{n}, Observer: obs, Log: zap.NewNop(), status: prev, firstPass: make(chan struct{})}
	stop := d.startNotifiers(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.pass(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("pass() = %v, want context.Canceled", err)
	}
	stop()
	if got, want := n.seen(), []controller.EventKind{controller.EventPassStart}; !slices.Equal(got, want) {
		t.Errorf("events = %q, want %q", got, want)
	}
	if st := d.Snapshot(); st.LastPass != prev.LastPass || st.LastPassErr != "" || st.ConsecFailed != 0 || !st.LastPassAt.Equal(okAt) {
		t.Errorf("status = %+v, want the previous one", st)
	}
	if obs.passes.Load() != 0 {
		t.Errorf("the observer was told of %d passes, want 0", obs.passes.Load())
	}
}

// namedNotifier is a notifier that names its target.
type namedNotifier struct{ recordingNotifier }

func (*namedNotifier) String() string { return "notify.webhooks[0] https://hooks.example.net/…" }

func TestNotifierName(t *testing.T) {
	if got := notifierName(&namedNotifier{}, 3); got != "notify.webhooks[0] https://hooks.example.net/…" {
		t.Errorf("a Stringer is named %q", got)
	}
	if got := notifierName(&recordingNotifier{}, 3); got != "notifier 3" {
		t.Errorf("a notifier without String is named %q", got)
	}
}

// countingDetector counts detections of a fixed address.
type countingDetector struct {
	det controller.Detection
	n   atomic.Int32
}

func (c *countingDetector) Detect(context.Context) controller.Detection { c.n.Add(1); return c.det }

// slowListing delays each record listing (a slow first pass) and counts them.
type slowListing struct {
	*controllertest.MemDNS
	delay time.Duration
	n     atomic.Int32
}

func (s *slowListing) Records(ctx context.Context, z controller.Zone) ([]controller.Record, error) {
	s.n.Add(1)
	time.Sleep(s.delay)
	return s.MemDNS.Records(ctx, z)
}

// Detection between passes starts after the first pass: during it, there
// is no last pass to compare with, and a detection then asked for a
// second, redundant pass.
func TestDaemonDetectionWaitsForTheFirstPass(t *testing.T) {
	dns := &slowListing{MemDNS: &controllertest.MemDNS{Listed: []controller.Zone{{ID: "z", Name: "example.com"}}}, delay: 100 * time.Millisecond}
	det := &countingDetector{det: controller.Detection{V4: controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("203.0.113.7")},
		V6: controller.FamilyResult{State: controller.StateDisabled}}}
	rec := &controller.Reconciler{Detector: det, DNS: dns, Names: []controller.NameSpec{{Field: "records[0]", Name: "home.example.com"}},
		Policy: controller.Policy{Mode: controller.ModeSync, Marker: controllertest.Marker}, Log: zap.NewNop()}
	d := &Daemon{Reconciler: rec, Schedule: hourly{}, DetectInterval: time.Millisecond, Log: zap.NewNop()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for d.Snapshot().LastPassAt.IsZero() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	after := det.n.Load() + 20
	for det.n.Load() < after && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // detections after the first pass
	}
	cancel()
	<-done
	if det.n.Load() < after {
		t.Fatalf("only %d detections", det.n.Load())
	}
	if n := dns.n.Load(); n != 1 {
		t.Fatalf("%d passes, want the first one only: nothing changed", n)
	}
}
