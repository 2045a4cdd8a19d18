package config

import (
	"fmt"
	"time"

	"github.com/flarewarden/flarewarden/controller/daemon"
)

// Health configures the health checks of `run` and `check`.
type Health struct {
	// Interval between health rounds in `run`.
	Interval Duration `yaml:"interval"`
	// NotifyHold is the least time between two reported state changes of
	// a check (a flapping site is reported at most once per hold).
	NotifyHold Duration `yaml:"notify_hold"`
	// DNSServer ("host:port") resolves CNAME targets; empty = system resolver.
	DNSServer string        `yaml:"dns_server,omitempty"`
	Checks    []HealthCheck `yaml:"checks,omitempty"`
}

// HealthCheck probes a site through the edge and, optionally, directly.
type HealthCheck struct {
	Name         string            `yaml:"name"`
	URL          string            `yaml:"url"`
	ExpectStatus []int             `yaml:"expect_status,omitempty"`
	Timeout      Duration          `yaml:"timeout"`
	EdgeAddress  string            `yaml:"edge_address,omitempty"`
	Headers      map[string]string `yaml:"headers,omitempty"`
	Origin       *OriginCheck      `yaml:"origin,omitempty"`
}

// OriginCheck probes the origin at the detected address (or Address).
type OriginCheck struct {
	Port int  `yaml:"port,omitempty"`
	TLS  bool `yaml:"tls"`
	// Address is a host or host:port; a host alone is probed at Port.
	Address string `yaml:"address,omitempty"`
}

func (h *Health) applyDefaults() {
	h.Interval = orDur(h.Interval, 30*time.Second)
	h.NotifyHold = orDur(h.NotifyHold, daemon.DefaultNotifyHold)
	for i := range h.Checks {
		c := &h.Checks[i]
		if len(c.ExpectStatus) == 0 {
			c.ExpectStatus = []int{200}
		}
		c.Timeout = orDur(c.Timeout, 5*time.Second)
		if c.Origin != nil {
			c.Origin.applyDefaults()
		}
	}
}

// applyDefaults gives the origin probe the port of its scheme when unset.
func (o *OriginCheck) applyDefaults() {
	if o.Port == 0 {
		o.Port = 80
		if o.TLS {
			o.Port = 443
		}
	}
}

// validate checks what the health provider leaves to the config: the
// check names' spelling (they label metrics) and notify_hold. The rest is
// the provider's to check, when main's Check builds it.
func (h Health) validate(add adder) {
	if h.NotifyHold < 0 {
		add("health.notify_hold", "must not be negative")
	}
	for i, c := range h.Checks {
		if c.Name != "" && !setNameRE.MatchString(c.Name) {
			add(fmt.Sprintf("health.checks[%d].name", i), "%q must be lower-case letters, digits, _ and -", c.Name)
		}
	}
}
