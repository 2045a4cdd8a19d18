package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/flarewarden/flarewarden/controller"
)

// CronParser parses schedules: five-field cron specs and descriptors such
// as "@every 5m" or "@hourly".
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

var hostnameRE = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$`)

// maxMarkerLen leaves room in Cloudflare's 100-character comment for the
// takeover note.
const maxMarkerLen = 50

// validate returns every problem of a defaulted config, each naming its
// field: those of the cloudflare and detect sections, then the checks'
// (which build the providers), then those of the other sections. The
// order is the one `config validate` has always printed.
func (c *Config) validate(checks []Check) []error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	c.Cloudflare.validate(add)
	c.Detect.validate(add)
	for _, check := range checks {
		errs = append(errs, check(c)...)
	}
	c.validateRecords(add)
	c.validateUplinks(add)
	c.WAF.validate(add)
	c.validateSelfPrefix(add)
	c.validateManagedSources(add)
	c.Health.validate(add)
	c.Notify.validate(add)
	c.validatePasses(add)
	c.Log.validate(add)
	c.Server.validate(add)
	return errs
}

type adder func(field, format string, args ...any)

func (cf Cloudflare) validate(add adder) {
	if err := checkBaseURL(cf.APIBaseURL); err != nil {
		add("cloudflare.api_base_url", "%v", err)
	}
	if cf.RateLimit < 0 {
		add("cloudflare.rate_limit", "must be positive")
	}
}

func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if u.User != nil {
		return fmt.Errorf("must not carry credentials")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("http:// is allowed for a loopback host only (a simulator): the token would travel in clear")
	}
	return nil
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// validate requires an enabled family; the ipdetect provider checks the
// rest (sources, quorum, timeout) when main's Check builds it.
func (d Detect) validate(add adder) {
	validateFamilies("detect", d.IPv4, d.IPv6, add)
}

// validateFamilies checks the families of the detect section at field
// (detect, or an uplink's): at least one on, and their prefix lengths.
func validateFamilies(field string, v4, v6 Family, add adder) {
	if !v4.On() && !v6.On() {
		add(field, "enable at least one of ipv4 and ipv6")
	}
	validatePrefixLength(field, v4, v6, add)
}

// validatePasses checks how passes run: policy, ownership marker, schedule
// and retry.
func (c *Config) validatePasses(add adder) {
	switch controller.Mode(c.Policy) {
	case controller.ModeSync, controller.ModeUpsertOnly, controller.ModeCreateOnly:
	default:
		add("policy", "%q is not one of sync, upsert-only, create-only", c.Policy)
	}
	if m := c.Ownership.CommentMarker; len(m) > maxMarkerLen || strings.TrimSpace(m) != m {
		add("ownership.comment_marker", "must be 1 to %d characters without surrounding spaces", maxMarkerLen)
	}
	if sched, err := CronParser.Parse(c.Schedule); err != nil {
		add("schedule", "%v (valid: \"@every 5m\", \"*/5 * * * *\", \"@hourly\")", err)
	} else if sched.Next(time.Now()).IsZero() {
		add("schedule", "%q never fires (no such date)", c.Schedule)
	}
	if c.Retry.Base <= 0 || c.Retry.Max < c.Retry.Base {
		add("retry", "base must be positive and max at least base")
	}
}

func (c *Config) validateRecords(add adder) {
	if len(c.Records) == 0 {
		add("records", "list at least one name to manage")
	}
	seen := map[string]int{}
	for i, r := range c.Records {
		field := fmt.Sprintf("records[%d]", i)
		name := controller.NormalizeName(r.Name)
		switch {
		case name == "":
			add(field+".name", "required")
		case !hostnameRE.MatchString(name):
			add(field+".name", "%q is not a valid DNS name", r.Name)
		case r.Zone != "" && !controller.InZone(name, r.Zone):
			add(field+".name", "%s is not inside its zone %s", name, controller.NormalizeName(r.Zone))
		}
		if j, dup := seen[name]; dup && name != "" {
			add(field+".name", "%s is already managed by records[%d]", name, j)
		}
		seen[name] = i
		r.validateTTL(field, add)
		r.validateIPv6Host(field, c.Detect.IPv6, add)
	}
}

func (r Record) validateTTL(field string, add adder) {
	if r.TTL == nil {
		return
	}
	ttl := *r.TTL
	switch {
	case ttl != 1 && (ttl < 60 || ttl > 86400):
		add(field+".ttl", "%d must be 1 (automatic) or 60..86400 seconds", ttl)
	case ttl != 1 && r.Proxied != nil && *r.Proxied:
		add(field+".ttl", "a proxied record always has ttl 1 (automatic), got %d", ttl)
	}
}

func (l Log) validate(add adder) {
	switch l.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", "%q is not one of debug, info, warn, error", l.Level)
	}
	if l.Format != "json" && l.Format != "console" && l.Format != "auto" {
		add("log.format", "%q is not one of auto, json, console", l.Format)
	}
}
