package cloudflare

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// Rule limit refusals. Real Cloudflare's code for a phase at its rule limit
// is unverified: the simulator's code is matched, and so is the message.
const (
	codeRuleLimit     = 20217
	ruleLimitMessage  = "exceeded maximum number of rules"
	freePlanRuleLimit = 5
)

// ruleLimitOf finds the limit in a message such as "... 5 out of 5".
var ruleLimitOf = regexp.MustCompile(`out of (\d+)`)

// ruleLimitError is a rule write the API refused because the zone already
// has as many custom rules as its plan allows. It wraps
// controller.ErrRuleLimit and the *APIError of the refused call.
type ruleLimitError struct {
	zone  string
	refs  string
	verb  string // "add" or "change"
	limit int    // 0 when the answer did not say
	err   *APIError
}

// Error says plainly what happened and what to do, e.g. "zone example.com
// has reached its custom rule limit of 5 (Free plan: 5): remove a rule or
// upgrade to add flarewarden_scripts".
func (e *ruleLimitError) Error() string {
	limit := ""
	if e.limit > 0 {
		limit = " of " + strconv.Itoa(e.limit)
	}
	return fmt.Sprintf("zone %s has reached its custom rule limit%s (Free plan: %d): remove a rule or upgrade to %s %s",
		e.zone, limit, freePlanRuleLimit, e.verb, e.refs)
}

// Unwrap returns controller.ErrRuleLimit and the API error.
func (e *ruleLimitError) Unwrap() []error { return []error{controller.ErrRuleLimit, e.err} }

// ruleError maps the error of a rule write: a rule limit refusal becomes a
// *ruleLimitError, anything else an *APIError naming the zone and refs.
func (c *Client) ruleError(err error, op string, zone controller.Zone, refs, verb string) error {
	e := c.zoneError(err, op, zone, refs)
	if !isRuleLimit(e) {
		return e
	}
	return &ruleLimitError{zone: zoneLabel(zone), refs: refs, verb: verb, limit: limitIn(e.Messages), err: e}
}

// isRuleLimit reports whether Cloudflare refused a write for the rule limit.
func isRuleLimit(e *APIError) bool {
	if e.hasCode(codeRuleLimit) {
		return true
	}
	for _, m := range e.Messages {
		if strings.Contains(strings.ToLower(m), ruleLimitMessage) {
			return true
		}
	}
	return false
}

// limitIn returns the limit the messages state, or 0.
func limitIn(msgs []string) int {
	for _, m := range msgs {
		if sub := ruleLimitOf.FindStringSubmatch(m); sub != nil {
			if n, err := strconv.Atoi(sub[1]); err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}
