package notify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/controller/redact"
	"github.com/flarewarden/flarewarden/controller/retry"
)

// Notifier sends controller events to the configured targets. It is safe
// for concurrent use; build it with New.
type Notifier struct {
	s       settings
	targets []target
	// wait sleeps between attempts; tests replace it to skip real delays.
	wait func(ctx context.Context, d time.Duration) error
}

var _ daemon.Notifier = (*Notifier)(nil)

// target is one configured destination.
type target struct {
	field  string   // the configuration field, e.g. "notify.healthchecks[1]"
	name   string   // Redact of the URL: the only way the target is shown
	secret scrubber // the URL's secret parts and the header values
	plan   planner
}

// label names the target in errors: its field and its redacted URL.
func (t target) label() string { return t.field + " " + t.name }

// planner turns an event into the request of one target: send with the
// call, ignore for a kind the target does not want, undecided for a kind
// its switch does not name (one added to controller.EventKinds since; the
// target tests fail until it decides). Notify sends only on send.
type planner interface {
	plan(e controller.Event) (call, decision)
}

// decision is what a target does with an event of some kind. The zero
// decision is undecided.
type decision int

const (
	undecided decision = iota
	ignore
	send
)

// call is one request to send, identical for every attempt: an HTTP
// request; or push, a send through a shoutrrr service; or mail, an e-mail
// sent within its context (url is then the service's or the SMTP
// server's, for names and scrubbing only).
type call struct {
	method      string
	url         *url.URL
	body        []byte
	contentType string
	headers     map[string]string
	push        func() error
	mail        func(context.Context) error
}

// New checks o and returns a Notifier. Every URL is checked with
// parseTarget and every webhook's headers with checkHeaders; all problems
// are returned joined, each naming its field (notify.webhooks[0].url,
// notify.healthchecks[1], notify.uptime_kuma[0], notify.timeout, ...) and
// never repeating a URL's path, query or a header value.
func New(o Options) (*Notifier, error) {
	s, err := checkSettings(o)
	errs := []error{err}
	n := &Notifier{s: s, wait: retry.Sleep}
	for i, w := range o.Webhooks {
		field := fmt.Sprintf("notify.webhooks[%d]", i)
		errs = append(errs, checkHeaders(field+".headers", w.Headers))
		headers := maps.Clone(w.Headers) // the caller may change its map later
		errs = append(errs, n.add(field+".url", w.URL, headers, func(u *url.URL) planner {
			return webhook{url: u, headers: headers}
		}))
	}
	for i, raw := range o.Healthchecks {
		field := fmt.Sprintf("notify.healthchecks[%d]", i)
		errs = append(errs, n.add(field, raw, nil, func(u *url.URL) planner { return healthchecks{url: u} }))
	}
	for i, raw := range o.UptimeKuma {
		field := fmt.Sprintf("notify.uptime_kuma[%d]", i)
		errs = append(errs, n.add(field, raw, nil, func(u *url.URL) planner { return kuma{url: u} }))
	}
	for i, raw := range o.Shoutrrr {
		errs = append(errs, n.addShoutrrr(fmt.Sprintf("notify.shoutrrr[%d]", i), raw))
	}
	if o.Email != nil {
		errs = append(errs, n.addEmail(*o.Email, o.ReadFile))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return n, nil
}

// PerTarget returns one Notifier per target, in configuration order, with
// the same settings: delivered through separate queues, a dead webhook
// cannot hold back a heartbeat ping. A nil Notifier has none.
func (n *Notifier) PerTarget() []*Notifier {
	if n == nil {
		return nil
	}
	out := make([]*Notifier, len(n.targets))
	for i, t := range n.targets {
		out[i] = &Notifier{s: n.s, targets: []target{t}, wait: n.wait}
	}
	return out
}

// String names the targets by field and redacted URL (never a secret),
// for logs.
func (n *Notifier) String() string {
	if n == nil {
		return "no notification targets"
	}
	labels := make([]string, len(n.targets))
	for i, t := range n.targets {
		labels[i] = t.label()
	}
	return strings.Join(labels, ", ")
}

// add parses raw and appends its target; the error names field.
func (n *Notifier) add(field, raw string, headers map[string]string, mk func(*url.URL) planner) error {
	u, err := parseTarget(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	n.targets = append(n.targets, target{
		field:  strings.TrimSuffix(field, ".url"),
		name:   redact.URL(raw),
		secret: newScrubber(u, headers),
		plan:   mk(u),
	})
	return nil
}

// addShoutrrr builds the shoutrrr service of raw and appends its target;
// the error names field.
func (n *Notifier) addShoutrrr(field, raw string) error {
	u, svc, err := parseShoutrrr(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	secret := newScrubber(u, nil)
	if hostIsSecret[serviceScheme(u)] {
		secret = append(secret, u.Host)
	}
	n.targets = append(n.targets, target{field: field, name: shoutrrrName(u, raw), secret: secret,
		plan: shoutrrr{url: u, svc: svc}})
	return nil
}

// Notify sends e to every target that wants its kind, concurrently, and
// waits for all of them. Webhooks, shoutrrr services and e-mail want
// "health", "change", "uplink" and "pass_fail"; Healthchecks URLs want "pass_start",
// "pass_ok" and "pass_fail"; Uptime Kuma push URLs want "pass_ok" and "pass_fail" (heartbeats follow passes
// only, so a health event cannot mark a failing site up). A kind outside
// controller.EventKinds goes nowhere. The failures are returned joined in
// configuration order, each naming its target by field and Redact of its
// URL only. A nil Notifier or one without targets sends nothing.
func (n *Notifier) Notify(ctx context.Context, e controller.Event) error {
	if n == nil {
		return nil
	}
	errs := make([]error, len(n.targets))
	var wg sync.WaitGroup
	for i, t := range n.targets {
		c, d := t.plan.plan(e)
		if d != send {
			continue
		}
		wg.Go(func() { errs[i] = n.deliver(ctx, t, e.Kind, c) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
