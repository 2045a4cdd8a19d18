package config

import "time"

// Defaults, in one place so that the README and `config validate` agree.
const (
	DefaultBaseURL  = "https://api.cloudflare.com/client/v4"
	DefaultMarker   = "managed-by=flarewarden"
	DefaultSchedule = "@every 5m"
	DefaultPolicy   = "sync"
	// DefaultIPv6PrefixLength is the delegated prefix records' ipv6_host
	// ids are joined to: a /64.
	DefaultIPv6PrefixLength = 64
	// DefaultCanaryTimeout bounds an uplink's canary probe. Cloudflare
	// waits up to about 15 s to connect to an origin before it answers
	// 522, so the probe must outwait it to see that answer.
	DefaultCanaryTimeout = 30 * time.Second
	// DefaultCanaryFailAfter unreachable rounds put an uplink down;
	// DefaultCanaryRecoverAfter healthy rounds put it up again.
	DefaultCanaryFailAfter    = 2
	DefaultCanaryRecoverAfter = 3
)

// DefaultSources are the IP sources used when a family lists none.
var DefaultSources = []string{"cloudflare-trace", "cloudflare-doh"}

// applyDefaults fills every unset field with its default.
func (c *Config) applyDefaults() {
	cf := &c.Cloudflare
	cf.APIBaseURL = or(cf.APIBaseURL, DefaultBaseURL)
	if cf.RateLimit == 0 {
		cf.RateLimit = 4
	}
	cf.Timeout = orDur(cf.Timeout, 30*time.Second)
	c.Detect.Timeout = orDur(c.Detect.Timeout, 5*time.Second)
	c.Detect.IPv4.defaults(true)
	c.Detect.IPv6.defaults(false)
	if c.Detect.IPv6.On() && c.Detect.IPv6.PrefixLength == 0 {
		c.Detect.IPv6.PrefixLength = DefaultIPv6PrefixLength
	}
	c.Detect.Interval = orDur(c.Detect.Interval, 30*time.Second)
	for i := range c.Records {
		if c.Records[i].TakeoverCNAME == nil {
			on := TakeoverAlways
			c.Records[i].TakeoverCNAME = &on
		}
	}
	c.applyUplinkDefaults()
	c.Health.applyDefaults()
	c.Notify.applyDefaults()
	c.Policy = or(c.Policy, DefaultPolicy)
	c.Ownership.CommentMarker = or(c.Ownership.CommentMarker, DefaultMarker)
	c.Schedule = or(c.Schedule, DefaultSchedule)
	c.Retry.Base = orDur(c.Retry.Base, 5*time.Second)
	c.Retry.Max = orDur(c.Retry.Max, 5*time.Minute)
	c.WAF.applyDefaults()
	c.Log.Level = or(c.Log.Level, "info")
	c.Log.Format = or(c.Log.Format, "auto")
	c.Server.applyDefaults()
}

// defaults enables the family when it is on by default or lists sources,
// unless told otherwise, and, when it is on,
// gives it the default sources and a majority quorum.
func (f *Family) defaults(enabled bool) {
	if f.Enabled == nil {
		on := enabled || len(f.Sources) > 0
		f.Enabled = &on
	}
	if !*f.Enabled {
		return
	}
	if len(f.Sources) == 0 {
		f.Sources = append([]string(nil), DefaultSources...)
	}
	if f.Quorum == 0 {
		f.Quorum = len(f.Sources)/2 + 1
	}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orDur(v Duration, def time.Duration) Duration {
	if v == 0 {
		return Duration(def)
	}
	return v
}
