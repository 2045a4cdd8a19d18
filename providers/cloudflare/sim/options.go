package sim

import "time"

// Option configures a Server at construction.
type Option func(*Server)

// WithBatch enables (the default) or disables POST .../dns_records/batch.
// Disabled, the endpoint answers 404 code 7000 like any unknown route, as
// on an API that predates it.
func WithBatch(enabled bool) Option {
	return func(s *Server) { s.batch = enabled }
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
