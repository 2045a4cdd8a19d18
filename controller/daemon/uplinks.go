package daemon

import (
	"fmt"
	"strings"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// Uplink defaults: rounds of a canary unreachable through the edge before
// its uplink is down, and healthy rounds before it is up again (more, so
// that a flapping uplink does not move the records back and forth).
const (
	DefaultFailAfter    = 2
	DefaultRecoverAfter = 3
)

// UplinkCheck ties an uplink to the health check of its canary.
type UplinkCheck struct {
	Uplink string
	// Check is the name of the canary's health check.
	Check                   string
	FailAfter, RecoverAfter int
}

// UplinkTracker judges each uplink up or down from its canary's answers
// through the edge, round after round. It is pure (the caller passes the
// time) and not safe for concurrent use.
type UplinkTracker struct {
	checks []UplinkCheck
	states map[string]*uplinkState
	rounds int
}

// uplinkState is what the tracker holds of one uplink.
type uplinkState struct {
	down       bool
	fails, oks int    // unreachable and healthy rounds in a row
	reason     string // why it is down, or why it was last failing
	since      time.Time
}

// UplinkState is an uplink's verdict, for /status and metrics.
type UplinkState struct {
	Uplink string    `json:"uplink"`
	Up     bool      `json:"up"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since,omitzero"`
}

// NewUplinkTracker returns a tracker of checks, every uplink up.
func NewUplinkTracker(checks []UplinkCheck) *UplinkTracker {
	t := &UplinkTracker{checks: checks, states: map[string]*uplinkState{}}
	for _, c := range checks {
		t.states[c.Uplink] = &uplinkState{}
	}
	return t
}

// Observe takes one health round and returns the events of the uplinks
// that went down or up in it. An uplink goes down after FailAfter rounds
// in a row whose canary answer says Cloudflare cannot reach the origin
// (521, 522, 523), up after RecoverAfter healthy rounds in a row; any
// other answer (a challenge, a timeout of the probe itself) counts for
// neither. The first round knows nothing before it: an unreachable canary
// puts its uplink down at once, so a restart during an outage does not
// move records back to the dead uplink.
func (t *UplinkTracker) Observe(results []controller.CheckResult, now time.Time) []controller.Event {
	byCheck := make(map[string]controller.CheckResult, len(results))
	for _, r := range results {
		byCheck[r.Check] = r
	}
	first := t.rounds == 0
	t.rounds++
	var events []controller.Event
	for _, c := range t.checks {
		r, ok := byCheck[c.Check]
		if !ok {
			continue
		}
		if e, changed := t.step(c, r, first, now); changed {
			events = append(events, e)
		}
	}
	if len(t.Down()) == len(t.checks) {
		for i, e := range events {
			if !e.Healthy {
				events[i].Summary = strings.Replace(e.Summary, uplinkDownEffect, everyUplinkDown, 1)
			}
		}
	}
	return events
}

// What an uplink going down does, unless it was the last one up.
const (
	uplinkDownEffect = "records that follow it move to the next uplink up"
	everyUplinkDown  = "every uplink is down, records stay as they are"
)

// step counts one canary result of c and returns the event when its
// uplink changed.
func (t *UplinkTracker) step(c UplinkCheck, r controller.CheckResult, first bool, now time.Time) (controller.Event, bool) {
	st := t.states[c.Uplink]
	switch canaryVerdict(r) {
	case canaryUnreachable:
		st.fails, st.oks = st.fails+1, 0
		st.reason = fmt.Sprintf("its canary %s answers %s through the edge, %d %s", r.Host, edgeAnswer(r), st.fails, plural(st.fails, "round", "rounds"))
		if !st.down && (first || st.fails >= orDefault(c.FailAfter, DefaultFailAfter)) {
			st.down, st.since = true, now
			return uplinkEvent(c, r, st, now), true
		}
	case canaryHealthy:
		st.oks, st.fails = st.oks+1, 0
		if st.down && st.oks >= orDefault(c.RecoverAfter, DefaultRecoverAfter) {
			st.down, st.since = false, now
			st.reason = fmt.Sprintf("its canary %s answers through the edge again, %d %s", r.Host, st.oks, plural(st.oks, "round", "rounds"))
			return uplinkEvent(c, r, st, now), true
		}
	}
	return controller.Event{}, false
}

// Down maps each uplink that is down to why.
func (t *UplinkTracker) Down() map[string]string {
	out := map[string]string{}
	for name, st := range t.states {
		if st.down {
			out[name] = st.reason
		}
	}
	return out
}

// States returns every uplink's verdict, in the order of the checks.
func (t *UplinkTracker) States() []UplinkState {
	out := make([]UplinkState, 0, len(t.checks))
	for _, c := range t.checks {
		st := t.states[c.Uplink]
		us := UplinkState{Uplink: c.Uplink, Up: !st.down, Since: st.since}
		if st.down {
			us.Reason = st.reason
		}
		out = append(out, us)
	}
	return out
}

type verdict int

const (
	canaryNeither verdict = iota
	canaryUnreachable
	canaryHealthy
)

// canaryVerdict reads one canary answer: unreachable when Cloudflare could
// not connect to the uplink's address (521, 522, 523; a 524 means it
// connected), healthy when the origin answered through the edge (even
// with an error status: the uplink carried it), neither otherwise (an
// error page of the edge itself, such as 1001 before the canary exists).
func canaryVerdict(r controller.CheckResult) verdict {
	switch r.Edge.Class {
	case controller.ClassOriginDown, controller.ClassOriginUnreachable:
		return canaryUnreachable
	case controller.ClassOriginTimeout:
		if r.Edge.Status == 524 {
			return canaryHealthy
		}
		return canaryUnreachable
	case controller.ClassOK, controller.ClassOriginError, controller.ClassOriginTLS:
		return canaryHealthy
	case controller.ClassUnexpected:
		if r.Edge.Code == 0 { // the origin's answer, not an error page of the edge (1001: no such record yet)
			return canaryHealthy
		}
	}
	return canaryNeither
}

// edgeAnswer is the edge's status, or the class when there was none.
func edgeAnswer(r controller.CheckResult) string {
	if r.Edge.Status != 0 {
		return fmt.Sprint(r.Edge.Status)
	}
	return string(r.Edge.Class)
}

// uplinkEvent tells a human that an uplink went down or up.
func uplinkEvent(c UplinkCheck, r controller.CheckResult, st *uplinkState, now time.Time) controller.Event {
	e := controller.Event{Kind: controller.EventUplink, Check: c.Check, Host: r.Host, Healthy: !st.down, At: now,
		Detail: st.reason}
	if st.down {
		e.Summary = "uplink " + c.Uplink + " is down: " + uplinkDownEffect
		if r.Origin != nil && r.Origin.Outcome != controller.OriginOK && r.Origin.Outcome != controller.OriginSkipped {
			e.Detail += "; direct probe: " + r.Origin.Explanation
		}
		return e
	}
	e.Summary = "uplink " + c.Uplink + " is up again: records that prefer it move back"
	return e
}

func orDefault(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}
