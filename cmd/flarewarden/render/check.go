package render

import (
	"fmt"
	"io"

	"github.com/flarewarden/flarewarden/controller"
)

// CheckReport is the outcome of `flarewarden check`: the dry-run pass, every
// check's result, and whether all is healthy.
type CheckReport struct {
	Pass    controller.Report        `json:"pass"`
	Checks  []controller.CheckResult `json:"checks"`
	Healthy bool                     `json:"healthy"`
}

// Check prints the diagnosis of every site, then the DNS/WAF state and,
// when reading Cloudflare failed, why.
func Check(w io.Writer, r CheckReport, passErr error) {
	for _, res := range r.Checks {
		Site(w, res)
	}
	fmt.Fprintln(w)
	Detection(w, r.Pass.Detection)
	Uplinks(w, r.Pass.Uplinks)
	Security(w, r.Pass.Security)
	for name, target := range r.Pass.CNAMEs {
		fmt.Fprintf(w, "%s is still a CNAME to %s\n", name, target)
	}
	fmt.Fprintln(w)
	Plan(w, r.Pass.Plan, true)
	if passErr != nil {
		fmt.Fprintf(w, "reading Cloudflare failed: %v\n", passErr)
	}
}
