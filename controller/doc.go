// Package controller is flarewarden's pass: one reconciliation of
// Cloudflare with this host's public addresses. Reconciler.RunOnce
// (pass.go) reads top to bottom:
//
//  1. detect: the Detector port gives each family's address, or says why
//     it is unknown (Detection, types.go); an unknown family keeps its
//     records;
//  2. observe: the DNS port lists the zones (one is chosen per name,
//     zones.go) and the records of the zones that hold managed names;
//  3. desire: the configured names, matched to their zones, and the
//     detected addresses (desired.go);
//  4. plan: Plan compares desired and observed state and returns the
//     changes and warnings, within the policy and the ownership marker
//     (plan.go; record.go builds records and CNAME takeovers); it is pure;
//  5. WAF: the WAF port (package waf) plans its rules after DNS and writes
//     them after the DNS writes;
//  6. apply and report: changes are written per zone through the DNS port
//     (atomically per name), failures are kept per zone, and the Report
//     (report.go) tells what the pass saw and did, and the state of each
//     managed name.
//
// The package holds the domain types every other package shares (types.go
// for records, zones, changes and detections, rules.go for WAF rules,
// health.go for health classes and events) and the ports the pass
// consumes (ports.go). It does no I/O of its own and imports no
// flarewarden package: providers implement the ports, package daemon runs
// passes over time, cmd/flarewarden wires them.
// Errors of a pass are wrapped with what it was doing (errtree.go), and
// IsSoft tells a retry-worthy failure from one that waits for the next
// scheduled pass.
package controller
