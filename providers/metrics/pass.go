package metrics

import (
	"slices"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

var _ daemon.PassObserver = (*Metrics)(nil)

// ObservePass records a pass (daemon.PassObserver): its result and
// duration, the record changes it applied (none for a dry run or a zone
// whose writes failed), the time of the last success and the run of soft
// errors (reset by any pass that is not a soft error, as the loop does).
func (m *Metrics) ObservePass(rep controller.Report, err error, took time.Duration) {
	result := ResultOK
	switch {
	case err != nil && controller.IsSoft(err):
		result = ResultSoftError
	case err != nil:
		result = ResultError
	}
	m.passes.WithLabelValues(result).Inc()
	m.passDuration.Observe(took.Seconds())
	if err == nil {
		m.lastOK.Set(float64(time.Now().Unix()))
	}
	m.mu.Lock()
	if result == ResultSoftError {
		m.soft++
	} else {
		m.soft = 0
	}
	m.consecSoft.Set(float64(m.soft))
	m.mu.Unlock()
	for _, u := range rep.Uplinks {
		m.uplinkUp.WithLabelValues(u.Name).Set(boolValue(u.Up))
	}
	if rep.DryRun {
		return
	}
	for _, c := range rep.Plan.Changes {
		if !slices.Contains(rep.Failed, c.Zone.Name) {
			m.recordsChanged.WithLabelValues(string(c.Action)).Inc()
		}
	}
}
