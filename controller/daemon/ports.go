package daemon

import (
	"context"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// Prober runs every configured health check once.
type Prober interface {
	Probe(ctx context.Context, in controller.ProbeInput) []controller.CheckResult
}

// Notifier delivers events (webhooks, ping URLs). Delivery failures are
// returned, never fatal to the caller.
type Notifier interface {
	Notify(ctx context.Context, e controller.Event) error
}

// PassObserver is told the outcome of every daemon pass (metrics). A pass
// that failed because the daemon stopped under it is not reported.
// Implementations must be safe for concurrent use and must not block.
type PassObserver interface {
	ObservePass(rep controller.Report, err error, took time.Duration)
}

// PassObservers tells each of its observers, in order.
type PassObservers []PassObserver

// ObservePass implements PassObserver.
func (os PassObservers) ObservePass(rep controller.Report, err error, took time.Duration) {
	for _, o := range os {
		o.ObservePass(rep, err, took)
	}
}
