package waf

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
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

// accessKey is the identity of an access rule's value: the masked prefix
// of an address or CIDR (so "2001:DB8::1" and "2001:db8::1" are one), the
// lower-cased value otherwise (ASN, country).
func accessKey(value string) string {
	if p, err := ParsePrefixOrAddr(value); err == nil {
		return p.String()
	}
	return strings.ToLower(value)
}

// PlanAccessRules plans a zone's owned allow rules against every IP Access
// Rule of the zone, whatever its mode. Its contract:
//   - one allow rule per source prefix of each usable set, its notes the
//     marker, "; " and the set name; a rule is owned when its notes carry
//     the marker;
//   - a foreign rule (any mode) is never changed or deleted. One for the
//     same address or CIDR stops the create (the API refuses a duplicate):
//     an allow rule already does the job, any other mode is warned about,
//     naming the mode and the value;
//   - an owned rule whose mode was changed by hand is set back to allow
//     (update), except under create-only, which warns;
//   - an owned rule whose value no usable set wants is deleted under sync
//     only, unless it belongs to a set that is not usable now (its rules are
//     kept as they are).
func PlanAccessRules(zone controller.Zone, desired []DesiredAccessRule, observed []controller.AccessRule, p controller.Policy) ([]controller.AccessRuleChange, []controller.Warning) {
	ap := &accessPlan{zone: zone, policy: p, observed: observed, byKey: indexAccessRules(observed, p),
		wanted: map[string]bool{}, protected: map[string]bool{}}
	for _, d := range desired {
		if why := d.Set.Usable(); why != "" {
			ap.warn(d.Name, "access rules kept as they are: "+why)
			ap.protected[accessNotes(p.Marker, d.Name)] = true
			continue
		}
		for _, pfx := range d.Set.Prefixes {
			ap.ensure(d.Name, pfx)
		}
	}
	ap.deleteUnwanted()
	return ap.changes, ap.warnings
}

// accessPlan accumulates the access rule changes of one zone.
type accessPlan struct {
	zone      controller.Zone
	policy    controller.Policy
	observed  []controller.AccessRule
	byKey     map[string]accessMatch // observed, by accessKey
	wanted    map[string]bool        // by accessKey
	protected map[string]bool        // notes of sets that are not usable now
	changes   []controller.AccessRuleChange
	warnings  []controller.Warning
}

func (ap *accessPlan) warn(name, msg string) {
	ap.warnings = append(ap.warnings, controller.Warning{Zone: ap.zone.Name, Name: name, Message: msg})
}

func (ap *accessPlan) add(action controller.Action, rule controller.AccessRule, reason string) {
	ap.changes = append(ap.changes, controller.AccessRuleChange{Action: action, Zone: ap.zone, Rule: rule, Reason: reason})
}

// ensure makes sure an allow rule for pfx exists, for the set named set.
func (ap *accessPlan) ensure(set string, pfx netip.Prefix) {
	target, value := AccessTarget(pfx)
	key := accessKey(value)
	if ap.wanted[key] {
		return
	}
	ap.wanted[key] = true
	m := ap.byKey[key]
	switch {
	case m.own != nil:
		ap.restoreMode(*m.own)
	case m.foreign != nil && m.foreign.Mode != AccessRuleMode:
		ap.warn(value, fmt.Sprintf("a hand-made ip access rule with mode %s already exists for %s; "+
			"allow rule not created (flarewarden never changes rules it does not own)", m.foreign.Mode, value))
	case m.foreign != nil:
		// A hand-made allow rule already does the job.
	default:
		rule := controller.AccessRule{Mode: AccessRuleMode, Target: target, Value: value, Notes: accessNotes(ap.policy.Marker, set)}
		ap.add(controller.ActionCreate, rule, "allow source of "+set)
	}
}

// accessMatch is the observed owned rule and the observed foreign rule of
// one access key; each may be nil.
type accessMatch struct{ own, foreign *controller.AccessRule }

// indexAccessRules maps the accessKey of each observed rule to its
// matches, parsing each value once. Of several owned (or foreign) rules
// with one key, the last observed is the match. The pointers point into
// observed.
func indexAccessRules(observed []controller.AccessRule, p controller.Policy) map[string]accessMatch {
	idx := make(map[string]accessMatch, len(observed))
	for i := range observed {
		r := &observed[i]
		key := accessKey(r.Value)
		m := idx[key]
		if p.OwnsText(r.Notes) {
			m.own = r
		} else {
			m.foreign = r
		}
		idx[key] = m
	}
	return idx
}

// restoreMode sets an owned rule whose mode was edited back to allow.
func (ap *accessPlan) restoreMode(r controller.AccessRule) {
	if r.Mode == AccessRuleMode {
		return
	}
	if ap.policy.Mode == controller.ModeCreateOnly {
		ap.warn(r.Value, fmt.Sprintf("owned access rule has mode %s; policy create-only leaves it", r.Mode))
		return
	}
	reason := fmt.Sprintf("mode %s set by hand, restored to %s", r.Mode, AccessRuleMode)
	r.Mode = AccessRuleMode
	ap.add(controller.ActionUpdate, r, reason)
}

// deleteUnwanted removes owned rules no usable set wants (sync only).
func (ap *accessPlan) deleteUnwanted() {
	for _, r := range ap.observed {
		if !ap.policy.OwnsText(r.Notes) || ap.wanted[accessKey(r.Value)] || ap.protected[r.Notes] {
			continue
		}
		if ap.policy.Mode != controller.ModeSync {
			ap.warn(r.Value, fmt.Sprintf("owned access rule no longer configured; policy %s keeps it", ap.policy.Mode))
			continue
		}
		ap.add(controller.ActionDelete, r, "source removed from the config")
	}
}
