package cloudflare

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
)

// Cloudflare error codes this package acts on.
const (
	codeInvalidToken   = 1000  // invalid API token
	codeBadHeaders     = 6003  // invalid request headers: the Authorization header is malformed
	codeNoRoute        = 7000  // no route for that URI
	codeBadIdentifier  = 7003  // could not route: invalid object identifier (zone gone)
	codeUnauthorized   = 9109  // the token may not be used from here (its client IP filter; corpus 403-9109)
	codeAuthentication = 10000 // authentication error
)

var (
	// errMalformed marks answers that could not be understood. Such an
	// answer never leads to a write.
	errMalformed = errors.New("malformed cloudflare answer")
	// errInvalid marks input this package refuses before sending anything.
	errInvalid = errors.New("invalid request")
	// errChanged marks a write refused because Cloudflare's state changed
	// since it was read; the next pass reads it again.
	errChanged = errors.New("changed since it was read")
	// errPending marks an asynchronous operation that did not finish in
	// time; it may still complete.
	errPending = errors.New("operation still pending")
	// errFailed marks an asynchronous operation Cloudflare reported as failed.
	errFailed = errors.New("cloudflare operation failed")
)

// ownCauses are the causes this package gives its errors; apiError keeps them.
var ownCauses = []error{errMalformed, errInvalid, errChanged, errPending, errFailed}

// APIError is the error of every Client call. It names what was being done
// (Op, the Zone or Account and the Record concerned) and what Cloudflare
// answered (Status, Codes, Messages, RetryAfter). Status is 0 when no
// usable answer arrived; Err is the underlying cause. The text of an
// APIError never contains the API token.
type APIError struct {
	Op         string        // "list zones", "list records", "create", "update", "delete", "batch write", "create rule", ...
	Zone       string        // zone name (or ID when the name is unknown)
	Account    string        // account ID, for account resources (IP lists)
	Record     string        // what is concerned: "name TYPE" of DNS records, a rule ref, an access rule value, list items
	Status     int           // HTTP status, 0 if none
	Codes      []int         // Cloudflare error codes
	Messages   []string      // Cloudflare error messages
	RetryAfter time.Duration // how long Cloudflare asked to wait, if it did
	Err        error         // underlying cause

	note string // why the transport gave up, when it did
}

// FailedRequest names what was being done and where, e.g. "create
// home.example.com A in zone example.com": the start of Error. Callers
// that find it in an error need not say again which zone or operation
// failed.
func (e *APIError) FailedRequest() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Record != "" {
		b.WriteString(" " + e.Record)
	}
	if e.Zone != "" {
		b.WriteString(" in zone " + e.Zone)
	}
	if e.Account != "" {
		b.WriteString(" in account " + e.Account)
	}
	return b.String()
}

// Error renders the error on one line, e.g.
// "create home.example.com A in zone example.com: cloudflare HTTP 400 code 81054: A CNAME record with that host already exists."
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.FailedRequest() + ": ")
	if e.Status == 0 {
		b.WriteString(e.cause())
		return b.String()
	}
	fmt.Fprintf(&b, "cloudflare HTTP %d", e.Status)
	if codes := slices.DeleteFunc(slices.Clone(e.Codes), func(c int) bool { return c == 0 }); len(codes) > 0 {
		b.WriteString(plural(len(codes), " code ", " codes ") + joinInts(codes))
	}
	if msgs := nonEmpty(e.Messages); len(msgs) > 0 {
		b.WriteString(": " + strings.Join(msgs, "; "))
	}
	switch {
	case e.note != "":
		b.WriteString(" (" + e.note + ")")
	case e.RetryAfter > 0:
		b.WriteString(" (retry after " + e.RetryAfter.String() + ")")
	}
	return b.String()
}

func (e *APIError) cause() string {
	switch {
	case e.note != "":
		return e.note
	case e.Err != nil:
		return e.Err.Error()
	}
	return "unknown error"
}

// Temporary reports whether retrying later may succeed: true for 429, 5xx,
// timeouts, dropped connections, malformed answers, state that changed
// since it was read and operations still pending; false for other
// statuses, canceled contexts and invalid input.
func (e *APIError) Temporary() bool {
	switch {
	case e.Status == http.StatusTooManyRequests || e.Status >= 500:
		return true
	case e.Status != 0 || e.Err == nil || errors.Is(e.Err, context.Canceled):
		return false
	}
	var he *httpError
	var ue *url.Error
	var ne net.Error
	return errors.Is(e.Err, errMalformed) || errors.Is(e.Err, errChanged) || errors.Is(e.Err, errPending) ||
		errors.Is(e.Err, context.DeadlineExceeded) || errors.As(e.Err, &he) || errors.As(e.Err, &ue) || errors.As(e.Err, &ne)
}

// RetryDelay returns how long Cloudflare asked to wait before retrying
// (its Retry-After), or 0 when it did not ask. The controller's loop waits
// at least that long before its next pass.
func (e *APIError) RetryDelay() time.Duration { return e.RetryAfter }

// Unwrap returns the underlying cause.
func (e *APIError) Unwrap() error { return e.Err }

// hasCode reports whether Cloudflare answered with any of the given codes.
func (e *APIError) hasCode(codes ...int) bool {
	return slices.ContainsFunc(e.Codes, func(c int) bool { return slices.Contains(codes, c) })
}

// IsAuth reports whether err is an authentication or authorization failure:
// HTTP 401 or 403, or one of the codes 1000, 6003, 10000, 9109 with any
// status but 429 and 5xx (a temporary failure is never an auth failure).
// Cloudflare refuses a malformed token (a global API key, a token with a
// stray character) with HTTP 400 code 6003 "Invalid request headers",
// whose error chain names the Authorization header (6111). The chain is
// not kept, but the other headers this client sends (Content-Type:
// application/json, User-Agent) are always valid, so a 6003 means the
// token is refused.
func IsAuth(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return authFailure(ae.Status, ae.Codes)
	}
	var ce *cf.Error
	if errors.As(err, &ce) {
		return authFailure(ce.StatusCode, ce.ErrorCodes)
	}
	return false
}

func authFailure(status int, codes []int) bool {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return true
	case status == http.StatusTooManyRequests || status >= 500:
		return false
	}
	return slices.ContainsFunc(codes, func(c int) bool {
		return c == codeInvalidToken || c == codeBadHeaders || c == codeAuthentication || c == codeUnauthorized
	})
}

// apiError maps an error of an SDK call to an *APIError naming the
// operation. The SDK's HTTP errors (*cf.Error and its typed wrappers) give
// status, codes and messages; the transport's *httpError gives status and
// Retry-After. Any other error of a call that reached Cloudflare can only
// come from decoding its answer, so it counts as a malformed answer. The
// token is removed from every text kept.
func (c *Client) apiError(err error, op, zone, record string) *APIError {
	if ae, ok := errors.AsType[*APIError](err); ok {
		return ae
	}
	e := &APIError{Op: op, Zone: zone, Record: record, Err: err}
	var he *httpError
	var ce *cf.Error
	switch {
	case errors.As(err, &he):
		e.Status, e.RetryAfter, e.Codes, e.Messages = he.Status, he.RetryAfter, he.Codes, he.Messages
		e.note = he.Reason
	case errors.As(err, &ce):
		e.Status, e.Codes, e.Messages = ce.StatusCode, ce.ErrorCodes, ce.ErrorMessages
	case errors.Is(err, context.Canceled):
		// The library words a cancellation by where it waited ("error caused
		// by request rate limiting"), which reads like a 429: say what it is.
		e.Err = context.Canceled
	case isLocal(err) || slices.ContainsFunc(ownCauses, func(c error) bool { return errors.Is(err, c) }):
	default:
		e.Err = fmt.Errorf("%w: %w", errMalformed, err)
	}
	return c.redact(e)
}

// isLocal reports whether err arose on this side of the connection:
// context ends and transport failures.
func isLocal(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &ue) || errors.As(err, &ne)
}

// redact removes the token from every text of e.
func (c *Client) redact(e *APIError) *APIError {
	if c.token == "" {
		return e
	}
	clean := func(s string) string { return strings.ReplaceAll(s, c.token, "[redacted]") }
	msgs := make([]string, len(e.Messages))
	for i, m := range e.Messages {
		msgs[i] = clean(m)
	}
	e.Messages = msgs
	e.note = clean(e.note)
	if e.Err != nil && strings.Contains(e.Err.Error(), c.token) {
		e.Err = &redactedError{msg: clean(e.Err.Error()), err: e.Err}
	}
	return e
}

// redactedError hides a secret in the text of the error it wraps.
type redactedError struct {
	msg string
	err error
}

func (r *redactedError) Error() string { return r.msg }
func (r *redactedError) Unwrap() error { return r.err }

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func nonEmpty(v []string) []string {
	return slices.DeleteFunc(slices.Clone(v), func(s string) bool { return strings.TrimSpace(s) == "" })
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
