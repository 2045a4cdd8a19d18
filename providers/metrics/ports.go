package metrics

import (
	"context"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/controller/redact"
)

// Detector wraps a detector and counts every source answer and quorum
// failure of its detections.
func (m *Metrics) Detector(inner controller.Detector) controller.Detector {
	return &detector{inner: inner, m: m}
}

type detector struct {
	inner controller.Detector
	m     *Metrics
}

// Detect runs the wrapped detector and records what it saw; a detection
// cut short by cancellation is not counted.
func (d *detector) Detect(ctx context.Context) controller.Detection {
	det := d.inner.Detect(ctx)
	if ctx.Err() == nil {
		d.m.ObserveDetection(det)
	}
	return det
}

// ObserveDetection counts the answers of each enabled family by source
// (redacted with controller.SourceLabel) and the families without quorum:
// with uplinks, those of every uplink (the detection's own verdicts are
// then copies of an uplink's, and are not counted again).
func (m *Metrics) ObserveDetection(det controller.Detection) {
	if len(det.Uplinks) == 0 {
		m.observeFamilies(det.V4, det.V6)
		return
	}
	for _, u := range det.Uplinks {
		m.observeFamilies(u.V4, u.V6)
	}
}

// observeFamilies counts the answers and quorum failures of v4 and v6.
func (m *Metrics) observeFamilies(results ...controller.FamilyResult) {
	for i, res := range results {
		f := controller.Families[i]
		if res.State == controller.StateDisabled {
			continue
		}
		for _, a := range res.Answers {
			m.answers.WithLabelValues(f.String(), redact.Label(a.Source), answerResult(a)).Inc()
		}
		if res.State == controller.StateUnknown {
			m.quorumFailures.WithLabelValues(f.String()).Inc()
		}
	}
}

func answerResult(a controller.SourceAnswer) string {
	switch {
	case a.Rejected:
		return "rejected"
	case a.Err != "" || !a.Addr.IsValid():
		return "error"
	}
	return "ok"
}

// Prober wraps a prober and sets flarewarden_health_check_class from every
// round's results.
func (m *Metrics) Prober(inner daemon.Prober) daemon.Prober {
	return &prober{inner: inner, m: m}
}

type prober struct {
	inner daemon.Prober
	m     *Metrics
}

// Probe runs the wrapped prober and records the classes; a round cut
// short by cancellation is not recorded.
func (p *prober) Probe(ctx context.Context, in controller.ProbeInput) []controller.CheckResult {
	res := p.inner.Probe(ctx, in)
	if ctx.Err() == nil {
		p.m.ObserveHealth(res)
	}
	return res
}

// ObserveHealth sets, for each check, 1 on its current class and 0 on the
// others.
func (m *Metrics) ObserveHealth(results []controller.CheckResult) {
	for _, r := range results {
		cur := r.Class()
		for _, c := range controller.Classes {
			v := 0.0
			if c == cur {
				v = 1
			}
			m.healthClass.WithLabelValues(r.Check, string(c)).Set(v)
		}
	}
}

// ResetHealth forgets every check's class (a reloaded config may name
// other checks).
func (m *Metrics) ResetHealth() { m.healthClass.Reset() }
