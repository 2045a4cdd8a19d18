package waf

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// SourceResolver resolves a configured source list for one pass. The list
// is named by its config field ("waf.skip_rules[0]"); in gives "self",
// "self_prefix" and "host:NAME".
type SourceResolver interface {
	Resolve(ctx context.Context, list string, in controller.SourceInput) controller.SourceSet
}

// Spec is the configured WAF state.
type Spec struct {
	SkipRules   []SkipRuleSpec
	AccessRules []AccessRuleSpec
	IPLists     []IPListSpec
	// ReportUnderAttack reads each zone's security level every pass and
	// warns when it is under_attack.
	ReportUnderAttack bool
	// ManageSkipRules / ManageAccessRules reconcile the owned rules of that
	// kind in the zones of the managed names even when none is configured,
	// so that removing the last one from the config removes it.
	ManageSkipRules   bool
	ManageAccessRules bool
}

// Empty reports whether nothing WAF-related is configured.
func (w Spec) Empty() bool {
	return !w.manageSkip() && !w.manageAccess() && len(w.IPLists) == 0 && !w.ReportUnderAttack
}

func (w Spec) manageSkip() bool   { return w.ManageSkipRules || len(w.SkipRules) > 0 }
func (w Spec) manageAccess() bool { return w.ManageAccessRules || len(w.AccessRules) > 0 }

// SkipRuleSpec is one configured skip rule. Field names it in errors and
// in the SourceResolver; Zones empty means every zone with a managed record.
type SkipRuleSpec struct {
	Field string
	Name  string
	Zones []string
	Skip  controller.SkipParams
	Log   bool
	// Self is set when the rule's sources list "self", this host's own
	// address.
	Self bool
}

// SelfZones says where the skip rules exempt this host's own address: the
// zones that rules listing "self" name, and whether one of them names none
// (it applies in every zone of the managed names).
func (w Spec) SelfZones() (zones []string, everyManaged bool) {
	for _, r := range w.SkipRules {
		if !r.Self {
			continue
		}
		if len(r.Zones) == 0 {
			everyManaged = true
		}
		zones = append(zones, r.Zones...)
	}
	return zones, everyManaged
}

// AccessRuleSpec is one configured set of allow IP Access Rules.
type AccessRuleSpec struct {
	Field string
	Name  string
	Zones []string
}

// IPListSpec is one configured account IP list.
type IPListSpec struct {
	Field     string
	AccountID string
	Name      string
}

// wafZones resolves the zones a WAF entry applies to: the named ones, or
// by default the zones of the managed names. Unknown zone names are errors
// naming their field.
func wafZones(field string, names []string, visible, managed []controller.Zone) ([]controller.Zone, []error) {
	if len(names) == 0 {
		return managed, nil
	}
	var out []controller.Zone
	var errs []error
	for i, n := range names {
		j := slices.IndexFunc(visible, func(z controller.Zone) bool { return strings.EqualFold(z.Name, controller.NormalizeName(n)) })
		if j < 0 {
			errs = append(errs, fmt.Errorf("%s.zones[%d]: zone %s is not visible to the api token", field, i, controller.NormalizeName(n)))
			continue
		}
		out = append(out, visible[j])
	}
	return out, errs
}
