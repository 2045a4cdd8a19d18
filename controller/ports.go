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
