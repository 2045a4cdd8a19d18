package waf

import (
	"net/netip"
	"slices"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

// securityStatus reports a zone's level and exemptions, from its custom
// rules as they are after this pass's writes.
func securityStatus(zw *zoneWAF) controller.SecurityStatus {
	st := controller.SecurityStatus{Zone: zw.zone.Name, Level: zw.level, UnderAttack: zw.level == controller.SecurityLevelUnderAttack}
	for _, d := range zw.skip {
		i := slices.IndexFunc(zw.ruleset.Rules, func(r controller.Rule) bool { return r.Ref == d.Ref() })
		var have []netip.Prefix
		exempting := false
		if i >= 0 {
			rule := zw.ruleset.Rules[i]
			have, _ = ParseSkipExpression(rule.Expression)
			exempting = rule.Enabled && rule.Skip != nil && slices.Contains(rule.Skip.Products, "securityLevel")
		}
		for _, src := range d.Set.Sources {
			ok := exempting && len(src.Prefixes) > 0 && Covers(have, src.Prefixes)
			st.Exemptions = append(st.Exemptions, controller.Exemption{Rule: d.Ref(), Source: src.Source, Exempted: ok})
		}
	}
	return st
}

// ReportSecurity fills the report's security statuses and warns about
// zones under attack. Every zone whose state was read is reported, also
// when its writes failed.
func (w *wafPass) ReportSecurity(rep *controller.Report) {
	for _, zw := range w.zones {
		if zw.unread || zw.level == "" {
			continue
		}
		st := securityStatus(zw)
		rep.Security = append(rep.Security, st)
		if !st.UnderAttack {
			continue
		}
		w.step.Log.Warn("zone is in under attack mode", zap.String("zone", st.Zone))
		for _, e := range st.Exemptions {
			if !e.Exempted {
				w.step.Log.Warn("script source not exempted from under attack challenges", zap.String("zone", st.Zone),
					zap.String("rule", e.Rule), zap.String("source", e.Source))
			}
		}
	}
}
