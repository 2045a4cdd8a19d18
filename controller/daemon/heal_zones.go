package daemon

import (
	"slices"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// SelfScope is where the configured skip rules list this host's own
// address ("self"). The zero value is no rule listing self.
type SelfScope struct {
	// Managed is set when a rule listing self names no zones: such a rule
	// applies to every zone with a managed record.
	Managed bool
	// Zones are the zones named by the rules listing self.
	Zones []string
}

// Any reports whether any rule lists self.
func (s SelfScope) Any() bool { return s.Managed || len(s.Zones) > 0 }

// covers reports whether a rule listing self applies to zone (normalized),
// given the zone of each managed name.
func (s SelfScope) covers(zone string, nameZones map[string]string) bool {
	same := func(z string) bool { return strings.EqualFold(controller.NormalizeName(z), zone) }
	if slices.ContainsFunc(s.Zones, same) {
		return true
	}
	if !s.Managed {
		return false
	}
	for _, z := range nameZones {
		if same(z) {
			return true
		}
	}
	return false
}

// hostZone returns the zone of host per a pass's report: the zone of the
// managed name host, else the longest of the zones the pass saw that holds
// host. It returns "" when no such zone is known.
func hostZone(rep *controller.Report, host string) string {
	if rep == nil {
		return ""
	}
	host = controller.NormalizeName(host)
	if z, ok := rep.NameZones[host]; ok {
		return controller.NormalizeName(z)
	}
	best := ""
	for _, z := range rep.Zones {
		if controller.InZone(host, z) && len(z) > len(best) {
			best = controller.NormalizeName(z)
		}
	}
	return best
}

// selfCoverage says, for each checked host, whether a skip rule listing
// self applies to the host's zone (covered), and whether the security
// report of rep for that zone has self exempted (exempted). A host is in
// neither when rep knows no zone of it, except that while no pass has
// listed the zones (rep nil, or its Zones nil) every host is covered when
// any rule lists self: a pass, which lists them, is then worth asking for.
func selfCoverage(results []controller.CheckResult, scope SelfScope, rep *controller.Report) (covered, exempted map[string]bool) {
	covered, exempted = map[string]bool{}, map[string]bool{}
	for _, r := range results {
		if rep == nil || rep.Zones == nil {
			covered[r.Host] = scope.Any()
			continue
		}
		if zone := hostZone(rep, r.Host); zone != "" {
			covered[r.Host] = scope.covers(zone, rep.NameZones)
			exempted[r.Host] = selfExempted(rep, zone)
		}
	}
	return covered, exempted
}

// selfExempted reports whether rep's security report for zone says a
// skip rule exempts self there.
func selfExempted(rep *controller.Report, zone string) bool {
	for _, st := range rep.Security {
		if strings.EqualFold(st.Zone, zone) &&
			slices.ContainsFunc(st.Exemptions, func(e controller.Exemption) bool { return e.Source == "self" && e.Exempted }) {
			return true
		}
	}
	return false
}
