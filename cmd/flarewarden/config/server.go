package config

import (
	"net"
	"strconv"
	"time"
)

// DefaultListen is the address of the HTTP endpoint when server.listen is
// not set.
const DefaultListen = "127.0.0.1:9090"

// Server configures the HTTP endpoint of `run` (health, readiness,
// metrics, status, reconcile trigger).
type Server struct {
	// Listen is host:port; an empty value disables the endpoint.
	Listen string `yaml:"listen"`
	// TokenFile names a file holding the bearer token that allows POST
	// /reconcile from a non-loopback client. The token is never in Config.
	TokenFile string `yaml:"token_file,omitempty"`
	// ReadyGrace is how long passes may keep failing before /readyz says
	// not ready.
	ReadyGrace Duration `yaml:"ready_grace"`

	listenSet bool // listen was written, possibly as ""
}

func (s *Server) applyDefaults() {
	if !s.listenSet {
		s.Listen = DefaultListen
	}
	s.ReadyGrace = orDur(s.ReadyGrace, 15*time.Minute)
}

func (s Server) validate(add adder) {
	if s.Listen != "" {
		_, port, err := net.SplitHostPort(s.Listen)
		n, perr := strconv.Atoi(port)
		if err != nil || perr != nil || n < 0 || n > 65535 {
			add("server.listen", "%q is not host:port (an empty value disables the endpoint)", s.Listen)
		}
	}
	if s.ReadyGrace < 0 {
		add("server.ready_grace", "must not be negative")
	}
}
