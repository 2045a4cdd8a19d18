package retry

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxAfterSeconds caps a delay-seconds value, so that the duration cannot
// overflow (2^32 s is over a century).
const maxAfterSeconds = 1 << 32

// ParseAfter reads the value of a Retry-After header (RFC 9110 §10.2.3):
// delay-seconds, digits only, capped at 2^32 s; or an HTTP-date, given as
// the time from now until then, 0 for a date already past. Surrounding
// spaces are ignored. ok is false when v is empty or anything else (a
// sign, a fraction, junk): the caller then applies its own backoff.
func ParseAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil { // only digits: out of range, so beyond the cap
			secs = maxAfterSeconds
		}
		return time.Duration(min(secs, maxAfterSeconds)) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}
