package daemon

import (
	"context"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// Diagnose is `flarewarden check`: a dry-run pass, for the detected
// addresses and the names still CNAMEs, then every health check. When the
// checks find the target of an on-failure CNAME down (as the Healer
// decides it, TakeoverDue), or an uplink's canary unreachable (as a first
// round of the UplinkTracker of uplinks judges it), a second dry-run pass
// plans the takeover or the failover `run` would make, and its report is
// returned. The probes run even when the pass failed; the error of the
// last pass is returned.
func Diagnose(ctx context.Context, rec *controller.Reconciler, p Prober, uplinks []UplinkCheck) (controller.Report, []controller.CheckResult, error) {
	rep, err := rec.RunOnce(ctx, controller.PassOptions{DryRun: true})
	results := p.Probe(ctx, controller.ProbeInput{Detection: rep.Detection, CNAMEs: rep.CNAMEs})
	onFailure, _ := TakeoverModes(rec.Names)
	takeover := failedCNAMEs(results, rep.CNAMEs, onFailure)
	tracker := NewUplinkTracker(uplinks)
	tracker.Observe(results, time.Now())
	if down := tracker.Down(); len(takeover) > 0 || len(down) > 0 {
		rep, err = rec.RunOnce(ctx, controller.PassOptions{DryRun: true, Takeover: takeover, UplinkDown: down})
	}
	return rep, results, err
}

// JudgeUplinks is the verdict of one detection and one health round on
// the uplinks, for a pass run on its own (reconcile): the uplinks whose
// canary Cloudflare cannot reach, and why, and the detection it made,
// for the pass to use (PassOptions.Detection). Both are nil without
// uplinks.
func JudgeUplinks(ctx context.Context, det controller.Detector, p Prober, uplinks []UplinkCheck) (map[string]string, *controller.Detection) {
	if len(uplinks) == 0 || p == nil {
		return nil, nil
	}
	d := det.Detect(ctx)
	results := p.Probe(ctx, controller.ProbeInput{Detection: d})
	tracker := NewUplinkTracker(uplinks)
	tracker.Observe(results, time.Now())
	return tracker.Down(), &d
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
