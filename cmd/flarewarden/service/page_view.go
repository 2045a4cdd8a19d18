package service

import (
	"fmt"
	"strings"
	"time"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
	"github.com/flarewarden/flarewarden/controller/history"
)

// pageView is what the status page shows, every string already in a
// person's words and redacted. Tone is a CSS class: good, bad, warn or
// none.
type pageView struct {
	Verdict, Summary, Tone string // the site's health, in big words
	Ready, ReadyTone       string
	Role                   string
	LastPass, LastPassTone string
	NextPass               string
	Watching               string
	Generated              string
	Records                []recordRow
	Addresses              []addressRow
	Checks                 []checkRow
	Uplinks                []uplinkRow
	Zones                  []zoneRow
	History                bool // a history is kept: Timeline and Passes say what it holds
	Timeline               timeline
	Passes                 passChart
}

// buildPage assembles the status page from what GET /status serves (see
// buildStatus) and the history (nil: none is kept), as of now.
func buildPage(v RunView, snap *history.Snapshot, now time.Time) pageView {
	doc := buildStatus(v, now)
	if doc.Records == nil {
		doc.Records = recordStates(v, nil) // no daemon yet: every configured name, unknown
	}
	p := pageView{Role: role(v.Election), NextPass: nextPass(v, doc.LastPass, now),
		Watching: watching(snap, now), Generated: stamp(now, now), History: snap != nil}
	p.Verdict, p.Summary, p.Tone = verdict(doc)
	p.Ready, p.ReadyTone = "ready: "+clean(doc.ReadyReason), "good"
	if !doc.Ready {
		p.Ready, p.ReadyTone = "not ready: "+clean(doc.ReadyReason), "bad"
	}
	p.LastPass, p.LastPassTone = lastPass(doc.LastPass, now)
	if doc.LastPass == nil && v.Election.Enabled && !v.Election.IsLeader {
		p.LastPass = "none here: the leader runs them"
	}
	p.Records = recordRows(doc)
	p.Addresses = addressRows(doc.Detection)
	p.Checks = checkRows(doc.Health, snap, now)
	p.Uplinks = uplinkRows(doc.Uplinks, now)
	p.Zones = zoneRows(doc.Security)
	if snap != nil {
		p.Timeline = buildTimeline(*snap, now)
		p.Passes = passBars(snap.Passes)
	}
	return p
}

// verdict says in big words whether every health check passes.
func verdict(doc statusDoc) (words, summary, tone string) {
	if len(doc.Health) == 0 {
		return "Not checked", "no health check has reported here yet", "none"
	}
	var failing []string
	for _, r := range doc.Health {
		if !r.Healthy() {
			failing = append(failing, checkName(r.Check, r.Host))
		}
	}
	switch n := len(doc.Health); {
	case len(failing) == 0 && n == 1:
		return "Healthy", "the health check passes", "good"
	case len(failing) == 0:
		return "Healthy", fmt.Sprintf("all %d health checks pass", n), "good"
	}
	return "Unhealthy", fmt.Sprintf("%d of %d health checks fail: %s", len(failing), len(doc.Health),
		clean(strings.Join(failing, ", "))), "bad"
}

// role says whether this replica runs the passes.
func role(e LeaderView) string {
	switch {
	case !e.Enabled:
		return "single replica (no leader election): runs the passes"
	case e.IsLeader:
		return "leader " + clean(e.Identity) + ": runs the passes"
	case e.Leader != "":
		return "follower of " + clean(e.Leader) + ": the leader runs the passes"
	}
	return "follower, no leader known"
}

// lastPass says when the last pass ran and how it ended.
func lastPass(p *passStatus, now time.Time) (string, string) {
	if p == nil {
		return "none yet", "none"
	}
	if p.OK {
		return stamp(p.At, now) + ": ok", "good"
	}
	s := stamp(p.At, now) + ": failed"
	if p.ConsecutiveFailed > 1 {
		s += fmt.Sprintf(" (%d in a row)", p.ConsecutiveFailed)
	}
	s += ": " + clean(p.Error)
	if !p.LastOKAt.IsZero() {
		s += "; last success " + stamp(p.LastOKAt, now)
	}
	return s, "bad"
}

// nextPass says when the schedule runs the next pass.
func nextPass(v RunView, last *passStatus, now time.Time) string {
	if v.Election.Enabled && !v.Election.IsLeader {
		return "on the leader"
	}
	if v.Cfg == nil {
		return "on the next trigger"
	}
	sched, err := config.CronParser.Parse(v.Cfg.Schedule)
	if err != nil {
		return "on the next trigger"
	}
	next := time.Time{}
	if last != nil {
		next = sched.Next(last.At)
	}
	if !next.After(now) {
		next = sched.Next(now)
	}
	if next.IsZero() {
		return "on the next trigger"
	}
	return stamp(next, now) + ", or sooner on a trigger"
}

// watching says since when the history has been kept.
func watching(snap *history.Snapshot, now time.Time) string {
	if snap == nil {
		return "no history is kept"
	}
	return "watching since " + stamp(snap.Since, now) + " (a restart starts an empty history)"
}
