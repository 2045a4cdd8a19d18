package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.uber.org/zap"
)

// Reconciler runs passes: detect, observe, plan, apply. It holds no state
// between passes; Cloudflare is the source of truth.
type Reconciler struct {
	Detector Detector
	DNS      DNS
	Names    []NameSpec
	Policy   Policy
	Log      *zap.Logger

	// WAF is the WAF step (package waf), composed into every pass after
	// the DNS plan; nil when no WAF is configured.
	WAF WAF
}

// PassOptions tune one pass.
type PassOptions struct {
	// DryRun plans but writes nothing.
	DryRun bool
	// Takeover names the names whose CNAME is to be taken over in this
	// pass although their spec only allows it on failure.
	Takeover map[string]bool
	// UplinkDown maps the uplinks health checks hold down to why; an
	// uplink absent from it is up.
	UplinkDown map[string]string
	// Detection, when set, is used in place of a new detection: the one
	// the uplinks were just judged with (see daemon.JudgeUplinks).
	Detection *Detection
}

// RunOnce runs one pass. A zone whose records cannot be read gets no writes;
// a failure in one zone does not stop the others. The returned error joins
// every failure of the pass; the report is valid even when err != nil.
func (r *Reconciler) RunOnce(ctx context.Context, opt PassOptions) (Report, error) {
	rep := Report{DryRun: opt.DryRun, Sources: map[string]SourceSet{}}
	if opt.Detection != nil {
		rep.Detection = *opt.Detection
	} else {
		rep.Detection = r.Detector.Detect(ctx)
	}
	r.logDetection(rep.Detection)

	listed, err := r.DNS.Zones(ctx)
	if err != nil {
		return rep, WithContext(err, "list zones")
	}
	zones := r.chooseZones(listed)
	names, errs := MatchZones(r.Names, listed)
	rep.Zones, rep.NameZones = zoneNames(zones, names)
	allowTakeover(names, opt.Takeover)
	managed := distinctZones(names, func(n DesiredName) Zone { return n.Zone })
	observed, names, listErrs := r.observe(ctx, names, &rep)
	errs = append(errs, listErrs...)
	uplinks := UplinkViews(rep.Detection, opt.UplinkDown)
	rep.Uplinks = uplinkReports(uplinks)
	desired := Desired{Names: names, Addrs: DesiredFromDetection(rep.Detection), Uplinks: uplinks}
	rep.Plan = Plan(desired, observed, r.Policy)

	var waf WAFPlan
	if r.WAF != nil {
		var wafErrs []error
		in := WAFInput{Detection: rep.Detection, Zones: zones, Managed: managed, Policy: r.Policy, Names: desired.NameAddrs()}
		waf, wafErrs = r.WAF.Plan(ctx, in, &rep)
		errs = append(errs, wafErrs...)
	}
	r.logPlan(rep.Plan)
	if !opt.DryRun {
		errs = append(errs, r.apply(ctx, rep.Plan, &rep)...)
		if waf != nil {
			errs = append(errs, waf.Apply(ctx, &rep)...)
		}
	}
	if waf != nil {
		waf.ReportSecurity(&rep)
	}
	rep.CNAMEs = remainingCNAMEs(names, observed, rep.Plan, opt.DryRun, rep.Failed)
	return rep, errors.Join(errs...)
}

// chooseZones keeps one zone per name (see ChooseZones) and warns about
// every name listed more than once.
func (r *Reconciler) chooseZones(listed []Zone) []Zone {
	zones, choices := ChooseZones(listed)
	for _, c := range choices {
		if c.Ambiguous() {
			r.Log.Warn("zone listed more than once, none used", zap.String("zone", c.Name),
				zap.String("zone_ids", ZoneIDs(c.Listed)))
			continue
		}
		r.Log.Warn("zone listed more than once, using the active one", zap.String("zone", c.Name),
			zap.String("zone_id", c.Chosen.ID), zap.String("ignored_zone_ids", ZoneIDs(c.Ignored())))
	}
	return zones
}

// observe lists the records of every zone that holds a managed name, once
// per zone. Names of zones that could not be listed are dropped, so nothing
// is planned for them.
func (r *Reconciler) observe(ctx context.Context, names []DesiredName, rep *Report) ([]Record, []DesiredName, []error) {
	var observed []Record
	var errs []error
	listed := map[string]bool{}
	for _, z := range distinctZones(names, func(n DesiredName) Zone { return n.Zone }) {
		recs, err := r.DNS.Records(ctx, z)
		if err != nil {
			errs = append(errs, WithContext(err, "list dns records in zone "+z.Name))
			addOnce(&rep.Failed, z.Name)
			continue
		}
		listed[z.ID] = true
		observed = append(observed, recs...)
	}
	kept := slices.DeleteFunc(slices.Clone(names), func(n DesiredName) bool { return !listed[n.Zone.ID] })
	return observed, kept, errs
}

// apply writes the plan zone by zone.
func (r *Reconciler) apply(ctx context.Context, p PlanResult, rep *Report) []error {
	var errs []error
	byZone := p.ByZone()
	for _, z := range distinctZones(p.Changes, func(c Change) Zone { return c.Zone }) {
		changes := byZone[z.ID]
		if err := r.DNS.Apply(ctx, z, changes); err != nil {
			errs = append(errs, WithContext(err, fmt.Sprintf("apply %d changes in zone %s", len(changes), z.Name)))
			addOnce(&rep.Failed, z.Name)
			continue
		}
		for _, c := range changes {
			r.Log.Info("record changed", changeFields(c)...)
		}
	}
	return errs
}

// zoneNames returns the names of zones (never nil) and each name's zone.
func zoneNames(zones []Zone, names []DesiredName) ([]string, map[string]string) {
	all := make([]string, 0, len(zones))
	for _, z := range zones {
		all = append(all, z.Name)
	}
	byName := make(map[string]string, len(names))
	for _, n := range names {
		byName[n.Name] = n.Zone.Name
	}
	return all, byName
}

// addOnce appends zone to zones unless it is there already.

// distinctZones returns the distinct zones of items, in first-seen order.
func distinctZones[T any](items []T, zoneOf func(T) Zone) []Zone {
	var out []Zone
	seen := map[string]bool{}
	for _, it := range items {
		if z := zoneOf(it); !seen[z.ID] {
			seen[z.ID] = true
			out = append(out, z)
		}
	}
	return out
}

// allowTakeover turns takeover on for on-failure names the pass was asked
// to take over.
func allowTakeover(names []DesiredName, asked map[string]bool) {
	for i := range names {
		if names[i].TakeoverOnFailure && asked[names[i].Name] {
			names[i].TakeoverCNAME = true
		}
	}
}

// remainingCNAMEs lists the managed names that are CNAMEs after the pass:
// observed as CNAME and not deleted by the plan (a dry run, or a zone in
// dnsFailed, deletes nothing; a WAF failure does not undo a DNS write).
func remainingCNAMEs(names []DesiredName, observed []Record, p PlanResult, dryRun bool, dnsFailed []string) map[string]string {
	deleted := map[string]bool{}
	if !dryRun {
		for _, c := range p.Changes {
			if c.Action == ActionDelete && c.Type == TypeCNAME && !slices.Contains(dnsFailed, c.Zone.Name) {
				deleted[c.Before.ID] = true
			}
		}
	}
	index := indexRecords(observed)
	out := map[string]string{}
	for _, n := range names {
		for _, r := range ofType(index[recordKey{n.Zone.ID, n.Name}], TypeCNAME) {
			if !deleted[r.ID] {
				out[n.Name] = r.Content
			}
		}
	}
	return out
}

func (r *Reconciler) logDetection(d Detection) {
	for _, f := range Families {
		res := d.Get(f)
		switch res.State {
		case StateKnown:
			r.Log.Debug("address detected", zap.String("family", f.String()), zap.String("addr", res.Addr.String()))
		case StateUnknown:
			r.Log.Warn("address unknown, records kept", zap.String("family", f.String()), zap.String("reason", res.Reason))
		}
	}
}

func (r *Reconciler) logPlan(p PlanResult) {
	for _, w := range p.Warnings {
		r.Log.Warn("record left as is", zap.String("zone", w.Zone), zap.String("name", w.Name), zap.String("reason", w.Message))
	}
	r.Log.Info("plan ready", zap.Int("changes", p.Count()), zap.Int("dns_changes", len(p.Changes)),
		zap.Int("warnings", len(p.Warnings)))
}

func changeFields(c Change) []zap.Field {
	return []zap.Field{
		zap.String("zone", c.Zone.Name), zap.String("name", c.Name), zap.String("type", c.Type),
		zap.String("action", string(c.Action)), zap.String("old", c.Old()), zap.String("new", c.New()),
		zap.String("reason", c.Reason),
	}
}
