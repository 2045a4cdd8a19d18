package history

import (
	"context"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

// prober records every round of the Prober it wraps.
type prober struct {
	p daemon.Prober
	h *History
}

func (w prober) Probe(ctx context.Context, in controller.ProbeInput) []controller.CheckResult {
	results := w.p.Probe(ctx, in)
	if ctx.Err() == nil {
		w.h.ObserveHealth(results, w.h.now())
	}
	return results
}
