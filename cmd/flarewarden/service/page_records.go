package service

import (
	"slices"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

// recordRow is one managed name: its state in a word (State), in a
// sentence (Words), the addresses it holds, and what the last pass did to
// it (Lines).
type recordRow struct {
	Name, State, Tone, Words string
	Holds                    string
	Lines                    []string
}

// recordRows says the state of every managed name after the last pass.
func recordRows(doc statusDoc) []recordRow {
	var changes []controller.Change
	if doc.LastPass != nil {
		changes = doc.LastPass.Plan.Changes
	}
	lines := daemon.ChangeLines(controller.Report{Plan: controller.PlanResult{Changes: changes}})
	rows := make([]recordRow, 0, len(doc.Records))
	for _, rs := range doc.Records {
		row := recordRow{Name: clean(rs.Name), Holds: holds(rs, changes, doc.Detection)}
		row.State, row.Tone, row.Words = recordWords(rs, changes)
		for _, l := range lines {
			if strings.HasPrefix(l, rs.Name+" ") {
				row.Lines = append(row.Lines, clean(l))
			}
		}
		if rs.Uplinks != "" {
			row.Lines = append(row.Lines, "uplinks: "+clean(rs.Uplinks))
		}
		rows = append(rows, row)
	}
	return rows
}

// recordWords says a record state in a word and in a sentence. A name
// whose CNAME the last pass replaced reads "taken over".
func recordWords(rs controller.RecordState, changes []controller.Change) (state, tone, words string) {
	switch rs.State {
	case "in_sync":
		state, tone, words = "in sync", "good", "holds the detected address"
	case "changed":
		state, tone, words = "updated", "good", "the last pass changed it: "+strings.Join(rs.Actions, ", ")
		if target, ok := takenOver(rs.Name, changes); ok {
			state, words = "taken over", "takeover: the CNAME to "+target+" was replaced by the detected address"
		}
	case "cname":
		state, tone, words = "takeover pending", "warn", "still a CNAME to "+rs.Target+": not taken over yet"
	case "failed":
		state, tone, words = "failed", "bad", "its zone could not be read or written in the last pass"
	default:
		if rs.Reason == "" {
			return "unknown", "none", "no pass yet"
		}
		return "unknown", "warn", "kept as it was: " + clean(rs.Reason)
	}
	if rs.Reason != "" {
		words += " (" + rs.Reason + ")"
	}
	return state, tone, clean(words)
}

// takenOver returns the CNAME target a takeover in changes replaced for
// name.
func takenOver(name string, changes []controller.Change) (string, bool) {
	i := slices.IndexFunc(changes, func(c controller.Change) bool {
		return c.Name == name && c.Action == controller.ActionDelete && c.Type == controller.TypeCNAME &&
			strings.HasPrefix(c.Reason, "takeover")
	})
	if i < 0 {
		return "", false
	}
	return changes[i].Old(), true
}

// holds says what a name's records hold: what the last pass wrote, else
// the detected address of each family; a CNAME's target. A name that
// follows uplinks, or whose records were not checked, shows none.
func holds(rs controller.RecordState, changes []controller.Change, det *controller.Detection) string {
	switch {
	case rs.State == "cname":
		return "CNAME " + clean(rs.Target)
	case rs.Uplinks != "" || det == nil || (rs.State != "in_sync" && rs.State != "changed"):
		return ""
	}
	var out []string
	for _, f := range controller.Families {
		i := slices.IndexFunc(changes, func(c controller.Change) bool {
			return c.Name == rs.Name && c.Type == f.RecordType() && c.New() != ""
		})
		switch r := det.Get(f); {
		case i >= 0:
			out = append(out, f.RecordType()+" "+clean(changes[i].New()))
		case r.State == controller.StateKnown:
			out = append(out, f.RecordType()+" "+r.Addr.String())
		}
	}
	return strings.Join(out, ", ")
}
