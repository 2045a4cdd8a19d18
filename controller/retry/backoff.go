package retry

import (
	"time"

	"github.com/cenkalti/backoff/v5"
)

// The backoff library is github.com/cenkalti/backoff/v5 rather than
// k8s.io/apimachinery's wait.Backoff (already a dependency):
//   - its jitter is symmetric around the step, so every span below maps
//     onto it exactly, full jitter ([0, c]) included; wait.Backoff only
//     adds jitter above the step, so its shortest delay is the step itself
//     and full jitter cannot be had;
//   - it has no dependencies, where wait brings klog and apimachinery's
//     runtime into the notification and Cloudflare providers;
//   - its cap cannot be lost: wait.Backoff stops growing when Steps is
//     left at 0 and ends its steps when it reaches Cap.

// Jitter is how a delay is drawn from the ceiling c of its retry. The zero
// Jitter is Full.
type Jitter int

const (
	// Full draws from [0, c]: clients that failed together spread the
	// most (requests to a shared, rate-limited API).
	Full Jitter = iota
	// Equal draws from [c/2, c]: at least half the ceiling, never more.
	Equal
	// Above draws from [c, 3c/2]: never sooner than the ceiling.
	Above
	// None is c itself, every time.
	None
)

// span returns the fractions of the ceiling a delay is drawn between.
func (j Jitter) span() (lo, hi float64) {
	switch j {
	case Equal:
		return 0.5, 1
	case Above:
		return 1, 1.5
	case None:
		return 1, 1
	}
	return 0, 1
}

// maxSteps bounds the steps Delay takes: from 1 ns, 63 doublings pass any
// Max, so a later retry has the same ceiling.
const maxSteps = 64

// maxCeiling caps Max (about 146 years), so that no span of it overflows
// a time.Duration.
const maxCeiling = time.Duration(1 << 62)

// Backoff is an exponential backoff: the ceiling c before retry n (from 1)
// is Base·2^(n−1), at most Max (itself at most 2^62 ns), and the delay is
// drawn from c as Jitter says. A Base or Max of 0 or less gives 0. The
// zero Backoff is valid and never waits.
type Backoff struct {
	Base   time.Duration
	Max    time.Duration
	Jitter Jitter
}

// Delay returns the wait before retry n; n below 1 counts as 1. The draw
// is uniform over the Jitter's span of c, up to the library's float
// rounding (under a nanosecond); it is safe for concurrent use.
func (b Backoff) Delay(n int) time.Duration {
	// The library draws from interval·[1−f, 1+f] around an interval that
	// doubles from InitialInterval up to MaxInterval: the span [lo·c, hi·c]
	// is the interval (lo+hi)/2·c with f = (hi−lo)/(hi+lo).
	lo, hi := b.Jitter.span()
	mid := (lo + hi) / 2
	ceiling := min(b.Max, maxCeiling)
	eb := &backoff.ExponentialBackOff{
		InitialInterval:     scale(min(b.Base, ceiling), mid),
		MaxInterval:         scale(ceiling, mid),
		Multiplier:          2,
		RandomizationFactor: (hi - lo) / (hi + lo),
	}
	// The library's backoff is a sequence: Delay replays it up to retry n,
	// so that callers keep a count rather than a backoff's state.
	var d time.Duration
	for range min(max(n, 1), maxSteps) {
		d = eb.NextBackOff()
	}
	return d
}

// scale returns d·f, or 0 for a d of 0 or less.
func scale(d time.Duration, f float64) time.Duration {
	return time.Duration(float64(max(d, 0)) * f)
}
