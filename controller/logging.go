package controller

import "go.uber.org/zap"

func (r *Reconciler) logDetection(d Detection) {
	for _, f := range Families {
		res := d.Get(f)
		switch res.State {
		case StateKnown:
			r.Log.Debug("address detected", zap.String("family", f.String()), zap.String("addr", res.Addr.String()))
		case StateUnknown:
			r.Log.Warn("address unknown, records kept", zap.String("family", f.String()), zap.String("reason", res.Reason))
		}
	}
}

func (r *Reconciler) logPlan(p PlanResult) {
	for _, w := range p.Warnings {
		r.Log.Warn("record left as is", zap.String("zone", w.Zone), zap.String("name", w.Name), zap.String("reason", w.Message))
	}
	r.Log.Info("plan ready", zap.Int("changes", p.Count()), zap.Int("dns_changes", len(p.Changes)),
		zap.Int("warnings", len(p.Warnings)))
}

func changeFields(c Change) []zap.Field {
	return []zap.Field{
		zap.String("zone", c.Zone.Name), zap.String("name", c.Name), zap.String("type", c.Type),
		zap.String("action", string(c.Action)), zap.String("old", c.Old()), zap.String("new", c.New()),
		zap.String("reason", c.Reason),
	}
}
