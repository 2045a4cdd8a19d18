package config

import (
	"fmt"
	"net"
	"strconv"
	"time"
)

// DefaultListen is the address of the HTTP endpoint when server.listen is
// not set.
const DefaultListen = "127.0.0.1:9090"

// EnvServerTokenFile overrides server.token_file, as CLOUDFLARE_API_TOKEN_FILE
// overrides cloudflare.api_token_file (systemd: a LoadCredential copy, %d/NAME).
const EnvServerTokenFile = "FLAREWARDEN_SERVER_TOKEN_FILE"

// Server configures the HTTP endpoint of `run` (health, readiness,
// metrics, status, reconcile trigger).
type Server struct {
	// Listen is host:port; an empty value disables the endpoint.
	Listen string `yaml:"listen"`
	// TokenFile names a file holding the bearer token that allows POST
	// /reconcile from a non-loopback client. The token is never in Config.
	TokenFile string `yaml:"token_file,omitempty"`
	// RequireToken makes POST /reconcile need the bearer token from every
	// client, loopback included (behind a sidecar or reverse proxy every
	// client looks like loopback). It needs a token file.
	RequireToken bool `yaml:"require_token"`
	// ReadyGrace is how long passes may keep failing before /readyz says
	// not ready.
	ReadyGrace Duration `yaml:"ready_grace"`

	listenSet bool // listen was written, possibly as ""
}

// RestartNeeded reports whether s and o differ in what the HTTP endpoint reads
// when it starts (listen, token_file, require_token); ready_grace is read
// at every readiness check.
func (s Server) RestartNeeded(o Server) bool {
	return s.Listen != o.Listen || s.TokenFile != o.TokenFile || s.RequireToken != o.RequireToken
}

func (s *Server) applyDefaults() {
	if !s.listenSet {
		s.Listen = DefaultListen
	}
	s.ReadyGrace = orDur(s.ReadyGrace, 15*time.Minute)
}

func (s Server) validate(add adder) {
	if s.Listen != "" {
		host, port, err := net.SplitHostPort(s.Listen)
		n, perr := strconv.Atoi(port)
		switch {
		case err != nil || perr != nil || n < 0 || n > 65535:
			add("server.listen", "%q is not host:port (an empty value disables the endpoint)", s.Listen)
		case host != "" && host != "localhost" && net.ParseIP(host) == nil:
			add("server.listen", "host %q must be an IP address, localhost or empty (every address)", host)
		}
	}
	if s.ReadyGrace < 0 {
		add("server.ready_grace", "must not be negative")
	}
}

// ResolveToken applies FLAREWARDEN_SERVER_TOKEN_FILE to s.TokenFile and
// reads the bearer token of POST /reconcile with readFile. Both `run` (at
// start) and `config validate` call it, so a token file the service cannot
// read, or an empty one, fails validation instead of a start. It returns ""
// when the endpoint is disabled (listen "") or no token file is set; with
// require_token a token file is then an error.
func (s *Server) ResolveToken(env Env, readFile func(string) ([]byte, error)) (string, error) {
	field := "server.token_file"
	if v, ok := env(EnvServerTokenFile); ok && v != "" {
		s.TokenFile, field = v, EnvServerTokenFile
	}
	if s.Listen == "" {
		return "", nil
	}
	if s.TokenFile == "" {
		if s.RequireToken {
			return "", fmt.Errorf("server.require_token: needs server.token_file (or %s)", EnvServerTokenFile)
		}
		return "", nil
	}
	return readTokenFile(field, s.TokenFile, readFile)
}
