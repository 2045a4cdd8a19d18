package cloudflare

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"go.uber.org/zap"
	"golang.org/x/net/http/httpguts"

	"github.com/flarewarden/flarewarden/controller/retry"
)

// maxErrorBody bounds how much of an error answer the transport reads.
const maxErrorBody = 1 << 20

// retryTransport is the http.RoundTripper under the SDK (whose own retries
// are off). Its contract:
//   - a 429 is retried for any method (Cloudflare did not execute it), after
//     its Retry-After (seconds or HTTP date) or, without one, a backoff;
//   - a 5xx or a connection failure is retried only for GET and HEAD, after
//     an exponential backoff with full jitter;
//   - a Retry-After longer than maxRetryAfter is not waited for: the
//     error carries it (APIError.RetryDelay) for the caller to honour;
//   - when it gives up, and for every 429 or 5xx it does not retry, it
//     returns an *httpError carrying the status and Retry-After, so the SDK
//     never sees such an answer;
//   - a 4xx whose body is not JSON also becomes an *httpError, so its status
//     survives the SDK (which would drop it);
//   - a 2xx whose envelope says "success": false with errors becomes an
//     *httpError with its status, codes and messages (see checkSuccess);
//   - waits end early when the request's context ends;
//   - a request with a header value HTTP cannot carry (a line break or
//     control character, as in a malformed token) is not sent: it fails at
//     once with an *APIError that is not temporary (net/http would refuse
//     it on every attempt, and it would look like a network failure).
//
// It never logs headers, bodies or the query string.
type retryTransport struct {
	base           http.RoundTripper
	log            *zap.Logger
	maxRetries     int
	backoffBase    time.Duration
	backoffCap     time.Duration
	maxRetryAfter  time.Duration
	attemptTimeout time.Duration   // 0: no limit per attempt
	observer       RequestObserver // nil: none
	basePath       string          // the API root's path, cut from observed paths
}

// httpError is what retryTransport returns when it gives up on a request.
// Status is 0 when no answer was received.
type httpError struct {
	Method     string
	Path       string
	Status     int
	RetryAfter time.Duration
	Attempts   int
	Codes      []int
	Messages   []string
	Reason     string // why the transport gave up, for humans
	Err        error  // the connection error, if any
}

// Error describes the request and why it failed; it never contains headers.
func (e *httpError) Error() string {
	s := fmt.Sprintf("%s %s: ", e.Method, e.Path)
	if e.Status != 0 {
		s += fmt.Sprintf("HTTP %d: ", e.Status)
	}
	return s + e.Reason
}

// Unwrap returns the connection error, if any.
func (e *httpError) Unwrap() error { return e.Err }

// RoundTrip sends req, retrying as the type's contract says.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkHeaders(req); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		r, err := replay(req, attempt)
		if err != nil {
			return nil, t.giveUp(req, attempt, 0, err.Error(), err)
		}
		resp, cancel, err := t.send(r)
		if err != nil {
			if ctxErr := req.Context().Err(); ctxErr != nil {
				return nil, ctxErr
			}
			if e := t.connectionFailed(req, attempt, err); e != nil {
				return nil, e
			}
			continue
		}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			e := t.errorStatus(req, resp, attempt)
			cancel()
			if e != nil {
				return nil, e
			}
		case resp.StatusCode >= 400:
			defer cancel()
			return checkJSON(req, resp, attempt)
		default:
			defer cancel()
			return t.checkSuccess(req, resp, attempt)
		}
	}
}

// send performs one attempt within the per-attempt timeout. The returned
// cancel releases the attempt's context; the caller calls it once the
// answer's body is no longer needed.
func (t *retryTransport) send(r *http.Request) (*http.Response, context.CancelFunc, error) {
	cancel := context.CancelFunc(func() {})
	if t.attemptTimeout > 0 {
		var ctx context.Context
		ctx, cancel = context.WithTimeout(r.Context(), t.attemptTimeout)
		r = r.WithContext(ctx)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		t.observe(r, 0)
		if errors.Is(r.Context().Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s: %w", t.attemptTimeout, err)
		}
		cancel()
		return nil, nil, err
	}
	t.observe(r, resp.StatusCode)
	return resp, cancel, nil
}

// connectionFailed handles an attempt that got no answer: it waits and
// returns nil when the request may be retried, or the final error.
func (t *retryTransport) connectionFailed(req *http.Request, attempt int, cause error) *httpError {
	if !idempotent(req.Method) {
		return t.giveUp(req, attempt, 0, req.Method+" not retried, it may have been executed: "+cause.Error(), cause)
	}
	if attempt > t.maxRetries {
		return t.giveUp(req, attempt, 0, fmt.Sprintf("no answer after %d %s: %v", attempt, plural(attempt, "attempt", "attempts"), cause), cause)
	}
	delay := t.backoff(attempt)
	t.log.Warn("cloudflare request retry", zap.String("method", req.Method), zap.String("path", req.URL.Path),
		zap.Int("status", 0), zap.Int("attempt", attempt), zap.Duration("delay", delay), zap.String("error", cause.Error()))
	return t.wait(req, attempt, 0, delay)
}

// errorStatus handles a 429 or 5xx answer: it consumes the body, waits and
// returns nil when the request may be retried, or the final error.
func (t *retryTransport) errorStatus(req *http.Request, resp *http.Response, attempt int) *httpError {
	codes, msgs := readErrorBody(resp)
	retryAfter, hasRetryAfter := retry.ParseAfter(resp.Header.Get("Retry-After"), time.Now())
	fail := func(reason string) *httpError {
		e := t.giveUp(req, attempt, resp.StatusCode, reason, nil)
		e.RetryAfter, e.Codes, e.Messages = retryAfter, codes, msgs
		return e
	}
	switch {
	case hasRetryAfter && retryAfter > t.maxRetryAfter:
		return fail(fmt.Sprintf("retry after %s, longer than this client waits (%s)", retryAfter, t.maxRetryAfter))
	case resp.StatusCode != http.StatusTooManyRequests && !idempotent(req.Method):
		return fail(req.Method + " not retried: it may have been executed")
	case attempt > t.maxRetries:
		return fail(fmt.Sprintf("gave up after %d %s", attempt, plural(attempt, "attempt", "attempts")))
	}
	delay := retryAfter
	if !hasRetryAfter {
		delay = t.backoff(attempt)
	}
	t.log.Warn("cloudflare request retry", zap.String("method", req.Method), zap.String("path", req.URL.Path),
		zap.Int("status", resp.StatusCode), zap.Int("attempt", attempt), zap.Duration("delay", delay))
	if e := t.wait(req, attempt, resp.StatusCode, delay); e != nil {
		e.RetryAfter, e.Codes, e.Messages = retryAfter, codes, msgs
		return e
	}
	return nil
}

// wait sleeps for d unless the request's context ends first, in which case
// it returns the final error.
func (t *retryTransport) wait(req *http.Request, attempt, status int, d time.Duration) *httpError {
	if err := retry.Sleep(req.Context(), d); err != nil {
		return t.giveUp(req, attempt, status, "gave up waiting to retry: "+err.Error(), err)
	}
	return nil
}

func (t *retryTransport) giveUp(req *http.Request, attempt, status int, reason string, err error) *httpError {
	return &httpError{Method: req.Method, Path: req.URL.Path, Status: status, Attempts: attempt, Reason: reason, Err: err}
}

// backoff returns the delay before retry number attempt: uniformly random
// in [0, min(cap, base*2^(attempt-1))] ("full jitter": clients that hit
// the same rate limit spread the most).
func (t *retryTransport) backoff(attempt int) time.Duration {
	return retry.Backoff{Base: t.backoffBase, Max: t.backoffCap, Jitter: retry.Full}.Delay(attempt)
}

// checkHeaders refuses a request whose header values net/http would refuse.
// The error is an *APIError (the client's calls pass it on as it is) whose
// cause is errInvalid, so it is not temporary; it names the header, never
// its value.
func checkHeaders(req *http.Request) *APIError {
	for name, values := range req.Header {
		for _, v := range values {
			if !httpguts.ValidHeaderFieldValue(v) {
				return &APIError{Op: req.Method + " " + req.URL.Path,
					Err: fmt.Errorf("%w: not sent: header %s holds a line break or control character (a malformed api token?)", errInvalid, name)}
			}
		}
	}
	return nil
}

// replay returns the request for the given attempt: req itself first, then
// clones with a fresh body from req.GetBody.
func replay(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 {
		return req, nil
	}
	r := req.Clone(req.Context())
	if req.Body == nil || req.Body == http.NoBody {
		return r, nil
	}
	if req.GetBody == nil {
		return nil, errors.New("request body cannot be replayed")
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("replay request body: %w", err)
	}
	r.Body = body
	return r, nil
}

func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}

// checkJSON passes a 4xx answer on to the SDK when its body is JSON and
// turns it into an *httpError otherwise.
func checkJSON(req *http.Request, resp *http.Response, attempt int) (*http.Response, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	if err == nil && json.Valid(body) {
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	}
	return nil, &httpError{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, Attempts: attempt,
		Reason: "error answer is not JSON"}
}
