package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/flarewarden/flarewarden/controller"
)

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeDetection prints one line per family: its verdict and why.
func writeDetection(w io.Writer, d controller.Detection) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range controller.Families {
		r := d.Get(f)
		switch r.State {
		case controller.StateKnown:
			fmt.Fprintf(tw, "%s\t%s\t(%d of %d sources agree, quorum %d)\n", f, r.Addr, agreeing(r), len(r.Answers), r.Quorum)
		case controller.StateUnknown:
			fmt.Fprintf(tw, "%s\tunknown\t%s: records of this family are kept as they are\n", f, r.Reason)
		default:
			fmt.Fprintf(tw, "%s\tdisabled\t\n", f)
		}
	}
	tw.Flush()
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

// writeAnswers prints every source's answer of a detection.
func writeAnswers(w io.Writer, d controller.Detection) {
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

// writePlan prints the plan as a table, then its warnings and a summary.
func writePlan(w io.Writer, p controller.PlanResult, dryRun bool) {
	if p.Empty() {
		fmt.Fprintln(w, "no changes: Cloudflare matches the desired state")
	} else {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ZONE\tNAME\tTYPE\tACTION\tOLD\tNEW\tREASON")
		for _, c := range p.Changes {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Zone.Name, c.Name, c.Type, c.Action, dash(c.Old()), dash(c.New()), c.Reason)
		}
		tw.Flush()
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "warning: %s: %s\n", warn.Name, warn.Message)
	}
	if !p.Empty() {
		verb := "applied"
		if dryRun {
			verb = "planned (dry run: nothing written)"
		}
		fmt.Fprintf(w, "%s %s\n", plural(len(p.Changes), "change"), verb)
	}
}

// writeRecords prints DNS records as a table.
func writeRecords(w io.Writer, recs []controller.Record) {
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

// plural renders "1 change" or "3 changes".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
