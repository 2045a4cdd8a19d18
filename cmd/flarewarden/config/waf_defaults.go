package config

import (
	"slices"

	"github.com/flarewarden/flarewarden/controller"
)

// applyDefaults gives skip rules everything a custom rule can skip, and
// logging on, unless configured.
func (w *WAF) applyDefaults() {
	for i := range w.SkipRules {
		r := &w.SkipRules[i]
		if r.Skip == nil {
			r.Skip = &Skip{Ruleset: "current", Phases: slices.Clone(controller.SkipPhases),
				Products: slices.Clone(controller.SkipProducts)}
		}
		if r.Log == nil {
			on := true
			r.Log = &on
		}
	}
}
