package service

import (
	"slices"
	"strings"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// statusDoc is the JSON document of GET /status. It never holds a token:
// none is in the daemon's status, and every URL in it is cut to its scheme
// and host (see redactURLs).
type statusDoc struct {
	Ready       bool                            `json:"ready"`
	ReadyReason string                          `json:"ready_reason"`
	Leader      LeaderView                      `json:"leader"`
	Detection   *controller.Detection           `json:"detection,omitempty"`
	Records     []recordStatus                  `json:"records,omitempty"`
	Security    []controller.SecurityStatus     `json:"security,omitempty"`
	WAFSources  map[string]controller.SourceSet `json:"waf_sources,omitempty"`
	Health      []controller.CheckResult        `json:"health,omitempty"`
	LastPass    *passStatus                     `json:"last_pass,omitempty"`
}

// recordStatus is a managed name and what the last pass left it in:
// in_sync, changed (the pass wrote it), cname (still a CNAME, to Target),
// failed (its zone could not be read or written), or unknown (no pass yet,
// or an enabled family's address is unknown: its records were kept as
// they were, not checked). Reason names the families whose address is
// unknown, whatever the state (it says why a CNAME was kept, too).
type recordStatus struct {
	Name    string   `json:"name"`
	State   string   `json:"state"`
	Reason  string   `json:"reason,omitempty"`
	Target  string   `json:"target,omitempty"`
	Actions []string `json:"actions,omitempty"`
}

// passStatus is the last pass: when, whether it failed, and its plan.
type passStatus struct {
	At                time.Time             `json:"at"`
	OK                bool                  `json:"ok"`
	Error             string                `json:"error,omitempty"`
	LastOKAt          time.Time             `json:"last_ok_at,omitzero"`
	ConsecutiveFailed int                   `json:"consecutive_failed"`
	FailedZones       []string              `json:"failed_zones,omitempty"`
	WAFFailedZones    []string              `json:"waf_failed_zones,omitempty"`
	Plan              controller.PlanResult `json:"plan"`
}

// buildStatus assembles the status document from a run view.
func buildStatus(v RunView, now time.Time) statusDoc {
	doc := statusDoc{Leader: v.Election}
	doc.Ready, doc.ReadyReason = Readiness(v, now, v.grace())
	if v.Snap == nil {
		return doc
	}
	st := v.Snap
	doc.Health = st.Health
	if st.LastPass == nil {
		doc.Records = recordStates(v, nil)
		return doc
	}
	rep := st.LastPass
	doc.Detection, doc.Security, doc.WAFSources = &rep.Detection, rep.Security, rep.Sources
	doc.Records = recordStates(v, rep)
	doc.LastPass = &passStatus{At: st.LastPassAt, OK: st.LastPassErr == "", Error: st.LastPassErr, LastOKAt: st.LastOKAt,
		ConsecutiveFailed: st.ConsecFailed, FailedZones: rep.Failed, WAFFailedZones: rep.WAFFailed, Plan: rep.Plan}
	return doc
}

// recordStates derives each configured name's state from the last pass
// (rep nil: none yet).
func recordStates(v RunView, rep *controller.Report) []recordStatus {
	if v.Cfg == nil {
		return nil
	}
	out := make([]recordStatus, 0, len(v.Cfg.Records))
	for _, r := range v.Cfg.Records {
		name := controller.NormalizeName(r.Name)
		rs := recordStatus{Name: name, State: "unknown"}
		if rep != nil {
			rs.State = "in_sync"
			if rs.Reason = unknownFamilies(rep.Detection); rs.Reason != "" {
				rs.State = "unknown"
			}
			for _, c := range rep.Plan.Changes {
				if c.Name == name {
					rs.State, rs.Actions = "changed", append(rs.Actions, string(c.Action)+" "+c.Type)
				}
			}
			if target, ok := rep.CNAMEs[name]; ok {
				rs.State, rs.Target = "cname", target
			}
			if slices.ContainsFunc(rep.Failed, func(z string) bool { return controller.InZone(name, z) }) {
				rs.State = "failed"
			}
		}
		out = append(out, rs)
	}
	return out
}

// unknownFamilies says which enabled families' addresses the detection
// left unknown ("ipv4, ipv6 address unknown"), or "".
func unknownFamilies(d controller.Detection) string {
	var out []string
	for _, f := range []controller.Family{controller.IPv4, controller.IPv6} {
		if d.Get(f).State == controller.StateUnknown {
			out = append(out, f.String())
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, ", ") + " address unknown"
}
