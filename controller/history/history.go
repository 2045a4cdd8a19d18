// Package history keeps, in memory and bounded, what the daemon saw since
// the process started: its passes (with their changes and errors), the
// changes of the public addresses (and which records followed), each
// health check's class over time, and the transitions between classes.
// The status page and GET /status/history read it. A restart starts an
// empty history. It is safe for concurrent use.
package history

import (
	"maps"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

// The bounds of a History: the newest entries are kept.
const (
	MaxPasses      = 500             // passes
	MaxAddresses   = 200             // address changes
	MaxTransitions = 500             // health transitions, every check together
	HealthWindow   = 24 * time.Hour  // how far back each check's classes go
	maxSegments    = 2 * 24 * 60 * 2 // segments per check: a class change every 30 s for 24 h
)

// Pass is one pass as the history keeps it.
type Pass struct {
	At       time.Time     `json:"at"`
	Duration time.Duration `json:"duration_ns"`
	OK       bool          `json:"ok"`
	Error    string        `json:"error,omitempty"`
	// Changes says what the pass changed, one line each, in a person's words.
	Changes []string `json:"changes,omitempty"`
}

// AddressChange is a new public address: old -> new, and which records
// followed it in the pass that saw it.
type AddressChange struct {
	At time.Time `json:"at"`
	// Family is "ipv4" or "ipv6", prefixed by the uplink's name with uplinks ("lte ipv4").
	Family  string   `json:"family"`
	From    string   `json:"from,omitempty"`
	To      string   `json:"to"`
	Records []string `json:"records,omitempty"`
}

// Transition is a health check changing class; Lasted is how long the
// class it left had held (0 when the history did not see it begin).
type Transition struct {
	At          time.Time        `json:"at"`
	Check       string           `json:"check"`
	Host        string           `json:"host"`
	From        controller.Class `json:"from"`
	To          controller.Class `json:"to"`
	Lasted      time.Duration    `json:"lasted_ns,omitempty"`
	Explanation string           `json:"explanation,omitempty"`
}

// Segment is a span of time during which a check held one class.
type Segment struct {
	Class controller.Class `json:"class"`
	From  time.Time        `json:"from"`
	To    time.Time        `json:"to"`
}

// Snapshot is a copy of the history, oldest entries first.
type Snapshot struct {
	Since       time.Time            `json:"since"`
	Passes      []Pass               `json:"passes"`
	Addresses   []AddressChange      `json:"address_changes"`
	Transitions []Transition         `json:"health_transitions"`
	Health      map[string][]Segment `json:"health"`
	Limits      Limits               `json:"limits"`
}

// Limits says how much the history keeps.
type Limits struct {
	Passes       int           `json:"passes"`
	Addresses    int           `json:"address_changes"`
	Transitions  int           `json:"health_transitions"`
	HealthWindow time.Duration `json:"health_window_ns"`
}

// History is what the daemon saw. The zero value is not usable: use New.
type History struct {
	now         func() time.Time
	mu          sync.Mutex
	since       time.Time
	passes      []Pass
	addresses   []AddressChange
	transitions []Transition
	health      map[string][]Segment
	known       map[string]netip.Addr // the last pass's known addresses
}

var _ daemon.PassObserver = (*History)(nil)

// New returns an empty history that began at now().
func New(now func() time.Time) *History {
	return &History{now: now, since: now(), health: map[string][]Segment{}}
}

// ObservePass records a pass (daemon.PassObserver), and the addresses it
// saw change. A dry run's changes were not made and are not recorded.
func (h *History) ObservePass(rep controller.Report, err error, took time.Duration) {
	at := h.now()
	p := Pass{At: at.Add(-took), Duration: took, OK: err == nil}
	if err != nil {
		p.Error = err.Error()
	}
	if !rep.DryRun && rep.Plan.Count() > 0 {
		p.Changes = daemon.ChangeLines(rep)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.passes = bounded(append(h.passes, p), MaxPasses)
	h.addressChanges(rep, p.At)
}

// addressChanges records each known address of rep that differs from the
// last pass's. The first pass only sets what is known. The caller holds mu.
func (h *History) addressChanges(rep controller.Report, at time.Time) {
	known := rep.Detection.Known()
	if h.known != nil {
		for _, key := range slices.Sorted(maps.Keys(known)) {
			addr := known[key]
			old, had := h.known[key]
			if had && old == addr {
				continue
			}
			c := AddressChange{At: at, Family: key, To: addr.String(), Records: followers(rep, addr)}
			if had {
				c.From = old.String()
			}
			h.addresses = bounded(append(h.addresses, c), MaxAddresses)
		}
	}
	h.known = known
}

// followers are the names whose records a pass set to addr.
func followers(rep controller.Report, addr netip.Addr) []string {
	var out []string
	for _, c := range rep.Plan.Changes {
		if a, err := netip.ParseAddr(c.New()); err == nil && a == addr && !slices.Contains(out, c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

// ObserveHealth records one health round at at: each check's class
// extends its current segment or starts a new one (a transition).
func (h *History) ObserveHealth(results []controller.CheckResult, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range results {
		h.observeCheck(r, at)
	}
	h.prune(at)
}

func (h *History) observeCheck(r controller.CheckResult, at time.Time) {
	segs := h.health[r.Check]
	cur := r.Class()
	if n := len(segs); n > 0 && segs[n-1].Class == cur {
		segs[n-1].To = at
		return
	}
	from := controller.ClassOK
	var lasted time.Duration
	if n := len(segs); n > 0 {
		segs[n-1].To = at
		from, lasted = segs[n-1].Class, at.Sub(segs[n-1].From)
	}
	if len(segs) > 0 || cur != controller.ClassOK {
		h.transitions = bounded(append(h.transitions, Transition{At: at, Check: r.Check, Host: r.Host, From: from, To: cur,
			Lasted: lasted, Explanation: r.Edge.Explanation}), MaxTransitions)
	}
	h.health[r.Check] = bounded(append(segs, Segment{Class: cur, From: at, To: at}), maxSegments)
}

// prune drops the segments that ended before the health window.
func (h *History) prune(now time.Time) {
	cut := now.Add(-HealthWindow)
	for check, segs := range h.health {
		i := 0
		for i < len(segs) && segs[i].To.Before(cut) {
			i++
		}
		h.health[check] = segs[i:]
	}
}

// Prober wraps p so that every round it runs is recorded.
func (h *History) Prober(p daemon.Prober) daemon.Prober { return prober{p: p, h: h} }

// Snapshot returns a copy of the history.
func (h *History) Snapshot() Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := Snapshot{Since: h.since, Passes: slices.Clone(h.passes), Addresses: slices.Clone(h.addresses),
		Transitions: slices.Clone(h.transitions), Health: make(map[string][]Segment, len(h.health)),
		Limits: Limits{Passes: MaxPasses, Addresses: MaxAddresses, Transitions: MaxTransitions, HealthWindow: HealthWindow}}
	for check, segs := range h.health {
		s.Health[check] = slices.Clone(segs)
	}
	if s.Passes == nil {
		s.Passes = []Pass{}
	}
	if s.Addresses == nil {
		s.Addresses = []AddressChange{}
	}
	if s.Transitions == nil {
		s.Transitions = []Transition{}
	}
	return s
}

// bounded keeps the last n entries of s.
func bounded[T any](s []T, n int) []T {
	if len(s) <= n {
		return s
	}
	return slices.Clone(s[len(s)-n:])
}
