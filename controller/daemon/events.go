package daemon

import (
	"fmt"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// changeEvent tells a human what a pass changed, one line per change:
// "home.example.com A 203.0.113.7 -> 203.0.113.8", a takeover as
// "home.example.com CNAME myhome.duckdns.org -> A 203.0.113.7", a skip
// rule with the reason the plan gave ("moved back to position 1").
func changeEvent(rep controller.Report, err error) controller.Event {
	lines := ChangeLines(rep)
	n := rep.Plan.Count()
	summary := fmt.Sprintf("%d %s applied", n, plural(n, "change", "changes"))
	if err != nil {
		summary = fmt.Sprintf("%d %s attempted, some failed", n, plural(n, "change", "changes"))
	}
	return controller.Event{Kind: controller.EventChange, Healthy: err == nil, Summary: summary, Detail: strings.Join(lines, "; ")}
}

// ChangeLines says what each change of a pass did, in a person's words,
// one line each: records first, then skip rules, access rules and list
// items.
func ChangeLines(rep controller.Report) []string {
	lines := recordLines(rep.Plan.Changes)
	for _, c := range rep.Plan.Rules {
		lines = append(lines, fmt.Sprintf("%s: skip rule %s %s (%s)", c.Zone.Name, c.Rule.Ref, pastTense(c.Action), c.Reason))
	}
	for _, c := range rep.Plan.AccessRules {
		lines = append(lines, fmt.Sprintf("%s: IP access rule %s %s %s (%s)", c.Zone.Name, c.Rule.Mode, c.Rule.Value, pastTense(c.Action), c.Reason))
	}
	for _, c := range rep.Plan.ListItems {
		verb := "added to"
		if c.Action == controller.ActionDelete {
			verb = "removed from"
		}
		lines = append(lines, fmt.Sprintf("%s %s IP list %s (%s)", c.Item.IP, verb, c.List.Name, c.Reason))
	}
	return lines
}

// recordLines says what each DNS change did, old -> new. The deletes and
// creates of a takeover are one line.
func recordLines(changes []controller.Change) []string {
	takeovers := map[string][]string{} // name -> "A 203.0.113.7" of each create
	for _, c := range changes {
		if c.Action == controller.ActionCreate && strings.HasPrefix(c.Reason, "takeover of CNAME ") {
			takeovers[c.Name] = append(takeovers[c.Name], c.Type+" "+c.New())
		}
	}
	var lines []string
	for _, c := range changes {
		switch to := takeovers[c.Name]; {
		case to != nil && c.Action == controller.ActionDelete && c.Type == "CNAME":
			lines = append(lines, fmt.Sprintf("%s CNAME %s -> %s", c.Name, c.Old(), strings.Join(to, ", ")))
		case to != nil && c.Action == controller.ActionCreate && strings.HasPrefix(c.Reason, "takeover of CNAME "):
			// said by the CNAME's line
		default:
			lines = append(lines, recordLine(c))
		}
	}
	return lines
}

// recordLine is one DNS change in a human's words; an address that moved
// to another uplink says so ("home.example.com moved from fiber ...").
func recordLine(c controller.Change) string {
	head := c.Name + " " + c.Type
	_, move, moved := strings.Cut(c.Reason, "moved from ")
	switch {
	case moved && c.Action == controller.ActionUpdate:
		return c.Name + " moved from " + move
	case c.Action == controller.ActionCreate:
		return fmt.Sprintf("%s %s created (%s)", head, c.New(), c.Reason)
	case c.Action == controller.ActionDelete:
		return fmt.Sprintf("%s %s deleted (%s)", head, c.Old(), c.Reason)
	case c.Old() == c.New():
		return fmt.Sprintf("%s %s updated (%s)", head, c.New(), c.Reason)
	case c.Reason != "stale address":
		return fmt.Sprintf("%s %s -> %s (%s)", head, c.Old(), c.New(), c.Reason)
	}
	return fmt.Sprintf("%s %s -> %s", head, c.Old(), c.New())
}

// pastTense says what an action did: "created", "updated", "deleted".
func pastTense(a controller.Action) string {
	switch a {
	case controller.ActionCreate:
		return "created"
	case controller.ActionDelete:
		return "deleted"
	}
	return "updated"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// classWords says each health class in a person's words.
var classWords = map[controller.Class]string{
	controller.ClassOK:                "answers normally",
	controller.ClassOriginDNSError:    "Cloudflare cannot resolve the origin's address (error 1016)",
	controller.ClassOriginDown:        "the origin refused Cloudflare's connection (521)",
	controller.ClassOriginTimeout:     "the origin did not answer Cloudflare in time (522/524)",
	controller.ClassOriginUnreachable: "Cloudflare has no route to the origin (523)",
	controller.ClassOriginTLS:         "TLS between Cloudflare and the origin failed (525/526)",
	controller.ClassOriginError:       "the origin answered with an error (520 or 5xx)",
	controller.ClassChallenged:        "Cloudflare challenges the probe instead of serving the site",
	controller.ClassBlocked:           "Cloudflare blocks the probe (a firewall rule, 1020 and co)",
	controller.ClassNotCloudflare:     "the name answers without Cloudflare (not proxied, or another server)",
	controller.ClassUnexpected:        "Cloudflare served a status the check does not expect",
	controller.ClassTimeout:           "no answer at all within the timeout",
	controller.ClassTLS:               "TLS to Cloudflare's edge failed",
	controller.ClassDNS:               "the name does not resolve",
	controller.ClassDDNSTargetDown:    "the DDNS name the record points to (its CNAME target) does not resolve",
}

// Describe says a health class in a person's words ("the origin refused
// Cloudflare's connection (521)"), or the class itself when it has none.
func Describe(c controller.Class) string {
	if w := classWords[c]; w != "" {
		return w
	}
	return string(c)
}

// described is a class and its words: "origin_down, the origin refused
// Cloudflare's connection (521)".
func described(c controller.Class) string {
	if w := classWords[c]; w != "" {
		return string(c) + ", " + w
	}
	return string(c)
}

// healthSummary names the check (when its name is not the host's), the
// host and what happened: "check home: home.example.com is failing:
// origin_down, the origin refused Cloudflare's connection (521)".
func healthSummary(r controller.CheckResult, what string) string {
	s := r.Host + " " + what
	if r.Check != "" && r.Check != r.Host {
		s = "check " + r.Check + ": " + s
	}
	return s
}
