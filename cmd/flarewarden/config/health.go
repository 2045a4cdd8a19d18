package config

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/providers/health"
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
	Port    int    `yaml:"port,omitempty"`
	TLS     bool   `yaml:"tls"`
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
		if c.Origin != nil && c.Origin.Port == 0 {
			c.Origin.Port = 80
			if c.Origin.TLS {
				c.Origin.Port = 443
			}
		}
	}
}

// validate checks what the health provider leaves to the config: the
// check names' spelling (they label metrics) and notify_hold. Config.validate
// checks the rest through health.New.
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

// ProberOptions converts the section for the health provider. An origin
// address without a port gets origin.port.
func (h Health) ProberOptions() health.Options {
	opts := health.Options{DNSServer: h.DNSServer}
	for _, c := range h.Checks {
		hc := health.Check{Name: c.Name, URL: c.URL, ExpectStatus: c.ExpectStatus, Timeout: time.Duration(c.Timeout),
			EdgeAddress: c.EdgeAddress, Headers: c.Headers}
		if o := c.Origin; o != nil {
			hc.Origin = &health.OriginCheck{Port: o.Port, TLS: o.TLS, Address: o.hostPort()}
		}
		opts.Checks = append(opts.Checks, hc)
	}
	return opts
}

// hostPort is address as host:port (port when it has none), or "" to
// probe the detected public address.
func (o OriginCheck) hostPort() string {
	if o.Address == "" {
		return ""
	}
	if _, _, err := net.SplitHostPort(o.Address); err == nil {
		return o.Address
	}
	return net.JoinHostPort(o.Address, strconv.Itoa(o.Port))
}
