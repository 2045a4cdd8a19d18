package render

import (
	"bytes"
	"fmt"
	"io"

	"github.com/flarewarden/flarewarden/controller"
)

// Site prints one site's verdict and, indented, its diagnosis.
func Site(w io.Writer, res controller.CheckResult) {
	fmt.Fprintf(w, "site %s (%s): %s\n", res.Check, res.Host, verdict(res.Healthy()))
	writeDiagnosis(Indent(w), res)
}

func writeDiagnosis(w io.Writer, res controller.CheckResult) {
	e := res.Edge
	status := ""
	if e.Status != 0 {
		status = fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	fmt.Fprintf(w, "edge:   %s%s: %s\n", e.Class, status, e.Explanation)
	if e.Hint != "" && e.Class != controller.ClassOK {
		fmt.Fprintf(w, "        hint: %s\n", e.Hint)
	}
	if o := res.Origin; o != nil {
		fmt.Fprintf(w, "origin: %s at %s: %s\n", o.Outcome, o.Address, o.Explanation)
	}
	if d := res.DNS; d != nil {
		state := "resolves"
		if !d.Resolved {
			state = "DOES NOT RESOLVE: " + d.Err
		}
		fmt.Fprintf(w, "dns:    %s is a CNAME to %s, which %s\n", d.Name, d.Target, state)
	}
}

func verdict(ok bool) string {
	if ok {
		return "healthy"
	}
	return "NOT HEALTHY"
}

// indentWriter prefixes every line with four spaces.
type indentWriter struct {
	w     io.Writer
	start bool
}

// Indent returns a writer that indents every line written to w by four spaces.
func Indent(w io.Writer) io.Writer { return &indentWriter{w: w, start: true} }

func (iw *indentWriter) Write(p []byte) (int, error) {
	var buf bytes.Buffer
	for _, b := range p {
		if iw.start {
			buf.WriteString("    ")
		}
		buf.WriteByte(b)
		iw.start = b == '\n'
	}
	if _, err := iw.w.Write(buf.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}
