package controller

import (
	"fmt"
	"strings"

	"go.uber.org/zap"
)

// staleSources returns the sources of the set that failed to resolve and
// kept their last known addresses.
func staleSources(set SourceSet) []SourceResult {
	var out []SourceResult
	for _, s := range set.Sources {
		if s.Stale {
			out = append(out, s)
		}
	}
	return out
}

// StaleWarnings returns one warning per source of the list named field that
// did not resolve and is used with its last known addresses.
func StaleWarnings(field string, set SourceSet) []Warning {
	var out []Warning
	for _, s := range staleSources(set) {
		out = append(out, Warning{Name: s.Source, Message: fmt.Sprintf(
			"waf source of %s did not resolve, keeping last known addresses %s: %s", field, formatPrefixes(s), s.Err)})
	}
	return out
}

// warnStale logs and reports the stale sources of a resolved list.
func (r *Reconciler) warnStale(field string, set SourceSet, rep *Report) {
	for _, s := range staleSources(set) {
		r.Log.Warn("waf source did not resolve, keeping last known addresses", zap.String("field", field),
			zap.String("source", s.Source), zap.String("error", s.Err), zap.Strings("kept_addresses", prefixStrings(s)))
	}
	rep.Plan.Warnings = append(rep.Plan.Warnings, StaleWarnings(field, set)...)
}

func prefixStrings(s SourceResult) []string {
	out := make([]string, len(s.Prefixes))
	for i, p := range s.Prefixes {
		out[i] = formatPrefix(p)
	}
	return out
}

func formatPrefixes(s SourceResult) string { return strings.Join(prefixStrings(s), " ") }
