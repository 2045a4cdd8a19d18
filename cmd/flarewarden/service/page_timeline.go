package service

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/controller/history"
)

// The page shows at most maxTimeline events, newest first, each with at
// most maxLines lines: GET /status/history holds them all.
const (
	maxTimeline = 50
	maxLines    = 8
)

// timeline is the history's passes, address changes and health
// transitions, newest first: Items are the newest of Total (Count says
// how many in words), at most Max.
type timeline struct {
	Items      []timelineItem
	Total, Max int
	Count      string
	Capped     bool
}

// timelineItem is one event. Kind is pass, address or health.
type timelineItem struct {
	at                            time.Time
	When, Kind, Tone, Title, Note string
	Lines                         []string
}

// buildTimeline merges what the history holds, newest first. A run of
// passes that changed nothing is one event.
func buildTimeline(s history.Snapshot, now time.Time) timeline {
	items := passItems(s.Passes, now)
	for _, a := range s.Addresses {
		items = append(items, addressItem(a, now))
	}
	for _, tr := range s.Transitions {
		items = append(items, transitionItem(tr, now))
	}
	slices.SortStableFunc(items, func(a, b timelineItem) int { return b.at.Compare(a.at) })
	t := timeline{Items: items, Total: len(items), Max: maxTimeline, Count: pluralize(len(items), "event", "events")}
	if len(items) > maxTimeline {
		t.Items, t.Capped = items[:maxTimeline], true
	}
	return t
}

// passItems is one event per pass that changed something or failed, and
// one per run of passes between them that changed nothing.
func passItems(passes []history.Pass, now time.Time) []timelineItem {
	var items []timelineItem
	var quiet []history.Pass
	for _, p := range passes {
		if p.OK && len(p.Changes) == 0 {
			quiet = append(quiet, p)
			continue
		}
		items = appendQuiet(items, quiet, now)
		quiet = quiet[:0]
		items = append(items, passItem(p, now))
	}
	return appendQuiet(items, quiet, now)
}

// appendQuiet adds the event of a run of passes that changed nothing.
func appendQuiet(items []timelineItem, quiet []history.Pass, now time.Time) []timelineItem {
	if len(quiet) == 0 {
		return items
	}
	first, last := quiet[0], quiet[len(quiet)-1]
	it := timelineItem{at: last.At, When: stamp(last.At, now), Kind: "pass", Tone: "none",
		Title: pluralize(len(quiet), "pass", "passes") + " ok, nothing to change"}
	if len(quiet) > 1 {
		it.Note = "the first at " + stamp(first.At, now)
	}
	return append(items, it)
}

func passItem(p history.Pass, now time.Time) timelineItem {
	it := timelineItem{at: p.At, When: stamp(p.At, now), Kind: "pass", Tone: "good", Note: "took " + span(p.Duration),
		Title: "Pass ok, " + pluralize(len(p.Changes), "change", "changes")}
	var lines []string
	if !p.OK {
		it.Tone, it.Title = "bad", "Pass failed"
		lines = append(lines, "error: "+p.Error)
	}
	it.Lines = capLines(append(lines, p.Changes...))
	return it
}

// capLines cleans lines and keeps at most maxLines of them.
func capLines(lines []string) []string {
	out := make([]string, 0, min(len(lines), maxLines))
	for i, l := range lines {
		if i == maxLines-1 && len(lines) > maxLines {
			return append(out, fmt.Sprintf("… and %d more (see status/history)", len(lines)-i))
		}
		out = append(out, clean(l))
	}
	return out
}

// addressItem says old -> new and which records followed.
func addressItem(a history.AddressChange, now time.Time) timelineItem {
	it := timelineItem{at: a.At, When: stamp(a.At, now), Kind: "address", Tone: "none",
		Title: clean(a.Family + " address changed: " + a.From + " -> " + a.To)}
	if a.From == "" {
		it.Title = clean(a.Family + " address is now " + a.To)
	}
	follow := "no record followed it in that pass"
	if len(a.Records) > 0 {
		follow = "records that followed: " + strings.Join(a.Records, ", ")
	}
	it.Lines = capLines([]string{follow})
	return it
}

// transitionItem says from -> to, how long the class left had lasted,
// and the explanation.
func transitionItem(tr history.Transition, now time.Time) timelineItem {
	it := timelineItem{at: tr.At, When: stamp(tr.At, now), Kind: "health", Tone: "bad",
		Title: clean(checkName(tr.Check, tr.Host) + ": " + string(tr.From) + " -> " + string(tr.To))}
	if tr.To == controller.ClassOK {
		it.Tone = "good"
	}
	lines := []string{"now: " + daemon.Describe(tr.To)}
	if tr.Lasted > 0 {
		lines = append(lines, string(tr.From)+" had lasted "+span(tr.Lasted))
	}
	if tr.Explanation != "" {
		lines = append(lines, tr.Explanation)
	}
	it.Lines = capLines(lines)
	return it
}
