package service

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flarewarden/flarewarden/controller/redact"
)

// maxText bounds every string the page shows from the daemon (an error,
// a reason, an explanation), in characters.
const maxText = 400

// clean is s as the page shows it: every URL in it redacted, and at most
// maxText characters.
func clean(s string) string {
	s = string(redact.Text([]byte(s)))
	if utf8.RuneCountInString(s) <= maxText {
		return s
	}
	return string([]rune(s)[:maxText-1]) + "…"
}

// stamp shows t in UTC and how far it is from now: "2026-01-01 12:00:00
// UTC (3m10s ago)".
func stamp(t, now time.Time) string {
	s := t.UTC().Format("2006-01-02 15:04:05 UTC")
	switch d := now.Sub(t).Round(time.Second); {
	case d >= time.Second:
		return s + " (" + span(d) + " ago)"
	case d <= -time.Second:
		return s + " (in " + span(-d) + ")"
	}
	return s + " (now)"
}

// span shows a duration as a person reads it: "350ms", "1.2s", "42s",
// "4m10s", "4m", "3h2m", "3h", "2d5h".
func span(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "under 1ms"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d < time.Hour:
		d = d.Round(time.Second)
	case d < 48*time.Hour:
		d = d.Round(time.Minute)
	default:
		return fmt.Sprintf("%dd%dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	}
	s := d.String() // "4m0s", "3h2m0s", "3h0m0s": drop the zeros at the end
	for _, zero := range []string{"m0s", "h0m"} {
		if strings.HasSuffix(s, zero) {
			s = strings.TrimSuffix(s, zero[1:])
		}
	}
	return s
}

// checkName names a health check and, when its name is not the host's,
// the host: "home (home.example.com)".
func checkName(check, host string) string {
	if check == "" || check == host {
		return host
	}
	if host == "" {
		return check
	}
	return check + " (" + host + ")"
}

// pluralize is n and the word for it: "1 change", "3 changes".
func pluralize(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
