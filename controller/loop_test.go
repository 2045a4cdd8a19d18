package controller

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
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
		if got := IsSoft(tt.err); got != tt.want {
			t.Errorf("%s: IsSoft(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
