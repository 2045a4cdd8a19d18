package controller

import "fmt"

// withRef returns the rules of the working ruleset with that ref, in order.
// Only owned refs are asked for, so these are all flarewarden's.
func (rp *rulePlan) withRef(ref string) []Rule {
	var out []Rule
	for _, r := range rp.working {
		if r.Ref == ref {
			out = append(out, r)
		}
	}
	return out
}

// keeper chooses which of the owned rules with d's ref stays: the first
// that is already as desired (no write needed), else the first.
func keeper(copies []Rule, d DesiredSkipRule) Rule {
	if d.Set.usable() != "" {
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
func (rp *rulePlan) dropDuplicates(copies []Rule, keep Rule, d DesiredSkipRule) {
	for _, r := range copies {
		if r.ID == keep.ID {
			continue
		}
		why := ""
		switch {
		case d.Set.usable() != "":
			why = d.Set.usable()
		case rp.policy.Mode != ModeSync:
			why = fmt.Sprintf("policy %s does not delete it", rp.policy.Mode)
		}
		if why != "" {
			rp.warn(d.Ref(), fmt.Sprintf("duplicate skip rule %s %s kept: %s", r.ID, r.Expression, why))
			continue
		}
		rp.add(RuleChange{Action: ActionDelete, Rule: r, Before: ptrRule(r), Reason: "duplicate skip rule"})
		rp.remove(r.ID)
	}
}
