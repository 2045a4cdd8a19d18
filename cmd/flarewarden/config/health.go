package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Health configures the health checks of `run` and `check`.
type Health struct {
	// Interval between health rounds in `run`.
	Interval Duration `yaml:"interval"`
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

func (h Health) validate(add adder) {
	if h.DNSServer != "" {
		if _, _, err := net.SplitHostPort(h.DNSServer); err != nil {
			add("health.dns_server", "%q is not host:port", h.DNSServer)
		}
	}
	seen := map[string]int{}
	for i, c := range h.Checks {
		field := fmt.Sprintf("health.checks[%d]", i)
		checkName(field, c.Name, setNameRE, "lower-case letters, digits, _ and -", seen, i, add)
		if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			add(field+".url", "%q is not an http(s) URL", c.URL)
		}
		for j, s := range c.ExpectStatus {
			if s < 100 || s > 599 {
				add(fmt.Sprintf("%s.expect_status[%d]", field, j), "%d is not an HTTP status", s)
			}
		}
		if c.EdgeAddress != "" {
			if _, _, err := net.SplitHostPort(c.EdgeAddress); err != nil {
				add(field+".edge_address", "%q is not host:port", c.EdgeAddress)
			}
		}
		if c.Origin != nil {
			c.Origin.validate(field+".origin", add)
		}
	}
}

// validate checks the port and that address is a host or host:port.
func (o OriginCheck) validate(field string, add adder) {
	if o.Port < 1 || o.Port > 65535 {
		add(field+".port", "%d is not a port", o.Port)
	}
	host := o.Address
	if h, _, err := net.SplitHostPort(o.Address); err == nil {
		host = h
	}
	if strings.ContainsAny(host, "/ []") {
		add(field+".address", "%q is not a host or host:port", o.Address)
	}
}
