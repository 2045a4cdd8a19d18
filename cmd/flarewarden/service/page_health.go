package service

import (
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
	"github.com/flarewarden/flarewarden/controller/history"
)

// checkRow is one health check: its class in a word (State) and in a
// sentence (Words), the explanation and hint of the edge's answer, the
// other probes, and its classes over the last day (Bar).
type checkRow struct {
	Name, State, Class, Words, Tone string
	Explanation, Hint, At           string
	Details                         []string
	Bar                             healthBar
}

// checkRows shows the last health round, each check with its history.
func checkRows(results []controller.CheckResult, snap *history.Snapshot, now time.Time) []checkRow {
	rows := make([]checkRow, 0, len(results))
	for _, r := range results {
		c := r.Class()
		row := checkRow{Name: clean(checkName(r.Check, r.Host)), State: "ok", Class: string(c), Words: clean(daemon.Describe(c)),
			Tone: "good", Explanation: clean(r.Edge.Explanation), Hint: clean(r.Edge.Hint), At: "checked " + stamp(r.At, now)}
		if !r.Healthy() {
			row.State, row.Tone = "failing", "bad"
		}
		row.Details = probeDetails(r)
		if snap != nil {
			row.Bar = healthBarOf(snap.Health[r.Check], now)
		}
		rows = append(rows, row)
	}
	return rows
}

// probeDetails says what the direct probe of the origin and the
// resolution of a CNAME target found.
func probeDetails(r controller.CheckResult) []string {
	var out []string
	if o := r.Origin; o != nil {
		out = append(out, clean("origin probe of "+o.Address+": "+o.Outcome+", "+o.Explanation))
	}
	if d := r.DNS; d != nil {
		s := "CNAME target " + d.Target + " resolves"
		if !d.Resolved {
			s = "CNAME target " + d.Target + " does not resolve: " + d.Err
		}
		out = append(out, clean(s))
	}
	return out
}

// uplinkRow is one uplink's verdict.
type uplinkRow struct{ Name, State, Tone, Words string }

func uplinkRows(states []daemon.UplinkState, now time.Time) []uplinkRow {
	rows := make([]uplinkRow, 0, len(states))
	for _, u := range states {
		row := uplinkRow{Name: clean(u.Uplink), State: "up", Tone: "good"}
		if !u.Up {
			row.State, row.Tone = "down", "bad"
		}
		if !u.Since.IsZero() {
			row.Words = "since " + stamp(u.Since, now)
		}
		if u.Reason != "" {
			row.Words += ": " + clean(u.Reason)
		}
		rows = append(rows, row)
	}
	return rows
}

// zoneRow is one WAF zone's security level and skip-rule exemptions.
type zoneRow struct {
	Zone, Level, Tone string
	Exemptions        []exemptionRow
}

// exemptionRow says whether a skip rule exempts a source from the
// security level's challenge.
type exemptionRow struct{ Rule, Source, Words, Tone string }

func zoneRows(zones []controller.SecurityStatus) []zoneRow {
	rows := make([]zoneRow, 0, len(zones))
	for _, z := range zones {
		row := zoneRow{Zone: clean(z.Zone), Level: "security level " + clean(z.Level), Tone: "none"}
		if z.UnderAttack {
			row.Level, row.Tone = row.Level+": Under Attack mode is on", "warn"
		}
		for _, e := range z.Exemptions {
			ex := exemptionRow{Rule: clean(e.Rule), Source: clean(e.Source), Words: "exempted from the challenge", Tone: "good"}
			if !e.Exempted {
				ex.Words, ex.Tone = "not exempted: challenged like any visitor", "bad"
			}
			row.Exemptions = append(row.Exemptions, ex)
		}
		rows = append(rows, row)
	}
	return rows
}
