package controller

import (
	"fmt"
	"net/netip"
	"strings"

	"go.uber.org/zap"
)

// warnStale logs and reports, as plan warnings, the sources of the list
// named field that did not resolve and are used with their last known
// addresses.
func (r *Reconciler) warnStale(field string, set SourceSet, rep *Report) {
	for _, s := range set.Sources {
		if !s.Stale {
			continue
		}
		kept := prefixStrings(s.Prefixes)
		r.Log.Warn("waf source did not resolve, keeping last known addresses", zap.String("field", field),
			zap.String("source", s.Source), zap.String("error", s.Err), zap.Strings("kept_addresses", kept))
		rep.Plan.Warnings = append(rep.Plan.Warnings, Warning{Name: s.Source, Message: fmt.Sprintf(
			"waf source of %s did not resolve, keeping last known addresses %s: %s", field, strings.Join(kept, " "), s.Err)})
	}
}

// prefixStrings formats each prefix as rule expressions spell it.
func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = formatPrefix(p)
	}
	return out
}
