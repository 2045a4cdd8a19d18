package leader

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// ErrTermEnded is the error of a request that Transport refused because the leadership term of
// its context has ended or is past its deadline.
var ErrTermEnded = errors.New("leader: leadership term ended")

// errTermEnded is ErrTermEnded inside the package.
var errTermEnded = ErrTermEnded

// termKey is the context key of the term that lead's context belongs to.
type termKey struct{}

// term is a leadership term as lead's context carries it: its own context (ends when the term
// ends for any reason) and the fence that bounds it by the last renewal.
type term struct {
	ctx   context.Context
	fence *fence
}

// withTerm makes ctx lead's context of a term bounded by f; ctx ends with the term.
func withTerm(ctx context.Context, f *fence) context.Context {
	return context.WithValue(ctx, termKey{}, &term{ctx: ctx, fence: f})
}

// CheckTerm returns nil when ctx is not derived from the context of a leadership term (the
// context Run gives lead), or when that term may still act; otherwise an error wrapping
// ErrTermEnded. A term may act until RenewDeadline after the start of its last successful
// renewal, by the clock: LeaseDuration - RenewDeadline before another replica can take over.
// Past it, CheckTerm also ends the term's context at once.
func CheckTerm(ctx context.Context) error {
	tm, ok := ctx.Value(termKey{}).(*term)
	if !ok {
		return nil
	}
	if err := tm.fence.check(); err != nil {
		return err
	}
	if tm.ctx.Err() != nil {
		return fmt.Errorf("%w: %w", errTermEnded, context.Cause(tm.ctx))
	}
	return nil
}

// Transport returns a RoundTripper that sends a request with base (http.DefaultTransport when nil)
// only if CheckTerm allows it for the request's context, checked right before sending, on every
// attempt. Cancelling a term's context already aborts its requests in flight; this closes the
// gap right after a stall, when a goroutine may send before the overdue cancellation has run.
// Requests outside a leadership term pass unchanged.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return termTransport{base: base}
}

type termTransport struct{ base http.RoundTripper }

func (t termTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := CheckTerm(r.Context()); err != nil {
		if r.Body != nil {
			_ = r.Body.Close() // a RoundTripper must close the body, even on errors
		}
		return nil, fmt.Errorf("%s %s not sent: %w", r.Method, r.URL.Redacted(), err)
	}
	return t.base.RoundTrip(r)
}
