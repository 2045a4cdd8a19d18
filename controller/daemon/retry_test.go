package daemon

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/zap"
)

func TestRetrySoft(t *testing.T) {
	b := Backoff{Base: time.Millisecond, Max: time.Millisecond}
	hard := errors.New("token rejected")
	tests := []struct {
		name    string
		results []error
		want    error
		calls   int
	}{
		{"soft then ok", []error{softErr{}, softErr{}, nil}, nil, 3},
		{"hard at once", []error{hard, nil}, hard, 1},
		{"soft then hard", []error{softErr{}, hard}, hard, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := RetrySoft(context.Background(), b, zap.NewNop(), "verify", func(context.Context) error {
				calls++
				return tt.results[calls-1]
			})
			if !errors.Is(err, tt.want) || calls != tt.calls {
				t.Fatalf("err = %v after %d calls, want %v after %d", err, calls, tt.want, tt.calls)
			}
		})
	}
}

func TestRetrySoftStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := RetrySoft(ctx, Backoff{Base: time.Hour, Max: time.Hour}, zap.NewNop(), "verify",
		func(context.Context) error { return softErr{} })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRetrySoftWaitsForRetryDelay(t *testing.T) {
	const hold = 100 * time.Millisecond
	var times []time.Time
	err := RetrySoft(context.Background(), Backoff{Base: time.Millisecond, Max: time.Millisecond}, zap.NewNop(), "verify",
		func(context.Context) error {
			times = append(times, time.Now())
			if len(times) == 1 {
				return delayErr(hold)
			}
			return nil
		})
	if err != nil || len(times) != 2 {
		t.Fatalf("err = %v after %d calls, want nil after 2", err, len(times))
	}
	if gap := times[1].Sub(times[0]); gap < hold {
		t.Errorf("retried after %s, want at least the asked %s", gap, hold)
	}
}
