package daemon

import (
	"context"

	"github.com/flarewarden/flarewarden/controller"
)

// Diagnose is `flarewarden check`: a dry-run pass, for the detected
// addresses and the names still CNAMEs, then every health check. When the
// checks find the target of an on-failure CNAME down (as the Healer
// decides it, TakeoverDue), a second dry-run pass plans the takeover `run`
// would make, and its report is returned. The probes run even when the
// pass failed; the error of the last pass is returned.
func Diagnose(ctx context.Context, rec *controller.Reconciler, p Prober) (controller.Report, []controller.CheckResult, error) {
	rep, err := rec.RunOnce(ctx, controller.PassOptions{DryRun: true})
	results := p.Probe(ctx, controller.ProbeInput{Detection: rep.Detection, CNAMEs: rep.CNAMEs})
	onFailure, _ := TakeoverModes(rec.Names)
	if takeover := failedCNAMEs(results, rep.CNAMEs, onFailure); len(takeover) > 0 {
		rep, err = rec.RunOnce(ctx, controller.PassOptions{DryRun: true, Takeover: takeover})
	}
	return rep, results, err
}

// failedCNAMEs returns the names of onFailure still CNAMEs (in cnames)
// whose check found a DNS failure (origin_dns_error or ddns_target_down):
// those `run` takes over.
func failedCNAMEs(results []controller.CheckResult, cnames map[string]string, onFailure map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, r := range results {
		if TakeoverDue(r, cnames, onFailure) {
			out[r.Host] = true
		}
	}
	return out
}
