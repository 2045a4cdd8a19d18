package service

import (
	"fmt"

	"github.com/flarewarden/flarewarden/controller"
)

// addressRow is the last pass's detection of one family (of one uplink,
// with uplinks): its verdict, the quorum, and what each source answered.
type addressRow struct {
	Family, Verdict, Tone, Reason, Quorum string
	Answers                               []answerRow
}

// answerRow is one source's answer.
type answerRow struct{ Source, Answer, Tone string }

// addressRows shows each family's detection, then each uplink's.
func addressRows(det *controller.Detection) []addressRow {
	if det == nil {
		return nil
	}
	var rows []addressRow
	for _, f := range controller.Families {
		rows = append(rows, addressRowOf(f.String(), det.Get(f)))
	}
	for _, u := range det.Uplinks {
		for _, f := range controller.Families {
			rows = append(rows, addressRowOf(clean(u.Name)+" "+f.String(), u.Get(f)))
		}
	}
	return rows
}

func addressRowOf(family string, r controller.FamilyResult) addressRow {
	row := addressRow{Family: family, Reason: clean(r.Reason)}
	switch r.State {
	case controller.StateKnown:
		row.Verdict, row.Tone = r.Addr.String(), "good"
	case controller.StateDisabled:
		return addressRow{Family: family, Verdict: "not detected (disabled)", Tone: "none"}
	default:
		row.Verdict, row.Tone = "unknown", "bad"
	}
	if r.Quorum > 0 {
		row.Quorum = fmt.Sprintf("quorum %d of %s", r.Quorum, pluralize(len(r.Answers), "source", "sources"))
	}
	for _, a := range r.Answers {
		row.Answers = append(row.Answers, answerOf(a))
	}
	return row
}

// answerOf says what a source answered: an address, a rejected one, or an
// error.
func answerOf(a controller.SourceAnswer) answerRow {
	row := answerRow{Source: clean(a.Source)}
	switch {
	case a.Rejected && a.Addr.IsValid():
		row.Answer, row.Tone = "rejected "+a.Addr.String()+": "+clean(a.Err), "warn"
	case a.Err != "":
		row.Answer, row.Tone = "error: "+clean(a.Err), "bad"
	default:
		row.Answer, row.Tone = a.Addr.String(), "good"
	}
	return row
}
