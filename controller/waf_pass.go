package controller

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"
)

// zoneWAF is the WAF state of one zone during a pass.
type zoneWAF struct {
	zone    Zone
	skip    []DesiredSkipRule
	access  []DesiredAccessRule
	ruleset Ruleset
	level   string
	// observedAccess holds every IP Access Rule of the zone (all modes)
	// when access rules are configured.
	observedAccess []AccessRule
	// unread is set when the zone's WAF state could not be read: nothing
	// is planned, written or reported for it. A failed write does not set
	// it: the zone is still reported.
	unread bool
}

// wafPass is the WAF part of one pass.
type wafPass struct {
	zones []*zoneWAF
	lists []DesiredIPList
}

func (w *wafPass) zoneFor(z Zone) *zoneWAF {
	for _, zw := range w.zones {
		if zw.zone.ID == z.ID {
			return zw
		}
	}
	zw := &zoneWAF{zone: z}
	w.zones = append(w.zones, zw)
	return zw
}

// desireWAF resolves every configured source list and assigns the desired
// rules to their zones.
func (r *Reconciler) desireWAF(ctx context.Context, det Detection, visible, managed []Zone, rep *Report) (*wafPass, []error) {
	w := &wafPass{}
	var errs []error
	resolve := func(field string) SourceSet {
		set := r.Sources.Resolve(ctx, field, det)
		rep.Sources[field] = set
		r.warnStale(field, set, rep)
		return set
	}
	for _, s := range r.WAF.SkipRules {
		zones, zerrs := wafZones(s.Field, s.Zones, visible, managed)
		errs = append(errs, zerrs...)
		d := DesiredSkipRule{Name: s.Name, Set: resolve(s.Field), Skip: s.Skip, Log: s.Log}
		for _, z := range zones {
			zw := w.zoneFor(z)
			zw.skip = append(zw.skip, d)
		}
	}
	for _, a := range r.WAF.AccessRules {
		zones, zerrs := wafZones(a.Field, a.Zones, visible, managed)
		errs = append(errs, zerrs...)
		d := DesiredAccessRule{Name: a.Name, Set: resolve(a.Field)}
		for _, z := range zones {
			zw := w.zoneFor(z)
			zw.access = append(zw.access, d)
		}
	}
	if r.WAF.manageSkip() || r.WAF.manageAccess() || r.WAF.ReportUnderAttack {
		for _, z := range managed {
			w.zoneFor(z)
		}
	}
	for _, l := range r.WAF.IPLists {
		w.lists = append(w.lists, DesiredIPList{AccountID: l.AccountID, Name: l.Name, Set: resolve(l.Field)})
	}
	return w, errs
}

// observeZone reads what the configured WAF kinds need: the zone's custom
// rules, its security level, its IP Access Rules. A failed read marks the
// zone unread: nothing is planned for it.
func (r *Reconciler) observeZone(ctx context.Context, zw *zoneWAF) error {
	var err error
	if r.WAF.manageSkip() || r.WAF.ReportUnderAttack {
		if zw.ruleset, err = r.Rulesets.Entrypoint(ctx, zw.zone); err != nil {
			return withContext(err, "read custom rules of zone "+zw.zone.Name)
		}
	}
	if r.WAF.ReportUnderAttack {
		if zw.level, err = r.Settings.SecurityLevel(ctx, zw.zone); err != nil {
			return withContext(err, "read security level of zone "+zw.zone.Name)
		}
	}
	if r.WAF.manageAccess() {
		if zw.observedAccess, err = r.Access.AccessRules(ctx, zw.zone); err != nil {
			return withContext(err, "read ip access rules of zone "+zw.zone.Name)
		}
	}
	return nil
}

// planWAF observes and plans every zone and list, adding the changes and
// warnings to the report's plan.
func (r *Reconciler) planWAF(ctx context.Context, w *wafPass, rep *Report) []error {
	var errs []error
	for _, zw := range w.zones {
		if err := r.observeZone(ctx, zw); err != nil {
			zw.unread = true
			addOnce(&rep.WAFFailed, zw.zone.Name)
			errs = append(errs, err)
			continue
		}
		if r.WAF.manageSkip() {
			rules, warns := PlanRules(zw.zone, zw.skip, zw.ruleset, r.Policy)
			rep.Plan.Rules = append(rep.Plan.Rules, rules...)
			rep.Plan.Warnings = append(rep.Plan.Warnings, warns...)
		}
		if r.WAF.manageAccess() {
			access, warns := PlanAccessRules(zw.zone, zw.access, zw.observedAccess, r.Policy)
			rep.Plan.AccessRules = append(rep.Plan.AccessRules, access...)
			rep.Plan.Warnings = append(rep.Plan.Warnings, warns...)
		}
	}
	for _, d := range w.lists {
		observed, err := r.Lists.IPList(ctx, d.AccountID, d.Name)
		if err != nil {
			errs = append(errs, withContext(err, fmt.Sprintf("read ip list %s of account %s", d.Name, d.AccountID)))
			continue
		}
		items, warns := PlanListItems(d, observed, r.Policy)
		rep.Plan.ListItems = append(rep.Plan.ListItems, items...)
		rep.Plan.Warnings = append(rep.Plan.Warnings, warns...)
	}
	return errs
}

// applyWAF writes the WAF changes zone by zone, then list by list. A
// failure (such as the Free plan's rule limit) is reported and the rest
// goes on: within a zone too, a failed skip rule write does not stop the
// zone's IP Access Rules.
func (r *Reconciler) applyWAF(ctx context.Context, w *wafPass, p PlanResult, rep *Report) []error {
	var errs []error
	for _, zw := range w.zones {
		if err := r.applyZone(ctx, zw, p); err != nil {
			addOnce(&rep.WAFFailed, zw.zone.Name)
			errs = append(errs, err)
		}
	}
	for _, d := range w.lists {
		if err := r.applyList(ctx, d, filterList(p.ListItems, d)); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// applyZone writes a zone's planned skip rule and IP Access Rule changes.
// Access rules are written even when the skip rules failed: they are the
// Free plan's way around its custom rule limit. It returns both failures,
// joined.
func (r *Reconciler) applyZone(ctx context.Context, zw *zoneWAF, p PlanResult) error {
	ruleErr := r.applySkipRules(ctx, zw, filterZone(p.Rules, zw.zone, func(c RuleChange) Zone { return c.Zone }))
	accessErr := r.applyAccessRules(ctx, zw, filterZone(p.AccessRules, zw.zone, func(c AccessRuleChange) Zone { return c.Zone }))
	return errors.Join(ruleErr, accessErr)
}

// applySkipRules writes a zone's skip rule changes. On success the zone's
// ruleset becomes what was written; on failure it stays as read (the
// security report then errs towards "not exempted").
func (r *Reconciler) applySkipRules(ctx context.Context, zw *zoneWAF, rules []RuleChange) error {
	if len(rules) == 0 {
		return nil
	}
	if err := r.Rulesets.ApplyRules(ctx, zw.zone, rules); err != nil {
		return withContext(err, "apply skip rules in zone "+zw.zone.Name)
	}
	zw.ruleset = appliedRules(zw.ruleset, rules)
	for _, c := range rules {
		r.Log.Info("skip rule changed", zap.String("zone", zw.zone.Name), zap.String("ref", c.Rule.Ref),
			zap.String("action", string(c.Action)), zap.String("reason", c.Reason))
	}
	return nil
}

// applyAccessRules writes a zone's IP Access Rule changes.
func (r *Reconciler) applyAccessRules(ctx context.Context, zw *zoneWAF, access []AccessRuleChange) error {
	if len(access) == 0 {
		return nil
	}
	if err := r.Access.ApplyAccessRules(ctx, zw.zone, access); err != nil {
		return withContext(err, "apply ip access rules in zone "+zw.zone.Name)
	}
	r.Log.Info("ip access rules changed", zap.String("zone", zw.zone.Name), zap.Int("changes", len(access)))
	return nil
}

// applyList writes the changes of one account IP list.
func (r *Reconciler) applyList(ctx context.Context, d DesiredIPList, items []ListItemChange) error {
	if len(items) == 0 {
		return nil
	}
	if err := r.Lists.ApplyIPList(ctx, items[0].List, items); err != nil {
		return withContext(err, fmt.Sprintf("apply %d changes to ip list %s", len(items), d.Name))
	}
	r.Log.Info("ip list changed", zap.String("list", d.Name), zap.Int("changes", len(items)))
	return nil
}

func filterZone[T any](cs []T, z Zone, zoneOf func(T) Zone) []T {
	var out []T
	for _, c := range cs {
		if zoneOf(c).ID == z.ID {
			out = append(out, c)
		}
	}
	return out
}

func filterList(cs []ListItemChange, d DesiredIPList) []ListItemChange {
	var out []ListItemChange
	for _, c := range cs {
		if c.List.AccountID == d.AccountID && c.List.Name == d.Name {
			out = append(out, c)
		}
	}
	return out
}

// appliedRules returns the ruleset as it is after the changes were
// written (order aside: only membership and content matter to callers).
// Rules are matched by id, not ref: deleting an owned duplicate leaves the
// kept rule with the same ref in place.
func appliedRules(rs Ruleset, changes []RuleChange) Ruleset {
	out := Ruleset{ID: rs.ID}
	gone := map[string]bool{}
	for _, c := range changes {
		if id := changedID(c); id != "" {
			gone[id] = true
		}
	}
	for _, r := range rs.Rules {
		if !gone[r.ID] {
			out.Rules = append(out.Rules, r)
		}
	}
	for _, c := range changes {
		if c.Action != ActionDelete {
			out.Rules = append(out.Rules, c.Rule)
		}
	}
	return out
}

// changedID is the id of the existing rule a change replaces or deletes,
// "" for a create.
func changedID(c RuleChange) string {
	switch {
	case c.Action == ActionCreate:
		return ""
	case c.Rule.ID != "":
		return c.Rule.ID
	case c.Before != nil:
		return c.Before.ID
	}
	return ""
}
