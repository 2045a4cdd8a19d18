package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/flarewarden/flarewarden/controller"
)

// JSON writes v as indented JSON.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Detection prints one line per family: its verdict and why.
func Detection(w io.Writer, d controller.Detection) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(d.Uplinks) == 0 {
		detectionRows(tw, "", d.V4, d.V6)
	}
	for _, u := range d.Uplinks {
		detectionRows(tw, "uplink "+u.Name+" ", u.V4, u.V6)
	}
	tw.Flush()
}

// detectionRows prints the verdict of each family, each line starting
// with prefix.
func detectionRows(tw io.Writer, prefix string, results ...controller.FamilyResult) {
	for i, r := range results {
		f := controller.Families[i]
		switch r.State {
		case controller.StateDisabled:
			if prefix != "" {
				continue // an uplink's family that is off is noise
			}
			fmt.Fprintf(tw, "%s\tdisabled\t\n", f)
		case controller.StateKnown:
			fmt.Fprintf(tw, "%s%s\t%s\t(%d of %d sources agree, quorum %d)\n", prefix, f, r.Addr, agreeing(r), len(r.Answers), r.Quorum)
		case controller.StateUnknown:
			fmt.Fprintf(tw, "%s%s\tunknown\t%s: records of this family are kept as they are\n", prefix, f, r.Reason)
		}
	}
}

// Uplinks prints whether each uplink is up, and why one is down.
func Uplinks(w io.Writer, ups []controller.UplinkReport) {
	for _, u := range ups {
		if u.Up {
			fmt.Fprintf(w, "uplink %s is up\n", u.Name)
			continue
		}
		fmt.Fprintf(w, "uplink %s is down: %s\n", u.Name, u.Reason)
	}
}

func agreeing(r controller.FamilyResult) int {
	n := 0
	for _, a := range r.Answers {
		if a.Err == "" && a.Addr == r.Addr {
			n++
		}
	}
	return n
}

// Answers prints every source's answer of a detection.
func Answers(w io.Writer, d controller.Detection) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FAMILY\tSOURCE\tANSWER")
	for _, f := range controller.Families {
		for _, a := range d.Get(f).Answers {
			answer := a.Addr.String()
			if a.Err != "" {
				answer = "error: " + a.Err
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", f, a.Source, answer)
		}
	}
	tw.Flush()
}

// planRow is one line of the plan table.
type planRow struct{ zone, name, typ, action, old, new, reason string }

// planRows flattens every kind of change into table rows, DNS first.
func planRows(p controller.PlanResult) []planRow {
	var rows []planRow
	for _, c := range p.Changes {
		rows = append(rows, planRow{c.Zone.Name, c.Name, c.Type, string(c.Action), c.Old(), c.New(), c.Reason})
	}
	for _, c := range p.Rules {
		var old string
		if c.Before != nil {
			old = c.Before.Expression
		}
		next := c.Rule.Expression
		if c.Action == controller.ActionDelete {
			next = ""
		}
		rows = append(rows, planRow{c.Zone.Name, c.Rule.Ref, "skip-rule", string(c.Action), old, next, c.Reason})
	}
	for _, c := range p.AccessRules {
		old, next := oldOrNew(c.Action, c.Rule.Mode)
		rows = append(rows, planRow{c.Zone.Name, c.Rule.Value, "access-rule", string(c.Action), old, next, c.Reason})
	}
	for _, c := range p.ListItems {
		old, next := oldOrNew(c.Action, c.Item.IP)
		rows = append(rows, planRow{"account " + c.List.AccountID, c.List.Name, "list-item", string(c.Action), old, next, c.Reason})
	}
	return rows
}

// oldOrNew puts the value of a change that carries only one in the OLD
// column for a delete (what goes away), in NEW otherwise.
func oldOrNew(a controller.Action, value string) (old, next string) {
	if a == controller.ActionDelete {
		return value, ""
	}
	return "", value
}

// Plan prints the plan as a table, then its warnings and a summary.
func Plan(w io.Writer, p controller.PlanResult, dryRun bool) {
	if p.Empty() {
		fmt.Fprintln(w, "no changes: Cloudflare matches the desired state")
	} else {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ZONE\tNAME\tTYPE\tACTION\tOLD\tNEW\tREASON")
		for _, r := range planRows(p) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.zone, r.name, r.typ, r.action, dash(r.old), dash(r.new), r.reason)
		}
		tw.Flush()
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "warning: %s: %s\n", warn.Name, warn.Message)
	}
	for _, f := range p.Follows {
		if !strings.HasPrefix(f.Why, "records kept") { // a warning says it
			fmt.Fprintf(w, "%s %s\n", f.Name, f.Why)
		}
	}
	if !p.Empty() {
		verb := "applied"
		if dryRun {
			verb = "planned (dry run: nothing written)"
		}
		fmt.Fprintf(w, "%s %s\n", Plural(p.Count(), "change"), verb)
	}
}

// Security prints each zone's security level and, when it is under
// attack, which script sources are exempted.
func Security(w io.Writer, sts []controller.SecurityStatus) {
	for _, st := range sts {
		if !st.UnderAttack {
			fmt.Fprintf(w, "zone %s: security level %s\n", st.Zone, st.Level)
			continue
		}
		fmt.Fprintf(w, "zone %s: UNDER ATTACK mode: visitors are challenged\n", st.Zone)
		for _, e := range st.Exemptions {
			verdict := "NOT exempted: it will be challenged (403)"
			if e.Exempted {
				verdict = "exempted by " + e.Rule
			}
			fmt.Fprintf(w, "  %s: %s\n", e.Source, verdict)
		}
	}
}

// Records prints DNS records as a table.
func Records(w io.Writer, recs []controller.Record) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tCONTENT\tPROXIED\tTTL\tCOMMENT")
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%d\t%s\n", r.Name, r.Type, r.Content, r.Proxied, r.TTL, r.Comment)
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Plural renders "1 change" or "3 changes".
func Plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
