package controller

import (
	"fmt"
	"net"
	"time"
)

// walkErrors calls visit on err and, depth first, on every error it wraps
// through Unwrap() error or Unwrap() []error (errors.Join, fmt.Errorf
// with several %w). When visit returns false, what that error wraps is
// skipped.
func walkErrors(err error, visit func(error) bool) {
	if err == nil || !visit(err) {
		return
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walkErrors(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walkErrors(e, visit)
		}
	}
}

// IsSoft reports whether err is transient (rate limiting, server errors,
// timeouts, dropped connections): worth retrying soon. A pass error joins
// the failures of several zones, so err is soft when any error in its
// tree is: one with a Temporary method that reports true, or a net.Error
// timeout (context.DeadlineExceeded is both). An error with a Temporary method
// decides for everything it wraps (it knows more than its causes).
func IsSoft(err error) bool {
	soft := false
	walkErrors(err, func(e error) bool {
		t, decides := e.(interface{ Temporary() bool })
		ne, isNet := e.(net.Error)
		if (decides && t.Temporary()) || (isNet && ne.Timeout()) {
			soft = true
		}
		return !soft && !decides
	})
	return soft
}

// MaxRetryDelay bounds the wait an error can impose through RetryDelay, so
// that a wrong or hostile Retry-After cannot stop the passes for long.
// Cloudflare's rate limit counts requests over 5 minutes.
const MaxRetryDelay = time.Hour

// RetryDelay returns the longest delay that any error in err's tree asks
// for before a retry (an API's Retry-After, through a RetryDelay method),
// at most MaxRetryDelay; 0 when none asks.
func RetryDelay(err error) time.Duration {
	var longest time.Duration
	walkErrors(err, func(e error) bool {
		if r, ok := e.(interface{ RetryDelay() time.Duration }); ok {
			longest = max(longest, r.RetryDelay())
		}
		return true
	})
	return min(longest, MaxRetryDelay)
}

// WithContext returns a port's error prefixed with what the controller
// was doing ("list dns records in zone example.com: ..."), unless an
// error in its tree already names the failed request and where it went,
// through a FailedRequest() string method (the Cloudflare adapter's
// errors have one): that error is returned as is, so that no message says
// the zone or the operation twice. A nil err stays nil.
func WithContext(err error, doing string) error {
	if err == nil {
		return nil
	}
	named := false
	walkErrors(err, func(e error) bool {
		_, ok := e.(interface{ FailedRequest() string })
		named = named || ok
		return !named
	})
	if named {
		return err
	}
	return fmt.Errorf("%s: %w", doing, err)
}
