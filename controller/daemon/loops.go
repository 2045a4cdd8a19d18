package daemon

import (
	"context"
	"maps"
	"net/netip"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

// detectLoop detects on every tick and address change, and requests a
// pass when a known address differs from what the last pass saw (once per
// new address, so a failing pass is not hammered). It starts after the
// first pass, which detects too: before it, there is nothing to compare
// with, and every detection would ask for a redundant pass.
func (d *Daemon) detectLoop(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-d.firstPass:
	}
	tick := newTicker(d.DetectInterval)
	defer tick.stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.c:
		case <-d.detectReq:
		}
		det := d.Reconciler.Detector.Detect(ctx)
		if ctx.Err() != nil {
			return
		}
		if key, addr, ok := d.newAddress(det); ok {
			d.Log.Info("public address changed", zap.String("family", key), zap.String("addr", addr.String()))
			d.requestPass("public address changed")
		}
	}
}

// newAddress reports the first known address (by family, and by uplink
// and family) that differs from both the last pass's and the last one
// that triggered a pass.
func (d *Daemon) newAddress(det controller.Detection) (string, netip.Addr, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.detected, d.detectedAt = det, time.Now()
	known, seen, trig := det.Known(), d.status.Detection.Known(), d.triggered.Known()
	for _, key := range slices.Sorted(maps.Keys(known)) {
		cur := known[key]
		if s, ok := seen[key]; ok && s == cur {
			continue
		}
		if t, ok := trig[key]; ok && t == cur {
			continue
		}
		d.triggered = det
		return key, cur, true
	}
	return "", netip.Addr{}, false
}

// healthLoop probes after the first pass, then every HealthInterval.
func (d *Daemon) healthLoop(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-d.firstPass:
	}
	tick := newTicker(d.HealthInterval)
	defer tick.stop()
	for {
		d.healthRound(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.c:
		}
	}
}

func (d *Daemon) healthRound(ctx context.Context) {
	st := d.Snapshot()
	in := controller.ProbeInput{Detection: st.Detection}
	if st.LastPass != nil {
		in.CNAMEs = st.LastPass.CNAMEs
	}
	results := d.Prober.Probe(ctx, in)
	if ctx.Err() != nil {
		return
	}
	covered, exempted := selfCoverage(results, d.Self, st.LastPass)
	dec := d.Healer.Decide(HealInput{Results: results, Now: time.Now(), CNAMEs: in.CNAMEs, OnFailure: d.OnFailure,
		NoTakeover: d.NoTakeover, Covered: covered, Exempted: exempted, LastPassAt: st.LastPassAt})
	uplinkEvents := d.observeUplinks(results)
	d.mu.Lock()
	d.status.Health = results
	for _, r := range results {
		if !isDNSFailure(r.Class()) {
			delete(d.takeover, r.Host) // recovered: an on-failure takeover is no longer wanted
		}
	}
	for _, name := range dec.Takeover {
		if d.takeover == nil {
			d.takeover = map[string]bool{}
		}
		d.takeover[name] = true
	}
	d.mu.Unlock()
	for _, e := range dec.Events {
		d.logEvent(e)
		d.notify(e)
	}
	if dec.TriggerPass {
		d.requestPass(dec.Reason)
	}
	d.uplinksChanged(uplinkEvents)
}

func (d *Daemon) logEvent(e controller.Event) {
	fields := []zap.Field{zap.String("check", e.Check), zap.String("host", e.Host), zap.String("from", string(e.From)),
		zap.String("to", string(e.To)), zap.String("detail", e.Detail), zap.String("hint", e.Hint)}
	if e.Healthy {
		d.Log.Info("health check recovered", fields...)
		return
	}
	d.Log.Warn("health check failing", fields...)
}

// ticker is a time.Ticker that never fires when its interval is 0.
type ticker struct {
	t *time.Ticker
	c <-chan time.Time
}

func newTicker(d time.Duration) ticker {
	if d <= 0 {
		return ticker{}
	}
	t := time.NewTicker(d)
	return ticker{t: t, c: t.C}
}

func (t ticker) stop() {
	if t.t != nil {
		t.t.Stop()
	}
}
