package daemon

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

// Daemon runs flarewarden as a service: reconcile passes at start, on the
// schedule and on triggers; cheap IP detection between passes (no API
// call) that triggers a pass only when an address changed; health checks
// that trigger what a pass can heal and report every transition once.
type Daemon struct {
	Reconciler *controller.Reconciler
	Schedule   Schedule
	Backoff    Backoff
	// DetectInterval runs detection between passes; 0 disables it.
	DetectInterval time.Duration
	// Watch, when set, calls changed whenever a local address changes
	// (netlink); detection then runs at once. It blocks until ctx ends.
	Watch func(ctx context.Context, changed func()) error
	// Prober runs the health checks every HealthInterval; nil disables them.
	Prober         Prober
	HealthInterval time.Duration
	Healer         *Healer
	// Heal inputs that come from the config.
	OnFailure, NoTakeover map[string]bool
	// Self is where skip rules list this host's address: a challenged
	// probe is healed by a pass only when one applies to its host's zone.
	Self SelfScope
	// Notifiers are told about health transitions, changes and passes. Each
	// has a queue of its own: a slow or dead one delays none of the others,
	// and each gets the events in the order they happened.
	Notifiers []Notifier
	// Uplinks, when set, judges the uplinks from their canaries' health
	// checks (which Prober runs): a pass plans with the uplinks it holds
	// down, and a change of one triggers a pass.
	Uplinks *UplinkTracker
	// Observer, when set, is told the outcome of every pass.
	Observer PassObserver
	Log      *zap.Logger

	chanOnce  sync.Once
	trigger   chan struct{}
	detectReq chan struct{}
	firstPass chan struct{}
	firstOnce sync.Once
	queues    []chan controller.Event // one per notifier
	mu        sync.Mutex
	status    Status
	takeover  map[string]bool
	triggered controller.Detection
	// detected is the detect loop's latest verdict, compared with what a
	// pass saw when it ends.
	detected   controller.Detection
	detectedAt time.Time
	// lastRequest is when RequestPass last accepted a request.
	lastRequest time.Time
}

// Status is what the daemon last saw: the last pass and the last health round.
type Status struct {
	LastPass     *controller.Report       `json:"last_pass,omitempty"`
	LastPassAt   time.Time                `json:"last_pass_at,omitzero"`
	LastPassErr  string                   `json:"last_pass_error,omitempty"`
	LastOKAt     time.Time                `json:"last_ok_at,omitzero"`
	Health       []controller.CheckResult `json:"health,omitempty"`
	Detection    controller.Detection     `json:"detection"`
	ConsecFailed int                      `json:"consecutive_failed_passes"`
	// Uplinks is each uplink's verdict after the last health round.
	Uplinks []UplinkState `json:"uplinks,omitempty"`
}

// Snapshot returns a copy of the daemon's status.
func (d *Daemon) Snapshot() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.status
}

// Run blocks until ctx is cancelled, then waits for its loops and pending
// notifications and returns nil.
func (d *Daemon) Run(ctx context.Context) error {
	d.initChannels()
	d.firstPass = make(chan struct{})
	stopNotifying := d.startNotifiers(ctx)
	loop := &Loop{Pass: d.pass, Schedule: d.Schedule, Backoff: d.Backoff, Trigger: d.trigger, Log: d.Log}
	var wg sync.WaitGroup
	if d.DetectInterval > 0 || d.Watch != nil {
		wg.Go(func() { d.detectLoop(ctx) })
	}
	if d.Watch != nil {
		wg.Go(func() {
			if err := d.Watch(ctx, d.addressChanged); err != nil && ctx.Err() == nil {
				d.Log.Warn("address watch stopped, relying on the detection interval", zap.Error(err))
			}
		})
	}
	if d.Prober != nil && d.HealthInterval > 0 {
		wg.Go(func() { d.healthLoop(ctx) })
	}
	d.seedUplinks(ctx)
	err := loop.Run(ctx)
	wg.Wait()
	stopNotifying()
	return err
}

// initChannels makes the trigger channels, once, so that RequestPass may
// be called before, during or after Run.
func (d *Daemon) initChannels() {
	d.chanOnce.Do(func() {
		d.trigger = make(chan struct{}, 1)
		d.detectReq = make(chan struct{}, 1)
	})
}

// RequestPass asks for a pass now, for the given reason (logged), on
// behalf of someone outside the daemon (POST /reconcile). It accepts at
// most one request per DefaultTriggerGap, so that a caller cannot spend
// the API's rate limit, and reports whether it accepted this one.
// Requests coalesce: one made while another is pending adds nothing. It
// never blocks and is safe for concurrent use; a request made before Run
// is served by the pass after the first.
func (d *Daemon) RequestPass(reason string) bool {
	d.mu.Lock()
	now := time.Now()
	if !d.lastRequest.IsZero() && now.Sub(d.lastRequest) < DefaultTriggerGap {
		d.mu.Unlock()
		return false
	}
	d.lastRequest = now
	d.mu.Unlock()
	d.requestPass(reason)
	return true
}

// requestPass asks the loop for a pass now (coalescing requests).
func (d *Daemon) requestPass(reason string) {
	d.initChannels()
	select {
	case d.trigger <- struct{}{}:
		d.Log.Info("pass requested", zap.String("reason", reason))
	default:
	}
}

// addressChanged is the Watch callback: detect now.
func (d *Daemon) addressChanged() {
	d.initChannels()
	select {
	case d.detectReq <- struct{}{}:
	default:
	}
}

// pass runs one reconcile pass and records its outcome. A pass that
// failed after ctx ended (shutdown, reload, leadership lost) was
// interrupted, not failed: it is logged only; the status keeps the
// previous pass, and neither the observer nor the notifiers hear of it
// (its start ping stays unanswered).
func (d *Daemon) pass(ctx context.Context) error {
	d.notify(controller.Event{Kind: controller.EventPassStart, Summary: "reconcile pass started"})
	start := time.Now()
	rep, err := d.Reconciler.RunOnce(ctx, controller.PassOptions{Takeover: d.takeoverSet(), UplinkDown: d.uplinksDown()})
	if err != nil && ctx.Err() != nil {
		d.Log.Info("pass interrupted", zap.Duration("duration", time.Since(start)), zap.Error(err))
		return err
	}
	if d.Observer != nil {
		d.Observer.ObservePass(rep, err, time.Since(start))
	}
	if d.record(rep, err, start) {
		d.requestPass("public address changed during the pass")
	}
	d.firstOnce.Do(func() { close(d.firstPass) })
	d.Log.Info("pass finished", zap.Duration("duration", time.Since(start)), zap.Int("changes", rep.Plan.Count()),
		zap.Bool("ok", err == nil))
	if rep.Plan.Count() > 0 {
		d.notify(changeEvent(rep, err))
	}
	if err != nil {
		d.notify(controller.Event{Kind: controller.EventPassFail, Summary: "reconcile pass failed", Detail: err.Error()})
	} else {
		d.notify(controller.Event{Kind: controller.EventPassOK, Healthy: true, Summary: "reconcile pass ok"})
	}
	return err
}

// record stores the outcome of a pass started at at. It reports whether
// the detect loop has, since then, seen a known address other than the
// one the pass used, so that another pass is due (an address that changed
// back while the pass ran).
func (d *Daemon) record(rep controller.Report, err error, at time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.status.LastPass, d.status.LastPassAt, d.status.Detection = &rep, at, rep.Detection
	d.status.LastPassErr = ""
	if err != nil {
		d.status.LastPassErr = err.Error()
		d.status.ConsecFailed++
		return false // the loop's backoff decides when to retry
	}
	d.status.LastOKAt, d.status.ConsecFailed = at, 0
	for name := range d.takeover {
		if _, still := rep.CNAMEs[name]; !still {
			delete(d.takeover, name)
		}
	}
	return d.movedSince(rep.Detection, at)
}

// movedSince reports whether the detect loop, after at, saw a known
// address other than the known one of used. The caller holds d.mu.
func (d *Daemon) movedSince(used controller.Detection, at time.Time) bool {
	if !d.detectedAt.After(at) {
		return false // the pass detected after the loop did
	}
	usedAddrs := used.Known()
	for key, cur := range d.detected.Known() {
		if u, ok := usedAddrs[key]; ok && u != cur {
			return true
		}
	}
	return false
}

func (d *Daemon) takeoverSet() map[string]bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]bool, len(d.takeover))
	for k := range d.takeover {
		out[k] = true
	}
	return out
}
