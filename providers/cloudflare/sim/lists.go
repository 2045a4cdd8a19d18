package sim

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"
)

// List is an account's custom list, in the API's JSON form. The simulator
// models IP lists only (kind "ip"); no rule references them.
type List struct {
	ID                    string    `json:"id"`
	Name                  string    `json:"name"` // lower-case letters, digits, "_"; at most 50
	Description           string    `json:"description"`
	Kind                  string    `json:"kind"`
	NumItems              int       `json:"num_items"`
	NumReferencingFilters int       `json:"num_referencing_filters"`
	CreatedOn             time.Time `json:"created_on"`
	ModifiedOn            time.Time `json:"modified_on"`
}

// ListItem is an item of an IP list, in the API's JSON form. IP is an
// address or a CIDR prefix in canonical form.
type ListItem struct {
	ID         string    `json:"id"`
	IP         string    `json:"ip"`
	Comment    string    `json:"comment"`
	CreatedOn  time.Time `json:"created_on"`
	ModifiedOn time.Time `json:"modified_on"`
}

// maxListDescription bounds a list's description.
const maxListDescription = 500

var listNamePattern = regexp.MustCompile(`^[a-z0-9_]{1,50}$`)

// listState is a stored list: items in creation order, each with the
// counter value it was created at (the cursor of item pagination), and the
// bulk operation not yet completed, if any.
type listState struct {
	list    List // NumItems is filled in by view
	items   []listItemState
	pending *operation
}

type listItemState struct {
	item ListItem
	seq  uint64
}

// view is the list with its item count.
func (ls *listState) view() List {
	l := ls.list
	l.NumItems = len(ls.items)
	return l
}

// Lists returns the account's lists in creation order: empty for an
// account without any, nil for an unknown account.
func (s *Server) Lists(account string) []List {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	if a == nil {
		return nil
	}
	out := make([]List, 0, len(a.lists))
	for _, ls := range a.lists {
		out = append(out, ls.view())
	}
	return out
}

// ListItems returns the items of a list in creation order, as applied so far
// (operations not yet completed are not), or nil for an unknown list.
func (s *Server) ListItems(account, listID string) []ListItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	ls := s.listByID(account, listID)
	if ls == nil {
		return nil
	}
	out := make([]ListItem, 0, len(ls.items))
	for _, it := range ls.items {
		out = append(out, it.item)
	}
	return out
}

// AddList creates a list in the account, validated as by the API, not
// logged. Only l.Name, l.Description and l.Kind ("" = "ip") are read.
func (s *Server) AddList(account string, l List) (List, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	if a == nil {
		return List{}, fmt.Errorf("cloudflare sim: no account %q", account)
	}
	if l.Kind == "" {
		l.Kind = "ip"
	}
	ls, err := s.addList(a, l, s.now())
	if err != nil {
		return List{}, err
	}
	return ls.view(), nil
}

// AddListItem adds an item to a list at once (no bulk operation), not
// logged. Only it.IP and it.Comment are read; an IP already in the list
// gets the new comment.
func (s *Server) AddListItem(account, listID string, it ListItem) (ListItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ls := s.listByID(account, listID)
	if ls == nil {
		return ListItem{}, fmt.Errorf("cloudflare sim: account %q has no list %q", account, listID)
	}
	out, err := s.upsertItems(ls, []itemInput{{IP: it.IP, Comment: it.Comment}}, s.now())
	if err != nil {
		return ListItem{}, fmt.Errorf("cloudflare sim: %w", err)
	}
	return out[0], nil
}

// addList validates l and stores it as a new list of a. The caller holds s.mu.
func (s *Server) addList(a *accountState, l List, now time.Time) (*listState, *apiError) {
	switch {
	case !listNamePattern.MatchString(l.Name):
		return nil, errListInvalid("list name must be 1 to 50 lower-case letters, digits or underscores: %q", l.Name)
	case l.Kind != "ip":
		return nil, errListInvalid("unsupported list kind %q: the simulator models ip lists only", l.Kind)
	case utf8.RuneCountInString(l.Description) > maxListDescription:
		return nil, errListInvalid("list description is longer than %d characters", maxListDescription)
	case slices.ContainsFunc(a.lists, func(o *listState) bool { return o.list.Name == l.Name }):
		return nil, newError(http.StatusBadRequest, codeListDuplicate, "a list named %q already exists", l.Name)
	}
	ls := &listState{list: List{ID: s.nextID("list"), Name: l.Name, Description: l.Description, Kind: l.Kind,
		CreatedOn: now, ModifiedOn: now}}
	a.lists = append(a.lists, ls)
	return ls, nil
}

// listByID finds a list of an account, or nil. The caller holds s.mu.
func (s *Server) listByID(account, id string) *listState {
	a := s.accounts[account]
	if a == nil {
		return nil
	}
	if i := slices.IndexFunc(a.lists, func(ls *listState) bool { return ls.list.ID == id }); i >= 0 {
		return a.lists[i]
	}
	return nil
}

func errListInvalid(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, codeListInvalid, format, args...)
}

func errListNotFound() *apiError {
	return newError(http.StatusNotFound, codeListNotFound, "list not found")
}
