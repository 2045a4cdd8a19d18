package sim

import (
	"context"
	"net/netip"
	"time"
)

// Option configures a Server at construction.
type Option func(*Server)

// WithBatch enables (the default) or disables POST .../dns_records/batch.
// Disabled, the endpoint answers 404 code 7000 like any unknown route, as
// on an API that predates it.
func WithBatch(enabled bool) Option {
	return func(s *Server) { s.batch = enabled }
}

// SetBatch enables or disables the batch endpoint of a running server, as
// WithBatch does at construction (a test's endpoint can then come back).
func (s *Server) SetBatch(enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batch = enabled
}

// WithMaxPerPage caps per_page of the DNS record list (default 5000);
// larger requests are clamped. Values below 1 are ignored.
func WithMaxPerPage(n int) Option {
	return func(s *Server) {
		if n >= 1 {
			s.maxPerPage = n
		}
	}
}

// WithBatchLimit sets the most operations (deletes+patches+puts+posts) one
// batch may carry (default 200, the Free plan's limit). Values below 1 are ignored.
func WithBatchLimit(n int) Option {
	return func(s *Server) {
		if n >= 1 {
			s.batchLimit = n
		}
	}
}

// WithClock sets the clock used for created_on and modified_on (default
// time.Now). Times are stored in UTC. A nil clock is ignored.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.clock = now
		}
	}
}

// WithRuleLimit caps the rules of each zone ruleset (default 0 = no limit;
// the Free plan allows 5 custom rules). A PUT, POST or Go API call that
// would leave more than n rules in the phase is a 400 (code 20217, message
// "exceeded maximum number of rules in the phase PHASE: n out of n").
// Negative values are ignored.
func WithRuleLimit(n int) Option {
	return func(s *Server) {
		if n >= 0 {
			s.ruleLimit = n
		}
	}
}

// WithBulkPolls sets how many polls of a list bulk operation answer
// "pending" (the first) or "running" (the others) before the poll that
// applies it and answers "completed" or "failed" (default 1). With 0 the
// first poll completes it. Either way an operation is applied only when it
// is polled: a client must poll at least once. Negative values are ignored.
func WithBulkPolls(n int) Option {
	return func(s *Server) {
		if n >= 0 {
			s.bulkPolls = n
		}
	}
}

// defaultOriginTimeout bounds the edge's origin connections by default.
const defaultOriginTimeout = 5 * time.Second

// WithOrigins makes the edge contact origins (see Edge): origins maps a
// public origin address, as a record or a resolved CNAME target holds it,
// to the local "host:port" where that origin really listens. Keys that are
// not IP addresses are ignored. Given even empty, the edge stops answering
// "ok from origin" by itself; SetOrigin changes the map later.
func WithOrigins(origins map[string]string) Option {
	return func(s *Server) {
		for ip, addr := range origins {
			s.setOrigin(ip, addr)
		}
		s.originsSet = true
	}
}

// WithOriginTimeout bounds, each, the edge's CNAME target resolution, its
// connection to an origin and the origin's answer (default 5s). Values
// below 1ns are ignored.
func WithOriginTimeout(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.originTimeout = d
		}
	}
}

// WithResolver sets how the edge resolves a CNAME target outside the
// simulated zones (tests back it with a DNS server on loopback). Without
// one such targets are not resolved while no origin is configured, and
// answer 530 error 1016 once one is. A nil resolver is ignored.
func WithResolver(resolve func(ctx context.Context, host string) ([]netip.Addr, error)) Option {
	return func(s *Server) {
		if resolve != nil {
			s.resolver = resolve
		}
	}
}
