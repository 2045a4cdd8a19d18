package controller

import (
	"time"
)

// Class is the diagnosis of one probe of a site.
type Class string

// Edge probe classes. Each comes with an operator's explanation and hint.
const (
	ClassOK                Class = "ok"
	ClassOriginDNSError    Class = "origin_dns_error"   // 530 with 1016: Cloudflare cannot resolve the origin
	ClassOriginDown        Class = "origin_down"        // 521: the origin refused the connection
	ClassOriginTimeout     Class = "origin_timeout"     // 522/524: connection or answer timed out
	ClassOriginUnreachable Class = "origin_unreachable" // 523: no route to the origin
	ClassOriginTLS         Class = "origin_tls"         // 525/526: TLS handshake or certificate
	ClassOriginError       Class = "origin_error"       // 520, or a 5xx from the origin itself
	ClassChallenged        Class = "challenged"         // cf-mitigated: challenge
	ClassBlocked           Class = "blocked"            // a Cloudflare block page (1020 and co)
	ClassNotCloudflare     Class = "not_cloudflare"     // no server: cloudflare / cf-ray: not proxied or elsewhere
	ClassUnexpected        Class = "unexpected_status"  // served through Cloudflare, status not expected
	ClassTimeout           Class = "timeout"            // no answer at all within the timeout
	ClassTLS               Class = "tls"                // TLS to the edge failed
	ClassDNS               Class = "dns"                // the hostname does not resolve
	ClassDDNSTargetDown    Class = "ddns_target_down"   // the CNAME target of a managed name does not resolve
)

// Diagnosis is a class with its explanation and hint, in an operator's words.
type Diagnosis struct {
	Class  Class `json:"class"`
	Status int   `json:"status,omitempty"`
	// Code is the Cloudflare error code (1xxx) of the edge's own error
	// page, 0 when the answer carries none (a code shown inside a
	// challenge page or the origin's page is not one).
	Code        int    `json:"code,omitempty"`
	Explanation string `json:"explanation"`
	Hint        string `json:"hint,omitempty"`
}

// Origin probe outcomes.
const (
	OriginOK      = "ok"
	OriginRefused = "refused" // nothing listens, or a firewall rejects
	OriginReset   = "reset"   // reset right after the request: an IPS/firewall dropping the source
	OriginTimeout = "timeout"
	OriginTLS     = "tls"
	OriginStatus  = "status" // answered, with a status not expected
	OriginSkipped = "skipped"
)

// OriginResult is the direct probe of the origin at its address.
type OriginResult struct {
	Outcome     string `json:"outcome"`
	Address     string `json:"address"`
	Status      int    `json:"status,omitempty"`
	Explanation string `json:"explanation"`
}

// DNSResult is the probe of a managed name that is still a CNAME.
type DNSResult struct {
	Name     string `json:"name"`
	Target   string `json:"target"`
	Resolved bool   `json:"resolved"`
	Err      string `json:"error,omitempty"`
}

// CheckResult is one health check's outcome.
type CheckResult struct {
	Check  string        `json:"check"`
	Host   string        `json:"host"`
	Edge   Diagnosis     `json:"edge"`
	Origin *OriginResult `json:"origin,omitempty"`
	DNS    *DNSResult    `json:"dns,omitempty"`
	At     time.Time     `json:"at"`
}

// Class returns the check's overall class: ddns_target_down when a CNAME
// target does not resolve from here and the edge answers 1016 (it cannot
// resolve the origin either); else the edge class. Any other edge failure
// with the target unresolved here is this host's outage (network or
// resolver), not the DDNS provider's, and keeps the edge class.
func (c CheckResult) Class() Class {
	if c.DNS != nil && !c.DNS.Resolved && c.Edge.Class == ClassOriginDNSError {
		return ClassDDNSTargetDown
	}
	return c.Edge.Class
}

// Healthy reports whether the check passed.
func (c CheckResult) Healthy() bool { return c.Class() == ClassOK }

// ProbeInput is what the probes need from the last pass.
type ProbeInput struct {
	Detection Detection
	// CNAMEs maps managed names that are still CNAMEs to their targets.
	CNAMEs map[string]string
}

// EventKind says what an Event reports. Its string is the event's JSON
// "kind", which webhook receivers match on: a kind is never renamed.
type EventKind string

// Event kinds. Every notification target decides, for each kind in
// EventKinds, whether it delivers or ignores it.
const (
	EventHealth    EventKind = "health"     // a health check changed class, or still fails
	EventChange    EventKind = "change"     // a pass changed records or rules
	EventPassStart EventKind = "pass_start" // a reconcile pass started
	EventPassOK    EventKind = "pass_ok"    // a reconcile pass succeeded
	EventPassFail  EventKind = "pass_fail"  // a reconcile pass failed
	EventUplink    EventKind = "uplink"     // an uplink went down or came back up
)

// EventKinds lists every event kind, in a stable order.
var EventKinds = []EventKind{EventHealth, EventChange, EventPassStart, EventPassOK, EventPassFail, EventUplink}

// Event is something worth telling a human: a health transition, records
// changed, a pass started, succeeded or failed. It never carries a secret.
type Event struct {
	Kind    EventKind `json:"kind"`
	Check   string    `json:"check,omitempty"`
	Host    string    `json:"host,omitempty"`
	Zone    string    `json:"zone,omitempty"`
	From    Class     `json:"from,omitempty"`
	To      Class     `json:"to,omitempty"`
	Healthy bool      `json:"healthy"`
	Summary string    `json:"summary"`
	Detail  string    `json:"detail,omitempty"`
	Hint    string    `json:"hint,omitempty"`
	At      time.Time `json:"at"`
}

// Classes lists every health check class, in a stable order.
var Classes = []Class{
	ClassOK, ClassOriginDNSError, ClassOriginDown, ClassOriginTimeout, ClassOriginUnreachable, ClassOriginTLS,
	ClassOriginError, ClassChallenged, ClassBlocked, ClassNotCloudflare, ClassUnexpected, ClassTimeout, ClassTLS,
	ClassDNS, ClassDDNSTargetDown,
}
