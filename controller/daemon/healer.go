package daemon

import (
	"fmt"
	"strings"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/retry"
)

// DefaultTriggerGap is the least time between two passes triggered by
// health checks. While the same failures trigger them, the gap doubles
// after each triggered pass, up to MaxTriggerGap: a failure a pass cannot
// heal does not cost a pass every 30 s forever.
const DefaultTriggerGap = 30 * time.Second

// MaxTriggerGap caps the gap between triggered passes.
const MaxTriggerGap = 30 * time.Minute

// DefaultNotifyHold is the least time between two reported state changes
// of one check: a flapping site is reported at most once per hold, with
// the number of changes in between.
const DefaultNotifyHold = 5 * time.Minute

// Healer turns health results into decisions: when to run a pass now,
// which CNAMEs to take over, what to tell a human. It is pure (the caller
// passes the time) and keeps only what it needs to report transitions once.
// It is not safe for concurrent use.
type Healer struct {
	// TriggerGap rate-limits triggered passes; 0 means DefaultTriggerGap.
	TriggerGap time.Duration
	// NotifyHold is the least time between two reported state changes of
	// a check; 0 means DefaultNotifyHold.
	NotifyHold  time.Duration
	checks      map[string]*checkState
	hinted      map[string]string // the last hint reported per check
	lastTrigger time.Time
	triggers    int    // passes triggered in a row for the same failures
	healing     string // those failures: "check=class" of each, in order
	// ensuredAt is when a challenged probe last asked for a pass to
	// ensure the skip rule; zero again once no probe is challenged.
	ensuredAt time.Time
}

// checkState is what the healer reported of a check.
type checkState struct {
	reported   controller.Class // the class last reported (ok before any report)
	reportedAt time.Time        // zero before any report
	last       controller.Class // the class of the last round
	flips      int              // class changes since the report
}

// HealInput is one round of health results and what the last pass knew.
type HealInput struct {
	Results []controller.CheckResult
	Now     time.Time
	// CNAMEs maps managed names still CNAMEs to their targets.
	CNAMEs map[string]string
	// OnFailure lists the names whose CNAME is taken over only on failure;
	// NoTakeover those whose CNAME is never taken over.
	OnFailure, NoTakeover map[string]bool
	// Covered holds the checked hosts to whose zone a configured skip rule
	// listing this host's address (self) applies; Exempted those whose
	// zone, per the last pass (at LastPassAt), has that rule in place.
	Covered, Exempted map[string]bool
	LastPassAt        time.Time
}

// HealDecision is what to do after a round.
type HealDecision struct {
	// TriggerPass asks for a reconcile pass now (already rate-limited).
	TriggerPass bool
	Reason      string
	// Takeover lists names whose CNAME should be replaced now.
	Takeover []string
	// Events are the transitions of this round, each reported once.
	Events []controller.Event
}

// Decide processes one round.
func (h *Healer) Decide(in HealInput) HealDecision {
	if h.checks == nil {
		h.checks, h.hinted = map[string]*checkState{}, map[string]string{}
	}
	var d HealDecision
	var healing []string // "check=class" of each result a pass may heal
	ensure, challenged := false, false
	for _, r := range in.Results {
		challenged = challenged || r.Class() == controller.ClassChallenged
		heal, hint := h.remedy(r, in)
		if heal != "" {
			healing = append(healing, r.Check+"="+string(r.Class()))
			ensure = ensure || r.Class() == controller.ClassChallenged
			if TakeoverDue(r, in.CNAMEs, in.OnFailure) {
				d.Takeover = append(d.Takeover, r.Host)
			}
			d.Reason = firstNonEmpty(d.Reason, heal)
		}
		if e, ok := h.report(r, hint, in.Now); ok {
			d.Events = append(d.Events, e)
		}
	}
	if !challenged {
		h.ensuredAt = time.Time{} // a later challenge asks for the rule again
	}
	d.TriggerPass = h.trigger(strings.Join(healing, " "), in.Now)
	if d.TriggerPass && ensure {
		h.ensuredAt = in.Now // a pass after this shows whether the rule helped
	}
	return d
}

// report returns the event of r to report this round, if any: its
// transition, or else a new hint while the reported class holds.
func (h *Healer) report(r controller.CheckResult, hint string, now time.Time) (controller.Event, bool) {
	if e, ok := h.transition(r, hint, now); ok {
		h.hinted[r.Check] = e.Hint
		return e, true
	}
	if hint == "" || h.hinted[r.Check] == hint || r.Class() != h.checks[r.Check].reported {
		return controller.Event{}, false // a held change carries its hint when reported
	}
	h.hinted[r.Check] = hint
	return controller.Event{Kind: controller.EventHealth, Check: r.Check, Host: r.Host, From: r.Class(), To: r.Class(), At: now,
		Summary: healthSummary(r, "is still failing: "+described(r.Class())), Detail: r.Edge.Explanation, Hint: hint}, true
}

// trigger decides whether the round's failures a pass may heal (healing,
// "" for none) get a pass now. The backoff of mayTrigger starts again
// whenever that set of failures changes, so that a new failure (a 1016 on
// another site) is not held back by an old one nothing heals.
func (h *Healer) trigger(healing string, now time.Time) bool {
	if healing != h.healing {
		h.healing, h.triggers = healing, 0
	}
	if healing == "" || !h.mayTrigger(now) {
		return false
	}
	h.lastTrigger = now
	h.triggers++
	return true
}

// mayTrigger applies the rate limit of triggered passes: the gap after
// the n-th pass triggered in a row is TriggerGap·2^(n-1), at most
// MaxTriggerGap.
func (h *Healer) mayTrigger(now time.Time) bool {
	gap := h.TriggerGap
	if gap == 0 {
		gap = DefaultTriggerGap
	}
	gaps := retry.Backoff{Base: gap, Max: MaxTriggerGap, Jitter: retry.None}
	return h.lastTrigger.IsZero() || now.Sub(h.lastTrigger) >= gaps.Delay(h.triggers)
}

func isDNSFailure(c controller.Class) bool {
	return c == controller.ClassOriginDNSError || c == controller.ClassDDNSTargetDown
}

// TakeoverDue reports whether r's host is an on-failure name (in
// onFailure) still a CNAME (in cnames) whose check found a DNS failure:
// a pass asked to take it over replaces the CNAME.
func TakeoverDue(r controller.CheckResult, cnames map[string]string, onFailure map[string]bool) bool {
	return onFailure[r.Host] && cnames[r.Host] != "" && isDNSFailure(r.Class())
}

// TakeoverModes splits the names of specs by takeover mode: those taken
// over only on failure, and those never taken over.
func TakeoverModes(specs []controller.NameSpec) (onFailure, never map[string]bool) {
	onFailure, never = map[string]bool{}, map[string]bool{}
	for _, s := range specs {
		name := controller.NormalizeName(s.Name)
		switch {
		case s.TakeoverOnFailure:
			onFailure[name] = true
		case !s.TakeoverCNAME:
			never[name] = true
		}
	}
	return onFailure, never
}

// remedy says why a pass would heal this result ("" when DNS/WAF cannot
// heal it) and adds a hint for a human.
func (h *Healer) remedy(r controller.CheckResult, in HealInput) (heal, hint string) {
	switch c := r.Class(); c {
	case controller.ClassOriginDNSError, controller.ClassDDNSTargetDown:
		if target := in.CNAMEs[r.Host]; target != "" && in.NoTakeover[r.Host] {
			return "", fmt.Sprintf("%s is a CNAME to %s, which does not resolve; set takeover_cname to true or on-failure so flarewarden replaces it", r.Host, target)
		}
		return fmt.Sprintf("%s: %s", r.Host, c), ""
	case controller.ClassNotCloudflare:
		return fmt.Sprintf("%s: answers without Cloudflare, the record may be wrong or not proxied", r.Host), ""
	case controller.ClassOriginDown, controller.ClassOriginTimeout, controller.ClassOriginUnreachable:
		if r.Edge.Status == 524 {
			return "", "" // Cloudflare reached the origin, which answered too slowly: DNS is right
		}
		// Cloudflare cannot reach the address it has: a pass checks that the
		// record holds the detected one (one listing; no write when it does).
		return fmt.Sprintf("%s: %s, check that the record holds this host's address", r.Host, c), ""
	case controller.ClassChallenged:
		switch {
		case !in.Covered[r.Host]:
			return "", "add self (this host's address) to waf.skip_rules so the probe and your scripts are not challenged"
		case in.Exempted[r.Host] && !h.ensuredAt.IsZero() && in.LastPassAt.After(h.ensuredAt):
			return "", "the skip rule is in place and the probe is still challenged: Bot Fight Mode is the likely cause, and an IP Access Rule in allow mode (waf.access_rules) is the fix"
		}
		return fmt.Sprintf("%s: challenged, ensure the skip rule", r.Host), ""
	}
	return "", ""
}

// transition records the check's class and returns the event to report,
// if any: a class other than the one last reported, once NotifyHold has
// passed since that report (the first round reports only failures, at
// once). Changes held back are counted in the next report.
func (h *Healer) transition(r controller.CheckResult, hint string, now time.Time) (controller.Event, bool) {
	st := h.checks[r.Check]
	if st == nil {
		st = &checkState{reported: controller.ClassOK, last: controller.ClassOK}
		h.checks[r.Check] = st
	}
	cur := r.Class()
	if cur != st.last {
		st.flips++
	}
	st.last = cur
	if cur == st.reported || (!st.reportedAt.IsZero() && now.Sub(st.reportedAt) < h.hold()) {
		return controller.Event{}, false
	}
	e := h.event(r, st.reported, hint, now)
	if st.flips > 1 {
		e.Detail = strings.TrimPrefix(fmt.Sprintf("%s; %d state changes since the last report", e.Detail, st.flips), "; ")
	}
	st.reported, st.reportedAt, st.flips = cur, now, 0
	return e, true
}

// hold is NotifyHold or its default.
func (h *Healer) hold() time.Duration {
	if h.NotifyHold == 0 {
		return DefaultNotifyHold
	}
	return h.NotifyHold
}

// event is the health event of r's class, from prev.
func (h *Healer) event(r controller.CheckResult, prev controller.Class, hint string, now time.Time) controller.Event {
	cur := r.Class()
	e := controller.Event{Kind: controller.EventHealth, Check: r.Check, Host: r.Host, From: prev, To: cur, Healthy: cur == controller.ClassOK, At: now,
		Detail: r.Edge.Explanation, Hint: firstNonEmpty(hint, r.Edge.Hint)}
	if cur == controller.ClassOK {
		e.Summary = healthSummary(r, fmt.Sprintf("is healthy again (was %s)", prev))
		e.Detail, e.Hint = "", ""
		return e
	}
	e.Summary = healthSummary(r, "is failing: "+described(cur))
	if r.Origin != nil && r.Origin.Outcome != controller.OriginOK && r.Origin.Outcome != controller.OriginSkipped {
		e.Detail += "; origin probe: " + r.Origin.Explanation
	}
	if r.DNS != nil && !r.DNS.Resolved {
		e.Detail = fmt.Sprintf("%s is a CNAME to %s, which does not resolve (%s)", r.Host, r.DNS.Target, r.DNS.Err)
	}
	return e
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
