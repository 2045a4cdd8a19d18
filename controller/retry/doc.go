// Package retry is the one place flarewarden decides how long to wait
// before trying again. Package daemon (passes after soft errors, start-up
// steps, triggered passes), package notify (notification attempts) and
// package cloudflare (API requests, bulk operation polls) use it:
//
//   - backoff.go: Backoff, an exponential backoff with jitter, the delay
//     drawn by github.com/cenkalti/backoff/v5;
//   - after.go: ParseAfter, an HTTP Retry-After header;
//   - sleep.go: Sleep, a wait that ends with its context.
//
// It sits under controller, which imports no provider, so that both the
// daemon and the providers may import it; it imports nothing of
// flarewarden's.
package retry
