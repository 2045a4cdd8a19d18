package service

import (
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

// statusDoc is the JSON document of GET /status. It never holds a token:
// none is in the daemon's status, and every URL in it is cut to its scheme
// and host (see redactURLs).
type statusDoc struct {
	Ready       bool                            `json:"ready"`
	ReadyReason string                          `json:"ready_reason"`
	Leader      LeaderView                      `json:"leader"`
	Detection   *controller.Detection           `json:"detection,omitempty"`
	Records     []controller.RecordState        `json:"records,omitempty"`
	Security    []controller.SecurityStatus     `json:"security,omitempty"`
	WAFSources  map[string]controller.SourceSet `json:"waf_sources,omitempty"`
	Health      []controller.CheckResult        `json:"health,omitempty"`
	// Uplinks is each uplink's verdict after the last health round.
	Uplinks  []daemon.UplinkState `json:"uplinks,omitempty"`
	LastPass *passStatus          `json:"last_pass,omitempty"`
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
	doc.Health, doc.Uplinks = st.Health, st.Uplinks
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

// recordStates is the state of every configured name after the pass rep
// reports (nil: none yet).
func recordStates(v RunView, rep *controller.Report) []controller.RecordState {
	if v.Cfg == nil {
		return nil
	}
	names := make([]string, 0, len(v.Cfg.Records)+len(v.Cfg.Uplinks))
	for _, r := range v.Cfg.Records {
		names = append(names, r.Name)
	}
	for _, u := range v.Cfg.Uplinks {
		names = append(names, u.Canary.Name)
	}
	return rep.RecordStates(names)
}
