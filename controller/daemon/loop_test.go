package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

type every time.Duration

func (e every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

type softErr struct{}

func (softErr) Error() string   { return "HTTP 503" }
func (softErr) Temporary() bool { return true }

func TestLoopRetriesSoftErrorsWithBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	pass := func(context.Context) error {
		n := calls.Add(1)
		if n < 3 {
			return fmt.Errorf("list zones: %w", softErr{})
		}
		cancel()
		return nil
	}
	l := &Loop{Pass: pass, Schedule: every(time.Hour), Backoff: Backoff{Base: time.Millisecond, Max: 4 * time.Millisecond}, Log: zap.NewNop()}
	done := make(chan error)
	go func() { done <- l.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil on cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("soft errors were not retried before the hourly schedule")
	}
	if calls.Load() != 3 {
		t.Errorf("passes = %d, want 3", calls.Load())
	}
}

func TestLoopHardErrorWaitsForScheduleAndTrigger(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	trigger := make(chan struct{})
	passes := make(chan struct{}, 10)
	pass := func(context.Context) error { passes <- struct{}{}; return errors.New("code 9005: invalid content") }
	l := &Loop{Pass: pass, Schedule: every(time.Hour), Backoff: Backoff{Base: time.Millisecond, Max: time.Millisecond},
		Trigger: trigger, Log: zap.NewNop()}
	done := make(chan error)
	go func() { done <- l.Run(ctx) }()
	<-passes
	select {
	case <-passes:
		t.Fatal("a hard error was retried before the schedule")
	case <-time.After(50 * time.Millisecond):
	}
	trigger <- struct{}{}
	<-passes
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 30 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 9: 30 * time.Second} {
		for range 20 {
			if d := b.delay(n); d < want/2 || d > want {
				t.Fatalf("delay(%d) = %v, want within [%v, %v]", n, d, want/2, want)
			}
		}
	}
}

// hardErr is an error that knows it is not transient, like a 400.
type hardErr struct{}

func (hardErr) Error() string   { return "HTTP 400 code 9005" }
func (hardErr) Temporary() bool { return false }

// verdictErr wraps an error and decides whether the whole is transient.
type verdictErr struct {
	temporary bool
	err       error
}

func (v verdictErr) Error() string   { return "verdict: " + v.err.Error() }
func (v verdictErr) Temporary() bool { return v.temporary }
func (v verdictErr) Unwrap() error   { return v.err }

func TestIsSoft(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"soft", softErr{}, true},
		{"hard", hardErr{}, false},
		{"wrapped soft", fmt.Errorf("wrapped: %w", softErr{}), true},
		{"plain error then soft", errors.Join(errors.New("hard"), softErr{}), true},
		{"hard then soft", errors.Join(hardErr{}, softErr{}), true},
		{"soft then hard", errors.Join(softErr{}, hardErr{}), true},
		{"hard then wrapped soft", errors.Join(fmt.Errorf("zone a: %w", hardErr{}), fmt.Errorf("zone b: %w", softErr{})), true},
		{"nested joins", errors.Join(hardErr{}, fmt.Errorf("waf: %w", errors.Join(hardErr{}, errors.Join(hardErr{}, softErr{})))), true},
		{"several %w", fmt.Errorf("a: %w, b: %w", hardErr{}, softErr{}), true},
		{"only hard", errors.Join(hardErr{}, fmt.Errorf("x: %w", hardErr{}), errors.New("plain")), false},
		{"an error with a verdict decides for its causes", errors.Join(hardErr{}, verdictErr{false, softErr{}}), false},
		{"deadline in a join", errors.Join(hardErr{}, fmt.Errorf("list: %w", context.DeadlineExceeded)), true},
		{"deadline", context.DeadlineExceeded, true},
		{"code 9005", errors.New("code 9005"), false},
		{"canceled", context.Canceled, false},
	}
	for _, tt := range tests {
		if got := controller.IsSoft(tt.err); got != tt.want {
			t.Errorf("%s: IsSoft(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// delayErr is a soft error that asks for a delay before the next retry,
// like a 429 with a long Retry-After.
type delayErr time.Duration

func (d delayErr) Error() string             { return "HTTP 429 (retry after " + time.Duration(d).String() + ")" }
func (delayErr) Temporary() bool             { return true }
func (d delayErr) RetryDelay() time.Duration { return time.Duration(d) }

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"nil", nil, 0},
		{"none asks", errors.Join(softErr{}, hardErr{}), 0},
		{"one", delayErr(2 * time.Minute), 2 * time.Minute},
		{"wrapped", fmt.Errorf("list zones: %w", delayErr(2*time.Minute)), 2 * time.Minute},
		{"the longest in nested joins", errors.Join(delayErr(30*time.Second), hardErr{},
			fmt.Errorf("waf: %w", errors.Join(delayErr(3*time.Minute), delayErr(time.Minute)))), 3 * time.Minute},
		{"capped", delayErr(5 * time.Hour), controller.MaxRetryDelay},
	}
	for _, tt := range tests {
		if got := controller.RetryDelay(tt.err); got != tt.want {
			t.Errorf("%s: RetryDelay(%v) = %s, want %s", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestLoopNextWait(t *testing.T) {
	l := &Loop{Schedule: every(time.Minute), Backoff: Backoff{Base: time.Second, Max: time.Second}, Log: zap.NewNop()}
	tests := []struct {
		name             string
		err              error
		soft             int
		hold, minW, maxW time.Duration
	}{
		{"ok: the schedule", nil, 0, 0, time.Minute, time.Minute},
		{"soft: the backoff", softErr{}, 1, 0, time.Second / 2, time.Second},
		{"a delay longer than the backoff", delayErr(10 * time.Second), 1, 10 * time.Second, 10 * time.Second, 10 * time.Second},
		{"a delay longer than the schedule", delayErr(2 * time.Minute), 1, 2 * time.Minute, 2 * time.Minute, 2 * time.Minute},
		{"a hard error with a delay", errors.Join(hardErr{}, fmt.Errorf("x: %w", delayErr(3*time.Hour))), 0, time.Hour, time.Hour, time.Hour},
	}
	for _, tt := range tests {
		hold, wait := l.nextWait(tt.err, tt.soft, time.Now())
		if hold != tt.hold || wait < tt.minW || wait > tt.maxW {
			t.Errorf("%s: nextWait = %s, %s; want %s, within [%s, %s]", tt.name, hold, wait, tt.hold, tt.minW, tt.maxW)
		}
	}
}

func TestLoopTriggerWaitsForRetryDelay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const hold = 200 * time.Millisecond
	trigger := make(chan struct{}, 1)
	var times []time.Time
	pass := func(context.Context) error {
		times = append(times, time.Now())
		if len(times) == 1 {
			trigger <- struct{}{}
			return fmt.Errorf("list zones: %w", delayErr(hold))
		}
		cancel()
		return nil
	}
	l := &Loop{Pass: pass, Schedule: every(time.Hour), Backoff: Backoff{Base: time.Millisecond, Max: time.Millisecond},
		Trigger: trigger, Log: zap.NewNop()}
	if err := l.Run(ctx); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if len(times) != 2 {
		t.Fatalf("%d passes, want 2", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < hold {
		t.Errorf("retried after %s, want at least the asked %s", gap, hold)
	}
}
