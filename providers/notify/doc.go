// Package notify delivers controller events to the people who run
// flarewarden: generic JSON webhooks, Healthchecks.io-style ping URLs,
// Uptime Kuma push monitors and shoutrrr services (ntfy, Gotify, Discord,
// Telegram... the services of github.com/nicholas-fedor/shoutrrr but
// generic, logger and smtp, see shoutrrrServices; every failed shoutrrr
// send is retried, its errors not telling 4xx from 5xx).
//
// A Notifier sends each event to every configured target concurrently and
// returns the failures joined. Each target decides which event kinds it
// wants (see Notifier.Notify). Every attempt is bounded by a timeout;
// network errors, 429 and 5xx answers are retried with a jittered,
// doubling backoff (package retry), never sooner than a 429's Retry-After
// (seconds or an HTTP date) asks, up to a minute; any other answer below
// 200 or from 300 up is final.
//
// Target URLs and webhook headers often carry secrets (ping keys, push
// tokens, bearer tokens). The package names a target only by Redact of its
// URL, in errors and in logs alike, and never logs or returns a header.
package notify
