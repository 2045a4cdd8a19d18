package daemon

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

// notifyQueue is how many events may wait for one notifier; more are
// dropped with a warning rather than blocking a pass or a health round.
const notifyQueue = 64

// notifyDrain bounds the delivery of the events still queued when the
// daemon stops.
const notifyDrain = 15 * time.Second

// startNotifiers starts one delivery loop per notifier, each with its own
// queue. The returned stop closes the queues and waits for the loops, which
// deliver what is still queued within notifyDrain after ctx ends.
func (d *Daemon) startNotifiers(ctx context.Context) (stop func()) {
	d.queues = make([]chan controller.Event, len(d.Notifiers))
	var wg sync.WaitGroup
	for i, n := range d.Notifiers {
		q := make(chan controller.Event, notifyQueue)
		d.queues[i] = q
		wg.Go(func() { d.notifyLoop(ctx, n, q) })
	}
	return func() {
		for _, q := range d.queues {
			close(q)
		}
		wg.Wait()
	}
}

// notify queues an event for every notifier.
func (d *Daemon) notify(e controller.Event) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	for i, q := range d.queues {
		select {
		case q <- e:
		default:
			d.Log.Warn("notification dropped, queue full", zap.String("kind", string(e.Kind)), zap.String("target", notifierName(d.Notifiers[i], i)))
		}
	}
}

// notifierName is n's String (a notifier should name its target without
// secrets), or its position among the notifiers.
func notifierName(n Notifier, i int) string {
	if s, ok := n.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("notifier %d", i)
}

// notifyLoop delivers the events of q to n one at a time, in the order
// they happened (a heartbeat's start ping before its success ping), until
// q is closed. Once ctx ends, what is still queued gets notifyDrain more.
// Failures are logged, never fatal.
func (d *Daemon) notifyLoop(ctx context.Context, n Notifier, q <-chan controller.Event) {
	deliver, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	context.AfterFunc(ctx, func() { time.AfterFunc(notifyDrain, stop) })
	for e := range q {
		if err := n.Notify(deliver, e); err != nil {
			d.Log.Warn("notification not delivered", zap.String("kind", string(e.Kind)), zap.Error(err))
		}
	}
}
