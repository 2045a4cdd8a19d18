package controller

import (
	"fmt"
	"strings"
)

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
