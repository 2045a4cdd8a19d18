package retry

import (
	"testing"
	"time"
)

func TestBackoffDelaySpans(t *testing.T) {
	t.Parallel()
	ceilings := map[int]time.Duration{0: time.Second, 1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second,
		5: 16 * time.Second, 6: 30 * time.Second, 60: 30 * time.Second, 1000: 30 * time.Second}
	tests := []struct {
		name     string
		give     Jitter
		low, top func(c time.Duration) time.Duration
	}{
		{"full", Full, func(time.Duration) time.Duration { return 0 }, func(c time.Duration) time.Duration { return c }},
		{"equal", Equal, func(c time.Duration) time.Duration { return c / 2 }, func(c time.Duration) time.Duration { return c }},
		{"above", Above, func(c time.Duration) time.Duration { return c }, func(c time.Duration) time.Duration { return c + c/2 }},
		{"none", None, func(c time.Duration) time.Duration { return c }, func(c time.Duration) time.Duration { return c }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := Backoff{Base: time.Second, Max: 30 * time.Second, Jitter: tt.give}
			for n, c := range ceilings {
				lo, hi := tt.low(c), tt.top(c)
				least, most := hi, lo
				for range 200 {
					d := b.Delay(n)
					if d < lo || d > hi {
						t.Fatalf("Delay(%d) = %s, outside [%s, %s]", n, d, lo, hi)
					}
					least, most = min(least, d), max(most, d)
				}
				if quarter := (hi - lo) / 4; least > lo+quarter || most < hi-quarter {
					t.Errorf("Delay(%d) within [%s, %s] in 200 draws; want them spread over [%s, %s]", n, least, most, lo, hi)
				}
			}
		})
	}
}

func TestBackoffDelayEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		give Backoff
		n    int
		want time.Duration
	}{
		{"zero backoff", Backoff{}, 3, 0},
		{"no base", Backoff{Max: time.Minute, Jitter: None}, 5, 0},
		{"no max", Backoff{Base: time.Second, Jitter: None}, 1, 0},
		{"negative", Backoff{Base: -time.Second, Max: -time.Second, Jitter: Equal}, 2, 0},
		{"base above max", Backoff{Base: time.Hour, Max: time.Minute, Jitter: None}, 1, time.Minute},
		{"no overflow", Backoff{Base: time.Nanosecond, Max: 1<<63 - 1, Jitter: None}, 1 << 30, 1 << 62},
	}
	for _, tt := range tests {
		if got := tt.give.Delay(tt.n); got != tt.want {
			t.Errorf("%s: Delay(%d) = %s, want %s", tt.name, tt.n, got, tt.want)
		}
	}
	if d := (Backoff{Base: time.Hour, Max: 1<<63 - 1, Jitter: Above}).Delay(100); d < 1<<62 || d > 3<<61 {
		t.Errorf("Delay above the largest ceiling = %s, want within [2^62, 3·2^61] ns", d)
	}
}
