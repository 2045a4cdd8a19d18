package notify

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"
)

// Defaults applied by New to zero Options fields.
const (
	defaultTimeout = 10 * time.Second
	defaultRetries = 3
	defaultBackoff = time.Second
)

// Webhook is a generic JSON webhook target.
type Webhook struct {
	// URL receives a POST of the event as JSON.
	URL string
	// Headers are added to every request, e.g. an Authorization token.
	// Their values are secrets: they are never logged nor put in errors.
	Headers map[string]string
}

// Email is an SMTP server and who receives the e-mails.
type Email struct {
	Host string
	// Port zero means 587, or 465 with TLS "tls", 25 with "none".
	Port int
	// Username, when set, authenticates with AUTH PLAIN and the password
	// held in PasswordFile, read by New. The password is never logged nor
	// put in errors.
	Username     string
	PasswordFile string
	From         string
	To           []string
	// TLS is "starttls" (the default), "tls" (implicit TLS) or "none"
	// (plain SMTP, for a loopback host only).
	TLS string
	// RootCAs verify the server's certificate; nil means the system's.
	RootCAs *x509.CertPool
}

// Options configures a Notifier. Every URL but the shoutrrr ones must be
// an http or https URL with a host; the paths, queries and user
// information of all of them are treated as secrets.
type Options struct {
	// Webhooks receive health, change and pass_fail events as JSON.
	Webhooks []Webhook
	// Healthchecks are Healthchecks.io-style ping URLs.
	Healthchecks []string
	// UptimeKuma are Uptime Kuma push URLs (.../api/push/<token>).
	UptimeKuma []string
	// Shoutrrr are shoutrrr service URLs (ntfy://, gotify://, discord://,
	// telegram://...; see shoutrrrServices): they receive health, change and pass_fail events as
	// one line of text.
	Shoutrrr []string
	// Email, when set, receives health, change, uplink and pass_fail
	// events as plain-text e-mails.
	Email *Email
	// ReadFile reads Email.PasswordFile; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// Timeout bounds each attempt; zero means 10 s, negative is an error.
	Timeout time.Duration
	// Retries is how many attempts may follow the first one, on network
	// errors, 429 and 5xx answers; zero means 3, negative means none.
	Retries int
	// Backoff is the delay before the first retry, doubled for each next
	// one, with jitter; zero means 1 s, negative is an error.
	Backoff time.Duration
	// HTTPClient sends the requests; nil means a client of its own. Its
	// redirect policy is replaced: redirects are never followed.
	HTTPClient *http.Client
	// Logger receives a warning per failed attempt; nil means no logs.
	Logger *zap.Logger
}

// settings are the checked, defaulted knobs of a Notifier.
type settings struct {
	timeout time.Duration
	retries int
	backoff time.Duration
	client  *http.Client
	log     *zap.Logger
}

// checkSettings applies the defaults of o. Errors name the field
// ("notify.timeout: ..."), all of them joined.
func checkSettings(o Options) (settings, error) {
	s := settings{retries: o.Retries, client: noRedirects(o.HTTPClient), log: o.Logger}
	var errs []error
	var err error
	if s.timeout, err = orDefault(o.Timeout, defaultTimeout); err != nil {
		errs = append(errs, fmt.Errorf("notify.timeout: %w", err))
	}
	if s.backoff, err = orDefault(o.Backoff, defaultBackoff); err != nil {
		errs = append(errs, fmt.Errorf("notify.backoff: %w", err))
	}
	switch {
	case s.retries == 0:
		s.retries = defaultRetries
	case s.retries < 0:
		s.retries = 0
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	return s, errors.Join(errs...)
}

// orDefault returns d, or def when d is zero; a negative d is an error.
func orDefault(d, def time.Duration) (time.Duration, error) {
	switch {
	case d < 0:
		return 0, fmt.Errorf("%s is negative", d)
	case d == 0:
		return def, nil
	}
	return d, nil
}

// noRedirects returns a copy of c (or of a new client) that never follows
// a redirect: the 3xx answer itself is returned. A redirect would resend
// the event, and maybe its headers, to a place nobody configured.
func noRedirects(c *http.Client) *http.Client {
	out := &http.Client{}
	if c != nil {
		*out = *c
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return out
}
