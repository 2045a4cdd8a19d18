package controller

import (
	"slices"
	"strings"
)

// Report is what one pass saw and did.
type Report struct {
	Detection Detection  `json:"detection"`
	Plan      PlanResult `json:"plan"`
	DryRun    bool       `json:"dry_run"`
	// Failed lists the zones whose DNS record listing or DNS writes failed
	// in this pass: their records may not be as planned.
	Failed []string `json:"failed_zones,omitempty"`
	// WAFFailed lists the zones whose WAF reads or writes (skip rules, IP
	// Access Rules, security level) failed in this pass; their DNS records
	// are not concerned.
	WAFFailed []string `json:"waf_failed_zones,omitempty"`
	// Sources holds the resolved WAF source lists, by config field.
	Sources map[string]SourceSet `json:"waf_sources,omitempty"`
	// Security holds each WAF zone's security level and exemptions.
	Security []SecurityStatus `json:"security,omitempty"`
	// CNAMEs maps the managed names that are still CNAMEs after the pass
	// to their targets.
	CNAMEs map[string]string `json:"cnames,omitempty"`
	// Uplinks says, per configured uplink, whether the pass held it up.
	Uplinks []UplinkReport `json:"uplinks,omitempty"`
	// Zones names every zone the pass saw, nil when it could not list
	// them; NameZones maps each managed name to the name of its zone. The
	// healer finds a checked host's zone with them. They are left out of
	// the JSON, which stays about what the pass did.
	Zones     []string          `json:"-"`
	NameZones map[string]string `json:"-"`
}

// AddWAFFailed records that the WAF reads or writes of a zone failed.
func (rep *Report) AddWAFFailed(zone string) { addOnce(&rep.WAFFailed, zone) }

func addOnce(zones *[]string, zone string) {
	if !slices.Contains(*zones, zone) {
		*zones = append(*zones, zone)
	}
}

// RecordState is what the last pass says of one managed name: in_sync,
// changed (Actions lists what was done), cname (still a CNAME, to Target),
// failed (its zone could not be read or written), or unknown (no pass yet,
// or an enabled family's address is unknown: its records were kept as
// they were, not checked). Reason names the families whose address is
// unknown, whatever the state (it says why a CNAME was kept, too).
type RecordState struct {
	Name    string   `json:"name"`
	State   string   `json:"state"`
	Reason  string   `json:"reason,omitempty"`
	Target  string   `json:"target,omitempty"`
	Actions []string `json:"actions,omitempty"`
	// Uplinks says which uplinks the name follows and why, for a name
	// that follows uplinks.
	Uplinks string `json:"uplinks,omitempty"`
}

// RecordStates returns the state of each name (as configured) after the
// pass rep reports; a nil rep (no pass yet) makes every name unknown.
func (rep *Report) RecordStates(names []string) []RecordState {
	out := make([]RecordState, 0, len(names))
	for _, n := range names {
		name := NormalizeName(n)
		rs := RecordState{Name: name, State: "unknown"}
		if rep != nil {
			rep.stateOf(&rs)
		}
		out = append(out, rs)
	}
	return out
}

// stateOf sets rs's state from the pass.
func (rep *Report) stateOf(rs *RecordState) {
	rs.State = "in_sync"
	rs.Reason = unknownFamilies(rep.Detection)
	if i := slices.IndexFunc(rep.Plan.Follows, func(f Follow) bool { return f.Name == rs.Name }); i >= 0 {
		rs.Uplinks, rs.Reason = rep.Plan.Follows[i].Why, ""
		if strings.HasPrefix(rs.Uplinks, uplinksDownPrefix) {
			rs.Reason = uplinksDownPrefix
		}
	}
	if rs.Reason != "" {
		rs.State = "unknown"
	}
	for _, c := range rep.Plan.Changes {
		if c.Name == rs.Name {
			rs.State, rs.Actions = "changed", append(rs.Actions, string(c.Action)+" "+c.Type)
		}
	}
	if target, ok := rep.CNAMEs[rs.Name]; ok {
		rs.State, rs.Target = "cname", target
	}
	if slices.ContainsFunc(rep.Failed, func(z string) bool { return InZone(rs.Name, z) }) {
		rs.State = "failed"
	}
}

// unknownFamilies says which enabled families' addresses the detection
// left unknown ("ipv4, ipv6 address unknown"), or "".
func unknownFamilies(d Detection) string {
	var out []string
	for _, f := range Families {
		if d.Get(f).State == StateUnknown {
			out = append(out, f.String())
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, ", ") + " address unknown"
}
