// Package config loads and validates flarewarden's YAML configuration.
// Parse works on bytes; Load reads the file it is given; ApplyEnv and
// Server.ResolveToken read the token files the configuration or the
// environment (a lookup function, never os.Getenv) names.
// It checks what is config (types, ranges, required fields, cross-field
// rules) and builds no provider: the sections a provider validates are
// checked by the Checks its caller passes to Parse or Load.
package config

import (
	"time"
)

// Config is the whole configuration file. Field tags are the contract.
type Config struct {
	Cloudflare Cloudflare `yaml:"cloudflare"`
	Detect     Detect     `yaml:"detect"`
	Uplinks    []Uplink   `yaml:"uplinks,omitempty"`
	Records    []Record   `yaml:"records"`
	Policy     string     `yaml:"policy"`
	Ownership  Ownership  `yaml:"ownership"`
	Schedule   string     `yaml:"schedule"`
	WAF        WAF        `yaml:"waf"`
	Health     Health     `yaml:"health"`
	Notify     Notify     `yaml:"notify"`
	Retry      Retry      `yaml:"retry"`
	Log        Log        `yaml:"log"`
	Server     Server     `yaml:"server"`
}

// Cloudflare says how to reach the API. The token itself never lives in the
// config file: it comes from api_token_file or the environment.
type Cloudflare struct {
	APITokenFile string `yaml:"api_token_file,omitempty"`
	APIBaseURL   string `yaml:"api_base_url"`
	// RateLimit caps API requests per second (Cloudflare allows 1,200 per 5 minutes).
	RateLimit float64 `yaml:"rate_limit"`
	// Timeout bounds each API request.
	Timeout Duration `yaml:"timeout"`
	// TokenSource is where the token was found; filled in by ApplyEnv and
	// shown redacted in the effective config. Parse refuses the key.
	TokenSource string `yaml:"api_token,omitempty"`
}

// Detect configures public IP detection.
type Detect struct {
	Timeout Duration `yaml:"timeout"`
	// Interval runs detection between passes (no API call); a changed
	// address triggers a pass at once.
	Interval Duration `yaml:"interval"`
	IPv4     Family   `yaml:"ipv4"`
	IPv6     Family   `yaml:"ipv6"`
}

// Family configures detection of one address family.
type Family struct {
	Enabled      *bool    `yaml:"enabled,omitempty"`
	Sources      []string `yaml:"sources,omitempty"`
	Quorum       int      `yaml:"quorum,omitempty"`
	AllowPrivate bool     `yaml:"allow_private,omitempty"`
	// PrefixLength (IPv6 only) is how many bits of the detected address are
	// the delegated prefix that records' ipv6_host ids are joined to.
	PrefixLength int `yaml:"prefix_length,omitempty"`
}

// On reports whether the family is enabled.
func (f Family) On() bool { return f.Enabled != nil && *f.Enabled }

// On reports whether at least one address family is enabled.
func (d Detect) On() bool { return d.IPv4.On() || d.IPv6.On() }

// Record is one managed name.
type Record struct {
	Name string `yaml:"name"`
	Zone string `yaml:"zone,omitempty"`
	// Proxied and TTL unset keep what the record has (new records: false, 1).
	Proxied       *bool     `yaml:"proxied,omitempty"`
	TTL           *int      `yaml:"ttl,omitempty"`
	TakeoverCNAME *Takeover `yaml:"takeover_cname,omitempty"`
	// IPv6Host is an interface identifier ("::1234:5678:9abc:def0"): the
	// AAAA is the detected IPv6 prefix joined to it.
	IPv6Host string `yaml:"ipv6_host,omitempty"`
	// Uplinks lists the uplinks the name follows, in order of preference;
	// empty follows every uplink in config order. UplinkMode is failover
	// (the first that is up) or all (one record per uplink that is up).
	Uplinks    []string `yaml:"uplinks,omitempty"`
	UplinkMode string   `yaml:"uplink_mode,omitempty"`
}

// Ownership says how flarewarden marks what it owns.
type Ownership struct {
	CommentMarker string `yaml:"comment_marker"`
}

// Retry bounds the backoff after soft errors (429, 5xx, timeouts).
type Retry struct {
	Base Duration `yaml:"base"`
	Max  Duration `yaml:"max"`
}

// Log configures the logger.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Duration is a time.Duration written as "30s" in YAML.
type Duration time.Duration

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText renders the duration as Go does ("5m0s").
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }
