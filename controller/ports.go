package controller

import "context"

// Detector finds the public addresses of this host. It never fails as a
// whole: a family whose sources fail or disagree comes back StateUnknown.
type Detector interface {
	Detect(ctx context.Context) Detection
}

// DNS is the part of Cloudflare the reconciler reads and writes. An error
// of this port or of the WAF ports that names its failed request and where
// it went (with a FailedRequest() string method) is reported as is; any
// other is prefixed with what the reconciler was doing and in which zone.
type DNS interface {
	// Zones returns the zones the credentials can see.
	Zones(ctx context.Context) ([]Zone, error)
	// Records returns every record of the zone (all types), in as few list
	// calls as the API allows.
	Records(ctx context.Context, zone Zone) ([]Record, error)
	// Apply writes the changes of one zone. Changes of one name are applied
	// atomically (a CNAME takeover has no window without a record).
	Apply(ctx context.Context, zone Zone, changes []Change) error
}

// WAF is the WAF step of a pass (package waf): rules, not records. RunOnce
// runs it after planning DNS: Plan resolves its sources, reads what it
// needs in the zones and adds its changes, warnings, resolved sources and
// unreadable zones to rep; the WAFPlan it returns (nil: nothing to do)
// writes them after the DNS writes, unless the pass is a dry run, and
// reports each zone's security level either way.
type WAF interface {
	Plan(ctx context.Context, in WAFInput, rep *Report) (WAFPlan, []error)
}

// WAFInput is what the WAF step gets from the pass: the detection, every
// zone the token sees, the zones of the managed names, the policy, and the
// addresses the plan gives each managed name.
type WAFInput struct {
	Detection Detection
	Zones     []Zone
	Managed   []Zone
	Policy    Policy
	Names     map[string]NameAddrs
}

// SourceInput is what a pass's WAF sources are resolved from: the
// detection ("self", "self_prefix") and the addresses the plan gives each
// managed name ("host:NAME").
type SourceInput struct {
	Detection Detection
	Names     map[string]NameAddrs
}

// WAFPlan is the WAF step's plan for one pass.
type WAFPlan interface {
	// Apply writes the WAF changes of rep.Plan, recording failed zones in
	// rep.WAFFailed.
	Apply(ctx context.Context, rep *Report) []error
	// ReportSecurity adds each read zone's security level and exemptions
	// to rep.Security.
	ReportSecurity(rep *Report)
}
