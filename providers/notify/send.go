package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/redact"
)

// maxDrain is how much of an answer's body is read, to reuse connections.
const maxDrain = 64 << 10

// outcome is the result of one attempt.
type outcome struct {
	err   error         // nil on a 2xx answer
	retry bool          // another attempt may succeed
	after time.Duration // the server's Retry-After, or zero
}

// safeError is an error whose text was built without the target's URL or
// headers. It unwraps to the cause (never to a *url.Error, which quotes
// the full URL) so that errors.Is(err, context.DeadlineExceeded) works.
type safeError struct {
	msg   string
	cause error
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.cause }

// deliver sends c to t, retrying per the settings, and logs a warning per
// failed attempt. The error names t by its label only.
func (n *Notifier) deliver(ctx context.Context, t target, kind controller.EventKind, c call) error {
	sc := append(scrubber{c.url.String()}, t.secret...)
	for attempt := 1; ; attempt++ {
		o := n.attempt(ctx, c, sc)
		if o.err == nil {
			return nil
		}
		last := !o.retry || attempt > n.s.retries
		n.s.log.Warn("notification attempt failed",
			zap.String("target", t.name), zap.String("field", t.field), zap.String("kind", string(kind)),
			zap.Int("attempt", attempt), zap.Bool("final", last), zap.Error(o.err))
		if last {
			return fmt.Errorf("%s: %w", t.label(), attempts(o.err, attempt))
		}
		if err := n.wait(ctx, n.delay(attempt, o.after)); err != nil {
			return fmt.Errorf("%s: %w; retries stopped: %w", t.label(), attempts(o.err, attempt), err)
		}
	}
}

// attempts adds the number of attempts to err when there was more than one.
func attempts(err error, n int) error {
	if n == 1 {
		return err
	}
	return fmt.Errorf("%w (%d attempts)", err, n)
}

// attempt sends c once, bounded by the timeout, and classifies the result.
// Every error text is built without the URL or scrubbed by sc.
func (n *Notifier) attempt(ctx context.Context, c call, sc scrubber) outcome {
	actx, cancel := context.WithTimeout(ctx, n.s.timeout)
	defer cancel()
	if c.push != nil {
		return pushOutcome(ctx, actx, c.push, n.s.timeout, sc)
	}
	if c.mail != nil {
		return smtpOutcome(ctx, actx, c.mail(actx), n.s.timeout, sc)
	}
	req, err := http.NewRequestWithContext(actx, c.method, c.url.String(), bytes.NewReader(c.body))
	if err != nil {
		return outcome{err: &safeError{msg: "cannot build the request: " + sc.scrub(err.Error())}}
	}
	setHeaders(req, c)
	resp, err := n.s.client.Do(req)
	if err != nil {
		return transportError(ctx, actx, err, n.s.timeout, sc)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
		_ = resp.Body.Close()
	}()
	return statusOutcome(resp)
}

// setHeaders sets the content type, the User-Agent and then the configured
// headers, which may override both.
func setHeaders(req *http.Request, c call) {
	req.Header.Set("User-Agent", "flarewarden")
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
}

// transportError classifies an error of http.Client.Do: the caller's ctx
// done is final; the attempt's actx timing out, or any other network
// error, may be retried. The *url.Error wrapper, which quotes the URL, is
// dropped, and what remains is scrubbed by sc.
func transportError(ctx, actx context.Context, err error, timeout time.Duration, sc scrubber) outcome {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	switch {
	case ctx.Err() != nil:
		return outcome{err: &safeError{msg: "not sent: " + ctx.Err().Error(), cause: ctx.Err()}}
	case actx.Err() != nil:
		msg := fmt.Sprintf("no answer within %s", timeout)
		return outcome{err: &safeError{msg: msg, cause: actx.Err()}, retry: true}
	}
	return outcome{err: &safeError{msg: sc.scrub(cause.Error()), cause: cause}, retry: true}
}

// statusOutcome classifies an answer: 2xx is success; 429 and 5xx may be
// retried, 429 after its Retry-After; anything else, redirects included,
// is final. The text names the status only: bodies and Location headers
// may echo secrets.
func statusOutcome(resp *http.Response) outcome {
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return outcome{}
	case code >= 300 && code < 400:
		return outcome{err: fmt.Errorf("answered %s: redirects are not followed", resp.Status)}
	case code == http.StatusTooManyRequests:
		return outcome{err: fmt.Errorf("answered %s", resp.Status), retry: true, after: retryAfter(resp.Header, time.Now())}
	case code >= 500:
		return outcome{err: fmt.Errorf("answered %s", resp.Status), retry: true}
	}
	return outcome{err: fmt.Errorf("answered %s", resp.Status)}
}

// pushOutcome runs push (a shoutrrr send) once, bounded by actx. A
// shoutrrr service takes no context: one that outlives actx is left to
// finish in the background. Every failure may be retried: shoutrrr's
// errors do not say whether the service answered 4xx or 5xx. Their text,
// which may quote the service's request URL, is shown with every URL
// redacted and scrubbed by sc.
func pushOutcome(ctx, actx context.Context, push func() error, timeout time.Duration, sc scrubber) outcome {
	done := make(chan error, 1)
	go func() { done <- push() }()
	select {
	case err := <-done:
		if err == nil {
			return outcome{}
		}
		return outcome{err: errors.New(sc.scrub(string(redact.Text([]byte(err.Error()))))), retry: true}
	case <-actx.Done():
		return transportError(ctx, actx, actx.Err(), timeout, sc)
	}
}
