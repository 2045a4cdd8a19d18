// Package cloudflare is flarewarden's adapter over the Cloudflare API
// (github.com/cloudflare/cloudflare-go): it lists zones and DNS records and
// writes DNS changes (controller.DNS), and reads and writes a zone's custom
// WAF rules, its security level, its IP Access Rules and account IP lists
// (controller.Rulesets, SecuritySettings, AccessRules and IPLists).
//
// All retrying happens in one place, an http.RoundTripper under the SDK
// (whose own retries are off): it honours Retry-After, retries only what is
// safe to retry, and turns what it gives up on into errors that keep the
// HTTP status. Every error a Client returns is or wraps an *APIError (see
// Temporary and IsAuth); no error text contains the API token, and nothing
// the Client logs does.
package cloudflare

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/waf"
)

// Defaults of Options.
const (
	DefaultBaseURL       = "https://api.cloudflare.com/client/v4"
	DefaultRateLimit     = 4.0 // requests/s; Cloudflare allows 1,200 per 5 minutes
	DefaultMaxRetries    = 4
	DefaultBackoffBase   = time.Second
	DefaultMaxRetryAfter = time.Minute
	DefaultPerPage       = 5000
	DefaultBatchSize     = 200
	DefaultZoneCacheTTL  = time.Hour
	// DefaultBulkPollInterval is the first wait between two polls of an IP
	// list bulk operation; the wait doubles up to 8 times this (2s).
	DefaultBulkPollInterval = 250 * time.Millisecond
	// DefaultBulkTimeout is how long a bulk operation is polled at most.
	DefaultBulkTimeout = 2 * time.Minute

	backoffCap            = 30 * time.Second
	defaultAttemptTimeout = 30 * time.Second
)

// Options configure a Client. A zero field takes its default.
type Options struct {
	// Token is the API token. It is never logged and never part of an error.
	// Surrounding white space is ignored; white space or a control
	// character inside makes New fail.
	Token string
	// BaseURL is the API root, default DefaultBaseURL.
	BaseURL string
	// RateLimit caps requests per second, default 4.
	RateLimit float64
	// MaxRetries is the number of attempts after the first, default 4;
	// negative means none.
	MaxRetries int
	// BackoffBase is the first backoff ceiling, doubled per retry up to 30s
	// (full jitter), default 1s (also for negative values).
	BackoffBase time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for, default
	// 60s (also for negative values); a longer one fails the request at once
	// with a temporary error that carries it (APIError.RetryDelay).
	MaxRetryAfter time.Duration
	// PerPage is the DNS record list page size, default 5000.
	PerPage int
	// BatchSize is the most operations per batch request, default 200.
	BatchSize int
	// ZoneCacheTTL is how long the zone list is reused, default 1h;
	// negative means no caching across calls.
	ZoneCacheTTL time.Duration
	// BulkPollInterval is the first wait between polls of an IP list bulk
	// operation, doubled per poll up to 8 times its value, default 250ms
	// (also for negative values).
	BulkPollInterval time.Duration
	// BulkTimeout bounds how long a bulk operation is polled, default 2m
	// (also for negative values); after it the write fails with a
	// temporary error (the operation may still complete).
	BulkTimeout time.Duration
	// HTTPClient is an optional base client; it is copied and its Transport
	// wrapped. Its Timeout bounds each attempt, not the retries and waits
	// between them. Default: a client with a 30s limit per attempt.
	HTTPClient *http.Client
	// Logger receives retry and fallback warnings, default zap.NewNop().
	Logger *zap.Logger
	// Observer, when set, is told about every HTTP attempt (metrics).
	Observer RequestObserver
	// UserAgent is every request's User-Agent, default "flarewarden"
	// (the command sets "flarewarden/<version>").
	UserAgent string
}

// Client talks to the Cloudflare API. It is safe for concurrent use and
// implements controller.DNS, Rulesets, SecuritySettings, AccessRules and
// IPLists.
type Client struct {
	api     *cf.API
	log     *zap.Logger
	token   string
	perPage int
	batch   int
	bulk    bulkPolicy
	zones   zoneCache
	noBatch batchSwitch // single calls while the batch endpoint answers as missing
}

var (
	_ controller.DNS       = (*Client)(nil)
	_ waf.Rulesets         = (*Client)(nil)
	_ waf.SecuritySettings = (*Client)(nil)
	_ waf.AccessRules      = (*Client)(nil)
	_ waf.IPLists          = (*Client)(nil)
)

// New validates the options and builds a Client. It does not contact
// Cloudflare (see Verify).
func New(o Options) (*Client, error) {
	o.Token = strings.TrimSpace(o.Token)
	if o.Token == "" {
		return nil, errors.New("cloudflare: empty api token")
	}
	if strings.ContainsFunc(o.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errors.New("cloudflare: malformed api token: it holds a line break, space or control character inside")
	}
	if err := o.fill(); err != nil {
		return nil, err
	}
	api, err := cf.NewWithAPIToken(o.Token,
		cf.BaseURL(o.BaseURL),
		cf.HTTPClient(o.httpClient()),
		cf.UsingRateLimit(o.RateLimit),
		cf.UsingRetryPolicy(0, 0, 0),
		cf.UserAgent(orDefault(o.UserAgent, "flarewarden")),
	)
	if err != nil {
		return nil, errors.New("cloudflare: cannot build api client")
	}
	c := &Client{api: api, log: o.Logger, token: o.Token, perPage: o.PerPage, batch: o.BatchSize,
		bulk: bulkPolicy{interval: o.BulkPollInterval, timeout: o.BulkTimeout}}
	c.zones.ttl = o.ZoneCacheTTL
	return c, nil
}

// fill applies defaults and rejects invalid values.
func (o *Options) fill() error {
	base, err := checkBaseURL(o.BaseURL)
	if err != nil {
		return err
	}
	o.BaseURL = base
	if o.RateLimit < 0 || o.PerPage < 0 || o.BatchSize < 0 {
		return errors.New("cloudflare: rate limit, page size and batch size must not be negative")
	}
	o.RateLimit = orDefault(o.RateLimit, DefaultRateLimit)
	o.MaxRetries = max(orDefault(o.MaxRetries, DefaultMaxRetries), 0)
	o.BackoffBase = orDefault(max(o.BackoffBase, 0), DefaultBackoffBase)
	o.MaxRetryAfter = orDefault(max(o.MaxRetryAfter, 0), DefaultMaxRetryAfter)
	o.PerPage = orDefault(o.PerPage, DefaultPerPage)
	o.BatchSize = orDefault(o.BatchSize, DefaultBatchSize)
	o.ZoneCacheTTL = orDefault(o.ZoneCacheTTL, DefaultZoneCacheTTL)
	o.BulkPollInterval = orDefault(max(o.BulkPollInterval, 0), DefaultBulkPollInterval)
	o.BulkTimeout = orDefault(max(o.BulkTimeout, 0), DefaultBulkTimeout)
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return nil
}

// httpClient returns a copy of the base client whose transport retries.
// The base Timeout moves into the transport as a per-attempt limit.
func (o *Options) httpClient() *http.Client {
	hc := &http.Client{}
	attemptTimeout := defaultAttemptTimeout
	if o.HTTPClient != nil {
		copied := *o.HTTPClient
		hc, attemptTimeout = &copied, copied.Timeout
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Timeout = 0
	hc.Transport = &retryTransport{
		base: base, log: o.Logger, maxRetries: o.MaxRetries,
		backoffBase: o.BackoffBase, backoffCap: backoffCap,
		maxRetryAfter: o.MaxRetryAfter, attemptTimeout: attemptTimeout,
		observer: o.Observer, basePath: basePath(o.BaseURL),
	}
	return hc
}

// basePath is the path of a checked base URL ("/client/v4").
func basePath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Path
}

func checkBaseURL(raw string) (string, error) {
	if raw == "" {
		return DefaultBaseURL, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("cloudflare: base url %q is not an http(s) URL", raw)
	}
	return strings.TrimSuffix(raw, "/"), nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// zoneLabel names a zone in errors: its name, or its ID if unnamed.
func zoneLabel(z controller.Zone) string {
	if z.Name != "" {
		return z.Name
	}
	return z.ID
}

// zonePath is the API path of a zone.
func zonePath(zoneID string) string {
	return "/zones/" + url.PathEscape(zoneID)
}
