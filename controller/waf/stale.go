package waf

import (
	"fmt"
	"net/netip"
	"strings"

	"go.uber.org/zap"

	"github.com/flarewarden/flarewarden/controller"
)

// warnStale logs and reports, as plan warnings, the sources of the list
// named field that did not resolve and are used with their last known
// addresses.
func (s *Step) warnStale(field string, set controller.SourceSet, rep *controller.Report) {
	for _, src := range set.Sources {
		if !src.Stale {
			continue
		}
		kept := prefixStrings(src.Prefixes)
		s.Log.Warn("waf source did not resolve, keeping last known addresses", zap.String("field", field),
			zap.String("source", src.Source), zap.String("error", src.Err), zap.Strings("kept_addresses", kept))
		rep.Plan.Warnings = append(rep.Plan.Warnings, controller.Warning{Name: src.Source, Message: fmt.Sprintf(
			"waf source of %s did not resolve, keeping last known addresses %s: %s", field, strings.Join(kept, " "), src.Err)})
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
