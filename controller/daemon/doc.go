// Package daemon is flarewarden's long-running part. It uses the pass
// (controller.Reconciler) and is not part of it:
//
//   - loop.go, retry.go: when passes run: one at start, then on the
//     schedule, on triggers, and sooner after a soft error (backoff with
//     jitter, never before a Retry-After);
//   - daemon.go, loops.go: the service: the pass loop, IP detection between
//     passes (no API call; a pass only when an address changed) and the
//     health rounds;
//   - healer.go, heal_zones.go: what a health check's class asks for (a
//     pass now, a CNAME takeover, only an alert) and in which zone;
//   - notify.go: every event (pass, change, health transition) to every
//     notifier, in order, each on its own queue.
//
// Nothing here talks to Cloudflare or probes a site itself: the ports it
// needs (Prober, Notifier, PassObserver...) are declared here and wired by
// cmd/flarewarden.
package daemon
