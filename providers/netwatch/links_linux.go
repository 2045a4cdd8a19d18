package netwatch

import (
	"fmt"
	"net"
	"syscall"

	"github.com/vishvananda/netlink"
)

// linkState is what matters of a link for its addresses.
type linkState struct {
	name string
	up   bool
	oper netlink.LinkOperState
}

// stateOf reads l's state.
func stateOf(l netlink.Link) linkState {
	a := l.Attrs()
	return linkState{name: a.Name, up: a.Flags&net.FlagUp != 0, oper: a.OperState}
}

// tracker knows every link by index, to tell whether an update concerns
// one of the watched names. It is used by one goroutine.
type tracker struct {
	names map[string]bool
	links map[int]linkState
}

// newTracker lists the current links.
func newTracker(names []string) (*tracker, error) {
	links, err := netlink.LinkList()
	if err != nil {
		return nil, fmt.Errorf("netwatch: list links: %w", err)
	}
	t := &tracker{names: make(map[string]bool, len(names)), links: make(map[int]linkState, len(links))}
	for _, n := range names {
		t.names[n] = true
	}
	for _, l := range links {
		t.links[l.Attrs().Index] = stateOf(l)
	}
	return t, nil
}

// watchesIndex reports whether the link at index has a watched name. A
// link not seen yet (its link update may still be queued) is looked up;
// one that is already gone is not watched.
func (t *tracker) watchesIndex(index int) bool {
	st, ok := t.links[index]
	if !ok {
		l, err := netlink.LinkByIndex(index)
		if err != nil {
			return false
		}
		st = stateOf(l)
		t.links[index] = st
	}
	return t.names[st.name]
}

// linkChanged records u and reports whether it concerns a watched link in
// a way that can change its addresses: it appeared, went up or down, was
// renamed to or from a watched name, or disappeared.
func (t *tracker) linkChanged(u netlink.LinkUpdate) bool {
	index := u.Link.Attrs().Index
	old, known := t.links[index]
	wasWatched := known && t.names[old.name]
	if u.Header.Type == syscall.RTM_DELLINK {
		delete(t.links, index)
		return wasWatched || t.names[u.Link.Attrs().Name]
	}
	st := stateOf(u.Link)
	t.links[index] = st
	return (wasWatched || t.names[st.name]) && (!known || old != st)
}
