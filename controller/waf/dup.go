package waf

import (
	"fmt"

	"github.com/flarewarden/flarewarden/controller"
)

// withRef returns the rules of the working ruleset with that ref, in order.
// Only owned refs are asked for, so these are all flarewarden's.
func (rp *rulePlan) withRef(ref string) []controller.Rule {
	var out []controller.Rule
	for _, r := range rp.working {
		if r.Ref == ref {
			out = append(out, r)
		}
	}
	return out
}

// keeper chooses which of the owned rules with d's ref stays: the first
// that is already as desired (no write needed), else the first.
func keeper(copies []controller.Rule, d DesiredSkipRule) controller.Rule {
	if d.Set.Usable() != "" {
		return copies[0]
	}
	want := d.rule()
	for _, r := range copies {
		want.ID = r.ID
		if len(ruleDiff(r, want)) == 0 {
			return r
		}
	}
	return copies[0]
}

// dropDuplicates deletes, under sync, the owned rules with d's ref other
// than keep: a second copy may still exempt an old address. Under another
// policy, or while d's sources are unusable (which copy is right cannot be
// told), they are kept with a warning.
func (rp *rulePlan) dropDuplicates(copies []controller.Rule, keep controller.Rule, d DesiredSkipRule) {
	for _, r := range copies {
		if r.ID == keep.ID {
			continue
		}
		why := ""
		switch {
		case d.Set.Usable() != "":
			why = d.Set.Usable()
		case rp.policy.Mode != controller.ModeSync:
			why = fmt.Sprintf("policy %s does not delete it", rp.policy.Mode)
		}
		if why != "" {
			rp.warn(d.Ref(), fmt.Sprintf("duplicate skip rule %s %s kept: %s", r.ID, r.Expression, why))
			continue
		}
		rp.add(controller.RuleChange{Action: controller.ActionDelete, Rule: r, Before: ptrRule(r), Reason: "duplicate skip rule"})
		rp.remove(r.ID)
	}
}
