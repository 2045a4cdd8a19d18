package retry

import (
	"net/http"
	"testing"
	"time"
)

func TestParseAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		give string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"3600", time.Hour, true},
		{"99999999999999", 1 << 32 * time.Second, true},
		{"999999999999999999999999", 1 << 32 * time.Second, true},
		{"-3", 0, false},
		{"+7", 0, false},
		{"7.5", 0, false},
		{"1e3", 0, false},
		{"7 s", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, true},
		{"Wednesday, 01-Jan-25 12:00:30 GMT", 30 * time.Second, true}, // RFC 850, obsolete but to be accepted
		{"Wed Jan  1 12:01:00 2025", time.Minute, true},               // ANSI C asctime
		{"2025-01-01T12:00:30Z", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseAfter(tt.give, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseAfter(%q) = %s, %v; want %s, %v", tt.give, got, ok, tt.want, tt.ok)
		}
	}
}
