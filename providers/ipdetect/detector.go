package ipdetect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/redact"
)

// Detector implements controller.Detector over configured sources. It is
// safe for concurrent use.
type Detector struct {
	timeout   time.Duration
	v4, v6    familyConfig
	transport func(controller.Family) http.RoundTripper
}

var _ controller.Detector = (*Detector)(nil)

// Option customises a Detector.
type Option func(*Detector)

// WithHTTPTransport makes HTTP sources use the transport fn returns for
// each family (fn is called once per family, in New). A nil fn keeps the
// default: a transport that dials over the family being detected, out
// through Config.Bind, and never uses a proxy. Tests use it to reach local
// servers; the HTTP sources of a bound detector then bypass its bind (plain
// DNS sources still go out through it).
func WithHTTPTransport(fn func(controller.Family) http.RoundTripper) Option {
	return func(d *Detector) {
		if fn != nil {
			d.transport = fn
		}
	}
}

// New checks cfg and returns a Detector. Every source of an enabled family
// is parsed; disabled families are not checked. An enabled family needs at
// least one source and 1 <= quorum <= len(sources). Errors name the field,
// e.g. "ipv6.quorum: 3 is more than the 2 sources"; all problems are
// reported together. Config.Bind sets an interface or an address, not
// both; an interface needs Linux and a valid name; an address must be
// unicast, and the family it is not of disabled ("bind.address: 192.0.2.1
// is IPv4, ipv6 sources cannot go out through it").
func New(cfg Config, opts ...Option) (*Detector, error) {
	d := &Detector{transport: func(f controller.Family) http.RoundTripper { return familyTransport(f, cfg.Bind) }}
	for _, o := range opts {
		o(d)
	}
	rts := map[controller.Family]http.RoundTripper{
		controller.IPv4: d.transport(controller.IPv4),
		controller.IPv6: d.transport(controller.IPv6),
	}
	out := outbound{rt: func(f controller.Family) http.RoundTripper { return rts[f] }, bind: cfg.Bind}
	var errs []error
	var err error
	if d.timeout, err = checkTimeout(cfg.Timeout); err != nil {
		errs = append(errs, err)
	}
	if err = cfg.Bind.check(cfg); err != nil {
		errs = append(errs, err)
	}
	if d.v4, err = buildFamily(controller.IPv4, cfg.V4, out); err != nil {
		errs = append(errs, err)
	}
	if d.v6, err = buildFamily(controller.IPv6, cfg.V6, out); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

// Detect asks both families' sources concurrently, each lookup bounded by
// the configured timeout under ctx, and returns the verdicts. It never
// fails as a whole and never logs: a family whose sources fail or disagree
// is StateUnknown with a Reason, answers are in the configured order, and
// an answer with Err set has no Addr (rejected addresses are named in Err).
// Sources, Reasons and Errs name sources by their label
// (controller.SourceLabel), never by a spec that may hold a secret.
func (d *Detector) Detect(ctx context.Context) controller.Detection {
	var det controller.Detection
	var wg sync.WaitGroup
	wg.Go(func() { det.V4 = d.v4.detect(ctx, d.timeout) })
	wg.Go(func() { det.V6 = d.v6.detect(ctx, d.timeout) })
	wg.Wait()
	return det
}

// detect runs the sources of one family and applies the quorum.
func (fc familyConfig) detect(ctx context.Context, timeout time.Duration) controller.FamilyResult {
	res := controller.FamilyResult{Family: fc.family, State: controller.StateDisabled}
	if !fc.cfg.Enabled {
		return res
	}
	res.Quorum = fc.cfg.Quorum
	res.Answers = make([]controller.SourceAnswer, len(fc.sources))
	var wg sync.WaitGroup
	for i, s := range fc.sources {
		wg.Go(func() { res.Answers[i] = fc.ask(ctx, s, timeout) })
	}
	wg.Wait()
	addr, reason := decide(res.Answers, fc.cfg.Quorum)
	if !addr.IsValid() {
		res.State, res.Reason = controller.StateUnknown, reason
		return res
	}
	res.State, res.Addr = controller.StateKnown, addr
	return res
}

// ask runs one lookup under its own timeout and validates the answer.
func (fc familyConfig) ask(ctx context.Context, s Source, timeout time.Duration) controller.SourceAnswer {
	label := redact.Label(s.Name())
	ans := controller.SourceAnswer{Source: label} // shown in outputs and logs: never a URL's path or query
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr, err := s.Lookup(sctx, fc.family)
	switch {
	case err != nil && ctx.Err() != nil:
		ans.Err = fmt.Sprintf("%s: detection stopped: %v", label, context.Cause(ctx))
	case err != nil && timedOut(sctx):
		ans.Err = fmt.Sprintf("%s: no answer within %s", label, timeout)
	case err != nil:
		ans.Err = err.Error()
	default:
		if verr := Validate(addr, fc.family, fc.cfg.AllowPrivate); verr != nil {
			ans.Err, ans.Rejected = fmt.Sprintf("%s: %v", label, verr), true
		} else {
			ans.Addr = addr
		}
	}
	return ans
}
