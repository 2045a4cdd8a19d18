package daemon

import (
	"context"
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
		if fam, ok := d.newAddress(det); ok {
			d.Log.Info("public address changed", zap.String("family", fam.String()), zap.String("addr", det.Get(fam).Addr.String()))
			d.requestPass("public address changed")
		}
	}
}

// newAddress reports the first family whose known address differs from
// both the last pass's and the last one that triggered a pass.
func (d *Daemon) newAddress(det controller.Detection) (controller.Family, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.detected, d.detectedAt = det, time.Now()
	for _, f := range controller.Families {
		cur := det.Get(f)
		if cur.State != controller.StateKnown {
			continue
		}
		seen := d.status.Detection.Get(f)
		trig := d.triggered.Get(f)
		if (seen.State != controller.StateKnown || seen.Addr != cur.Addr) && (trig.State != controller.StateKnown || trig.Addr != cur.Addr) {
			d.triggered = det
			return f, true
		}
	}
	return 0, false
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
