package daemon

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

// seedUplinks judges the uplinks once before the first pass: one
// detection and one health round, so that the first pass does not move
// records to an uplink that is down.
func (d *Daemon) seedUplinks(ctx context.Context) {
	if d.Uplinks == nil || d.Prober == nil {
		return
	}
	results := d.Prober.Probe(ctx, controller.ProbeInput{Detection: d.Reconciler.Detector.Detect(ctx)})
	if ctx.Err() != nil {
		return
	}
	d.uplinksChanged(d.observeUplinks(results))
}

// observeUplinks counts a health round toward the uplinks' verdicts and
// returns the events of those that changed.
func (d *Daemon) observeUplinks(results []controller.CheckResult) []controller.Event {
	if d.Uplinks == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	events := d.Uplinks.Observe(results, time.Now())
	d.status.Uplinks = d.Uplinks.States()
	return events
}

// uplinksChanged reports the uplinks that went down or up and asks for a
// pass, which moves the records that follow them.
func (d *Daemon) uplinksChanged(events []controller.Event) {
	for _, e := range events {
		fields := []zap.Field{zap.String("check", e.Check), zap.String("host", e.Host), zap.String("detail", e.Detail)}
		if e.Healthy {
			d.Log.Info("uplink up", fields...)
		} else {
			d.Log.Warn("uplink down", fields...)
		}
		d.notify(e)
	}
	if len(events) > 0 {
		d.requestPass(events[0].Summary)
	}
}

// uplinksDown is what the tracker holds down, for a pass.
func (d *Daemon) uplinksDown() map[string]string {
	if d.Uplinks == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.Uplinks.Down()
}
