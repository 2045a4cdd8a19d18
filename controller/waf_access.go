package controller

import (
	"fmt"
	"net/netip"
	"strings"
)

// AccessRuleMode is the IP Access Rule mode flarewarden manages: allow.
const AccessRuleMode = "whitelist"

// AccessTarget returns the IP Access Rule target and value of a prefix:
// "ip"/"ip6" for one address, "ip_range" otherwise.
func AccessTarget(p netip.Prefix) (target, value string) {
	switch {
	case p.IsSingleIP() && p.Addr().Is4():
		return "ip", p.Addr().String()
	case p.IsSingleIP():
		return "ip6", p.Addr().String()
	}
	return "ip_range", p.String()
}

// accessNotes is the notes text of an owned access rule of the named set.
func accessNotes(marker, name string) string { return marker + "; " + name }

// PlanAccessRules plans a zone's owned allow rules: one per source prefix
// of each desired set, notes = marker + "; " + set name. A value some allow
// rule already has (owned or not) is not added again. An owned rule whose
// value no usable set wants is deleted under sync only, unless it belongs
// to a set that is not usable now (its rules are kept as they are).
func PlanAccessRules(zone Zone, desired []DesiredAccessRule, observed []AccessRule, p Policy) ([]AccessRuleChange, []Warning) {
	var changes []AccessRuleChange
	var warnings []Warning
	wanted := map[string]bool{}
	protected := map[string]bool{}
	for _, d := range desired {
		if why := d.Set.usable(); why != "" {
			warnings = append(warnings, Warning{Zone: zone.Name, Name: d.Name, Message: "access rules kept as they are: " + why})
			protected[accessNotes(p.Marker, d.Name)] = true
			continue
		}
		for _, pfx := range d.Set.Prefixes {
			target, value := AccessTarget(pfx)
			if !wanted[value] && !hasAllow(observed, value) {
				rule := AccessRule{Mode: AccessRuleMode, Target: target, Value: value, Notes: accessNotes(p.Marker, d.Name)}
				changes = append(changes, AccessRuleChange{Action: ActionCreate, Zone: zone, Rule: rule, Reason: "allow source of " + d.Name})
			}
			wanted[value] = true
		}
	}
	for _, r := range observed {
		if !p.ownsText(r.Notes) || wanted[r.Value] || protected[r.Notes] {
			continue
		}
		if p.Mode != ModeSync {
			warnings = append(warnings, Warning{Zone: zone.Name, Name: r.Value, Message: fmt.Sprintf("owned access rule no longer configured; policy %s keeps it", p.Mode)})
			continue
		}
		changes = append(changes, AccessRuleChange{Action: ActionDelete, Zone: zone, Rule: r, Reason: "source removed from the config"})
	}
	return changes, warnings
}

// hasAllow reports whether an allow rule for exactly this value exists.
func hasAllow(rules []AccessRule, value string) bool {
	for _, r := range rules {
		if r.Mode == AccessRuleMode && strings.EqualFold(r.Value, value) {
			return true
		}
	}
	return false
}
