package notify

import (
	"strings"
	"unicode/utf8"

	"github.com/flarewarden/flarewarden/controller"
)

// eventText is one human line saying what happened, where and why:
// "flarewarden: home.example.com is failing: origin_dns_error — <detail>
// (hint: <hint>)": eventSummary, then the detail and the hint.
func eventText(e controller.Event) string {
	var b strings.Builder
	b.WriteString(eventSummary(e))
	if e.Detail != "" {
		b.WriteString(" — " + e.Detail)
	}
	if e.Hint != "" {
		b.WriteString(" (hint: " + e.Hint + ")")
	}
	return b.String()
}

// eventSummary is the start of eventText: "flarewarden: " and the summary,
// the host (or zone) put in front of it when it does not name it already;
// a missing summary becomes the kind.
func eventSummary(e controller.Event) string {
	summary := e.Summary
	if summary == "" {
		summary = string(e.Kind)
	}
	where := e.Host
	if where == "" {
		where = e.Zone
	}
	if where != "" && !strings.Contains(summary, where) {
		summary = where + ": " + summary
	}
	return "flarewarden: " + summary
}

// truncate returns s cut to at most limit bytes on a rune boundary,
// ending with "…" when it was cut. limit must leave room for the "…".
func truncate(s string, limit int) string {
	const ellipsis = "…"
	if len(s) <= limit {
		return s
	}
	cut := limit - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:max(cut, 0)] + ellipsis
}
