package waf

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

// zoneWAF is the WAF state of one zone during a pass.
type zoneWAF struct {
	zone    controller.Zone
	skip    []DesiredSkipRule
	access  []DesiredAccessRule
	ruleset controller.Ruleset
	level   string
	// observedAccess holds every IP Access Rule of the zone (all modes)
	// when access rules are configured.
	observedAccess []controller.AccessRule
	// unread is set when the zone's WAF state could not be read: nothing
	// is planned, written or reported for it. A failed write does not set
	// it: the zone is still reported.
	unread bool
}

// Step is the WAF step of a pass: it desires, observes, plans and applies
// the configured skip rules, IP Access Rules and IP lists, and reports each
// zone's security level. The pass (controller.Reconciler) composes it with
// the DNS step through the controller.WAF port. The ports are needed only
// for what Spec configures.
type Step struct {
	Spec     Spec
	Sources  SourceResolver
	Rulesets Rulesets
	Settings SecuritySettings
	Access   AccessRules
	Lists    IPLists
	Log      *zap.Logger
}

// wafPass is the WAF part of one pass: what Step.Plan read and planned,
// which its Apply writes and its ReportSecurity reports.
type wafPass struct {
	step   *Step
	policy controller.Policy
	zones  []*zoneWAF
	lists  []DesiredIPList
}

// Plan resolves every configured source list, reads the WAF state of the
// zones it concerns (in.Zones: every zone the token sees; in.Managed:
// those of the managed names) and plans its changes, adding the resolved
// sources, the changes, the warnings and the zones it could not read to
// rep. A Step whose Spec is empty plans nothing and returns nil.
func (s *Step) Plan(ctx context.Context, in controller.WAFInput, rep *controller.Report) (controller.WAFPlan, []error) {
	if s.Spec.Empty() {
		return nil, nil
	}
	w, errs := s.desire(ctx, in, rep)
	errs = append(errs, w.plan(ctx, rep)...)
	return w, errs
}

func (w *wafPass) zoneFor(z controller.Zone) *zoneWAF {
	for _, zw := range w.zones {
		if zw.zone.ID == z.ID {
			return zw
		}
	}
	zw := &zoneWAF{zone: z}
	w.zones = append(w.zones, zw)
	return zw
}

// desire resolves every configured source list and assigns the desired
// rules to their zones.
func (s *Step) desire(ctx context.Context, in controller.WAFInput, rep *controller.Report) (*wafPass, []error) {
	w := &wafPass{step: s, policy: in.Policy}
	var errs []error
	resolve := func(field string) controller.SourceSet {
		set := s.Sources.Resolve(ctx, field, controller.SourceInput{Detection: in.Detection, Names: in.Names})
		rep.Sources[field] = set
		s.warnStale(field, set, rep)
		return set
	}
	for _, sr := range s.Spec.SkipRules {
		zones, zerrs := wafZones(sr.Field, sr.Zones, in.Zones, in.Managed)
		errs = append(errs, zerrs...)
		d := DesiredSkipRule{Name: sr.Name, Set: resolve(sr.Field), Skip: sr.Skip, Log: sr.Log}
		for _, z := range zones {
			zw := w.zoneFor(z)
			zw.skip = append(zw.skip, d)
		}
	}
	for _, a := range s.Spec.AccessRules {
		zones, zerrs := wafZones(a.Field, a.Zones, in.Zones, in.Managed)
		errs = append(errs, zerrs...)
		d := DesiredAccessRule{Name: a.Name, Set: resolve(a.Field)}
		for _, z := range zones {
			zw := w.zoneFor(z)
			zw.access = append(zw.access, d)
		}
	}
	if s.Spec.manageSkip() || s.Spec.manageAccess() || s.Spec.ReportUnderAttack {
		for _, z := range in.Managed {
			w.zoneFor(z)
		}
	}
	for _, l := range s.Spec.IPLists {
		w.lists = append(w.lists, DesiredIPList{AccountID: l.AccountID, Name: l.Name, Set: resolve(l.Field)})
	}
	return w, errs
}

// observeZone reads what the configured WAF kinds need: the zone's custom
// rules, its security level, its IP Access Rules. A failed read marks the
// zone unread: nothing is planned for it.
func (s *Step) observeZone(ctx context.Context, zw *zoneWAF) error {
	var err error
	if s.Spec.manageSkip() || s.Spec.ReportUnderAttack {
		if zw.ruleset, err = s.Rulesets.Entrypoint(ctx, zw.zone); err != nil {
			return controller.WithContext(err, "read custom rules of zone "+zw.zone.Name)
		}
	}
	if s.Spec.ReportUnderAttack {
		if zw.level, err = s.Settings.SecurityLevel(ctx, zw.zone); err != nil {
			return controller.WithContext(err, "read security level of zone "+zw.zone.Name)
		}
	}
	if s.Spec.manageAccess() {
		if zw.observedAccess, err = s.Access.AccessRules(ctx, zw.zone); err != nil {
			return controller.WithContext(err, "read ip access rules of zone "+zw.zone.Name)
		}
	}
	return nil
}

// plan observes and plans every zone and list, adding the changes and
// warnings to the report's plan.
func (w *wafPass) plan(ctx context.Context, rep *controller.Report) []error {
	s := w.step
	var errs []error
	for _, zw := range w.zones {
		if err := s.observeZone(ctx, zw); err != nil {
			zw.unread = true
			rep.AddWAFFailed(zw.zone.Name)
			errs = append(errs, err)
			continue
		}
		if s.Spec.manageSkip() {
			rules, warns := PlanRules(zw.zone, zw.skip, zw.ruleset, w.policy)
			rep.Plan.Rules = append(rep.Plan.Rules, rules...)
			rep.Plan.Warnings = append(rep.Plan.Warnings, warns...)
		}
		if s.Spec.manageAccess() {
			access, warns := PlanAccessRules(zw.zone, zw.access, zw.observedAccess, w.policy)
			rep.Plan.AccessRules = append(rep.Plan.AccessRules, access...)
			rep.Plan.Warnings = append(rep.Plan.Warnings, warns...)
		}
	}
	for _, d := range w.lists {
		observed, err := s.Lists.IPList(ctx, d.AccountID, d.Name)
		if err != nil {
			errs = append(errs, controller.WithContext(err, fmt.Sprintf("read ip list %s of account %s", d.Name, d.AccountID)))
			continue
		}
		items, warns := PlanListItems(d, observed, w.policy)
		rep.Plan.ListItems = append(rep.Plan.ListItems, items...)
		rep.Plan.Warnings = append(rep.Plan.Warnings, warns...)
	}
	return errs
}

// Apply writes the WAF changes of rep's plan zone by zone, then list by
// list. A failure (such as the Free plan's rule limit) is reported and the
// rest goes on: within a zone too, a failed skip rule write does not stop
// the zone's IP Access Rules.
func (w *wafPass) Apply(ctx context.Context, rep *controller.Report) []error {
	s, p := w.step, rep.Plan
	var errs []error
	for _, zw := range w.zones {
		if err := s.applyZone(ctx, zw, p); err != nil {
			rep.AddWAFFailed(zw.zone.Name)
			errs = append(errs, err)
		}
	}
	for _, d := range w.lists {
		if err := s.applyList(ctx, d, filterList(p.ListItems, d)); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// applyZone writes a zone's planned skip rule and IP Access Rule changes.
// Access rules are written even when the skip rules failed: they are the
// Free plan's way around its custom rule limit. It returns both failures,
// joined.
func (s *Step) applyZone(ctx context.Context, zw *zoneWAF, p controller.PlanResult) error {
	ruleErr := s.applySkipRules(ctx, zw, filterZone(p.Rules, zw.zone, func(c controller.RuleChange) controller.Zone { return c.Zone }))
	accessErr := s.applyAccessRules(ctx, zw, filterZone(p.AccessRules, zw.zone, func(c controller.AccessRuleChange) controller.Zone { return c.Zone }))
	return errors.Join(ruleErr, accessErr)
}

// applySkipRules writes a zone's skip rule changes. On success the zone's
// ruleset becomes what was written; on failure it stays as read (the
// security report then errs towards "not exempted").
func (s *Step) applySkipRules(ctx context.Context, zw *zoneWAF, rules []controller.RuleChange) error {
	if len(rules) == 0 {
		return nil
	}
	if err := s.Rulesets.ApplyRules(ctx, zw.zone, rules); err != nil {
		return controller.WithContext(err, "apply skip rules in zone "+zw.zone.Name)
	}
	zw.ruleset = appliedRules(zw.ruleset, rules)
	for _, c := range rules {
		s.Log.Info("skip rule changed", zap.String("zone", zw.zone.Name), zap.String("ref", c.Rule.Ref),
			zap.String("action", string(c.Action)), zap.String("reason", c.Reason))
	}
	return nil
}

// applyAccessRules writes a zone's IP Access Rule changes.
func (s *Step) applyAccessRules(ctx context.Context, zw *zoneWAF, access []controller.AccessRuleChange) error {
	if len(access) == 0 {
		return nil
	}
	if err := s.Access.ApplyAccessRules(ctx, zw.zone, access); err != nil {
		return controller.WithContext(err, "apply ip access rules in zone "+zw.zone.Name)
	}
	s.Log.Info("ip access rules changed", zap.String("zone", zw.zone.Name), zap.Int("changes", len(access)))
	return nil
}

// applyList writes the changes of one account IP list.
func (s *Step) applyList(ctx context.Context, d DesiredIPList, items []controller.ListItemChange) error {
	if len(items) == 0 {
		return nil
	}
	if err := s.Lists.ApplyIPList(ctx, items[0].List, items); err != nil {
		return controller.WithContext(err, fmt.Sprintf("apply %d changes to ip list %s", len(items), d.Name))
	}
	s.Log.Info("ip list changed", zap.String("list", d.Name), zap.Int("changes", len(items)))
	return nil
}

func filterZone[T any](cs []T, z controller.Zone, zoneOf func(T) controller.Zone) []T {
	var out []T
	for _, c := range cs {
		if zoneOf(c).ID == z.ID {
			out = append(out, c)
		}
	}
	return out
}

func filterList(cs []controller.ListItemChange, d DesiredIPList) []controller.ListItemChange {
	var out []controller.ListItemChange
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
func appliedRules(rs controller.Ruleset, changes []controller.RuleChange) controller.Ruleset {
	out := controller.Ruleset{ID: rs.ID}
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
		if c.Action != controller.ActionDelete {
			out.Rules = append(out.Rules, c.Rule)
		}
	}
	return out
}

// changedID is the id of the existing rule a change replaces or deletes,
// "" for a create.
func changedID(c controller.RuleChange) string {
	switch {
	case c.Action == controller.ActionCreate:
		return ""
	case c.Rule.ID != "":
		return c.Rule.ID
	case c.Before != nil:
		return c.Before.ID
	}
	return ""
}
