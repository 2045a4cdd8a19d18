package controller

import (
	"fmt"
	"slices"
	"strings"
)

// owns reports whether the record carries the ownership marker.
func (p Policy) owns(r Record) bool { return p.OwnsText(r.Comment) }

// OwnsText reports whether a comment or notes text (a record's, an IP
// Access Rule's, a list item's) carries the ownership marker.
func (p Policy) OwnsText(s string) bool {
	return p.Marker != "" && strings.Contains(s, p.Marker)
}

// Owns reports whether flarewarden owns the record under this policy.
func (p Policy) Owns(r Record) bool { return p.owns(r) }

// newRecord builds a record to create at the name. Settings the config
// leaves unset come from the record it replaces (from), or default to
// proxied=false and TTL 1 (automatic).
func (n DesiredName) newRecord(typ, content, comment string, from *Record) Record {
	rec := Record{ZoneID: n.Zone.ID, Name: n.Name, Type: typ, Content: content, TTL: 1, Comment: comment}
	if from != nil {
		rec.Proxied, rec.TTL, rec.Tags = from.Proxied, from.TTL, from.Tags
	}
	return n.applySettings(rec)
}

// newRecordBeside builds a record to create at a name that holds the
// records at (none of its type). With proxied unset in the config it is
// proxied when any of them is.
func (n DesiredName) newRecordBeside(typ, content, comment string, at []Record) Record {
	rec := n.newRecord(typ, content, comment, nil)
	if n.Proxied == nil && slices.ContainsFunc(at, func(r Record) bool { return r.Proxied }) {
		rec.Proxied = true
		rec = n.applySettings(rec)
	}
	return rec
}

// converge returns the record as it should be: the wanted content, the
// configured proxied/TTL, the ownership marker; everything else kept.
func (n DesiredName) converge(r Record, content, marker string) Record {
	r.Content = content
	r.Comment = withMarker(r.Comment, marker)
	return n.applySettings(r)
}

// applySettings sets the configured proxied and TTL. A proxied record's TTL
// is always automatic at Cloudflare, so a configured TTL only applies to
// records that are not proxied.
func (n DesiredName) applySettings(r Record) Record {
	if n.Proxied != nil {
		r.Proxied = *n.Proxied
	}
	switch {
	case r.Proxied:
		r.TTL = 1
	case n.TTL != nil:
		r.TTL = *n.TTL
	case r.TTL == 0:
		r.TTL = 1
	}
	return r
}

// withMarker prefixes the marker to a comment that lacks it, clipped to
// Cloudflare's limit (the marker survives the clipping).
func withMarker(comment, marker string) string {
	if marker == "" || strings.Contains(comment, marker) {
		return comment
	}
	if comment == "" {
		return marker
	}
	return clip(marker + "; " + comment)
}

// clip shortens s to MaxCommentLen characters, ending in "..." when cut.
func clip(s string) string {
	r := []rune(s)
	if len(r) <= MaxCommentLen {
		return s
	}
	return string(r[:MaxCommentLen-3]) + "..."
}

// planTakeover replaces the CNAME at a managed name with A/AAAA records
// carrying the detected addresses. The deletes and creates of one name are
// applied in one atomic request, so the name never has no record.
func planTakeover(res *PlanResult, n DesiredName, cnames []Record, addrs map[Family]Target, p Policy) {
	target := cnames[0].Content
	if reason := takeoverBlocked(n, addrs, p); reason != "" {
		res.warn(n, fmt.Sprintf("CNAME to %s kept: %s", target, reason))
		return
	}
	var types []string
	for _, f := range Families {
		if t := addrs[f]; t.State == StateKnown {
			types = append(types, f.RecordType())
		}
	}
	for _, c := range cnames {
		res.add(deleteChange(n, c, "takeover: CNAME replaced by "+strings.Join(types, "/")))
	}
	for _, f := range Families {
		t := addrs[f]
		if t.State != StateKnown {
			continue
		}
		rec := n.newRecord(f.RecordType(), t.Addr.String(), takeoverComment(p.Marker, target), &cnames[0])
		res.add(Change{Action: ActionCreate, Zone: n.Zone, Name: n.Name, Type: rec.Type, After: &rec,
			Reason: "takeover of CNAME " + target})
	}
}

// takeoverBlocked returns why a CNAME may not be replaced, or "".
func takeoverBlocked(n DesiredName, addrs map[Family]Target, p Policy) string {
	switch {
	case !n.TakeoverCNAME && n.TakeoverOnFailure:
		return "takeover_cname is on-failure and no health check has seen the target down"
	case !n.TakeoverCNAME:
		return "takeover_cname is off"
	}
	if p.Mode != ModeSync {
		return "policy " + string(p.Mode) + " does not delete, takeover needs sync"
	}
	known := 0
	for _, f := range Families {
		switch addrs[f].State {
		case StateKnown:
			known++
		case StateUnknown:
			return f.String() + " address is unknown"
		}
	}
	if known == 0 {
		return "no address family is enabled"
	}
	return ""
}

// takeoverComment records the replaced CNAME target beside the marker,
// within Cloudflare's comment limit.
func takeoverComment(marker, target string) string {
	return clip(marker + "; was CNAME " + target)
}
