package waf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// PlanRules plans a zone's owned skip rules against its observed custom
// rules entrypoint. Its contract:
//   - only rules whose ref has RefPrefix are ever changed; foreign rules
//     are only used to compute positions;
//   - the desired rules end up first, in the given order (a skip rule only
//     skips what comes after it): created before the rule at their slot,
//     moved back there when someone reordered them;
//   - a rule whose sources are not usable (unknown, or empty) is kept as it
//     is (position aside) and not created;
//   - a zone without entrypoint gets one holding just the desired rules;
//   - owned rules no longer desired are deleted under sync only;
//   - of several owned rules with the same ref, one is kept and the
//     others are deleted under sync only (warned about otherwise), never
//     while the rule's sources are unusable;
//   - upsert-only never deletes; create-only only creates.
func PlanRules(zone controller.Zone, desired []DesiredSkipRule, observed controller.Ruleset, p controller.Policy) ([]controller.RuleChange, []controller.Warning) {
	rp := &rulePlan{zone: zone, policy: p}
	if observed.ID == "" {
		rp.createEntrypoint(desired)
		return rp.changes, rp.warnings
	}
	rp.rsID = observed.ID
	rp.working = slices.Clone(observed.Rules)
	rp.deleteStale(desired)
	slot := 0
	for _, d := range desired {
		if rp.place(slot, d) {
			slot++
		}
	}
	return rp.changes, rp.warnings
}

// rulePlan accumulates the changes of one zone while simulating the
// ruleset's order in working.
type rulePlan struct {
	zone     controller.Zone
	policy   controller.Policy
	rsID     string
	working  []controller.Rule
	changes  []controller.RuleChange
	warnings []controller.Warning
}

func (rp *rulePlan) warn(ref, msg string) {
	rp.warnings = append(rp.warnings, controller.Warning{Zone: rp.zone.Name, Name: ref, Message: msg})
}

func (rp *rulePlan) add(c controller.RuleChange) {
	c.Zone, c.RulesetID = rp.zone, rp.rsID
	rp.changes = append(rp.changes, c)
}

func (rp *rulePlan) createEntrypoint(desired []DesiredSkipRule) {
	for _, d := range desired {
		if why := d.Set.Usable(); why != "" {
			rp.warn(d.Ref(), "skip rule not created: "+why)
			continue
		}
		rp.add(controller.RuleChange{Action: controller.ActionCreate, Rule: d.rule(), Reason: "zone has no custom rules yet: create the entrypoint with the skip rule"})
	}
}

// deleteStale removes owned rules that are no longer configured.
func (rp *rulePlan) deleteStale(desired []DesiredSkipRule) {
	want := map[string]bool{}
	for _, d := range desired {
		want[d.Ref()] = true
	}
	for _, r := range slices.Clone(rp.working) {
		if !r.Owned() || want[r.Ref] {
			continue
		}
		if rp.policy.Mode != controller.ModeSync {
			rp.warn(r.Ref, fmt.Sprintf("skip rule is no longer configured; policy %s keeps it", rp.policy.Mode))
			continue
		}
		rp.add(controller.RuleChange{Action: controller.ActionDelete, Rule: r, Before: ptrRule(r), Reason: "skip rule removed from the config"})
		rp.remove(r.ID)
	}
}

// place makes the desired rule the one at index slot. It reports false
// when the rule neither exists nor can be created, so that it takes no slot.
// Other owned rules with its ref are duplicates: see dropDuplicates.
func (rp *rulePlan) place(slot int, d DesiredSkipRule) bool {
	copies := rp.withRef(d.Ref())
	if len(copies) == 0 {
		return rp.create(slot, d)
	}
	cur := keeper(copies, d)
	rp.dropDuplicates(copies, cur, d)
	idx := slices.IndexFunc(rp.working, func(r controller.Rule) bool { return r.ID == cur.ID })
	next := cur
	var reasons []string
	if why := d.Set.Usable(); why != "" {
		rp.warn(d.Ref(), "skip rule kept as it is: "+why)
	} else {
		next = d.rule()
		next.ID = cur.ID
		reasons = ruleDiff(cur, next)
	}
	rp.remove(cur.ID)
	var pos *controller.Position
	if idx != slot {
		pos = rp.positionAt(slot)
		reasons = append(reasons, fmt.Sprintf("moved back to position %d", slot+1))
	}
	rp.insert(slot, next)
	if len(reasons) == 0 {
		return true
	}
	if rp.policy.Mode == controller.ModeCreateOnly {
		rp.warn(d.Ref(), "skip rule differs ("+strings.Join(reasons, ", ")+"); policy create-only leaves it")
		return true
	}
	rp.add(controller.RuleChange{Action: controller.ActionUpdate, Rule: next, Before: ptrRule(cur), Position: pos, Reason: strings.Join(reasons, ", ")})
	return true
}

func (rp *rulePlan) create(slot int, d DesiredSkipRule) bool {
	if why := d.Set.Usable(); why != "" {
		rp.warn(d.Ref(), "skip rule not created: "+why)
		return false
	}
	r := d.rule()
	rp.add(controller.RuleChange{Action: controller.ActionCreate, Rule: r, Position: rp.positionAt(slot), Reason: fmt.Sprintf("missing skip rule, placed at position %d", slot+1)})
	rp.insert(slot, r)
	return true
}

// positionAt returns the position that puts a rule at index slot: before
// the rule now there, or nil (append) past the end.
func (rp *rulePlan) positionAt(slot int) *controller.Position {
	if slot < len(rp.working) {
		return &controller.Position{Before: rp.working[slot].ID}
	}
	return nil
}

func (rp *rulePlan) remove(id string) {
	rp.working = slices.DeleteFunc(rp.working, func(r controller.Rule) bool { return r.ID == id })
}

func (rp *rulePlan) insert(slot int, r controller.Rule) {
	rp.working = slices.Insert(rp.working, min(slot, len(rp.working)), r)
}

// ruleDiff names what differs between an observed owned rule and the
// desired one.
func ruleDiff(cur, next controller.Rule) []string {
	var out []string
	if cur.Expression != next.Expression {
		out = append(out, "sources changed")
	}
	if cur.Action != next.Action || !sameSkip(cur.Skip, next.Skip) {
		out = append(out, "action drift")
	}
	if cur.Description != next.Description || cur.Enabled != next.Enabled || cur.Logging != next.Logging {
		out = append(out, "settings drift")
	}
	return out
}

// sameSkip compares skip parameters as sets.
func sameSkip(a, b *controller.SkipParams) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Ruleset == b.Ruleset && sameSet(a.Phases, b.Phases) && sameSet(a.Products, b.Products)
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

func ptrRule(r controller.Rule) *controller.Rule { return &r }
