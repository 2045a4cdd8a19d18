package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// The functions in this file change the items of one list; bulk
// operations run them when they complete, the Go API at once. Each
// validates everything first and changes nothing on error. Their errors
// are the text of a failed operation. The caller holds s.mu.

// itemInput is one item of a POST or PUT items body. An ip list accepts
// only "ip" items; canonical is filled in by checkItems.
type itemInput struct {
	IP        string          `json:"ip"`
	Comment   string          `json:"comment"`
	ASN       json.RawMessage `json:"asn"`
	Hostname  json.RawMessage `json:"hostname"`
	Redirect  json.RawMessage `json:"redirect"`
	canonical string
}

// The prefix lengths a list item's CIDR may have: IPv4 /8../32, IPv6
// /12../64 (cloudflare/cloudflare-docs#17133; 400-10035-list-item-ipv6-cidr).
const (
	minItemBitsV4 = 8
	minItemBitsV6 = 12
	maxItemBitsV6 = 64
)

// checkItems validates each item's ip (an IPv4 or IPv6 address, or a
// prefix without host bits of /8../32 for IPv4 and /12../64 for IPv6) and
// stores its canonical form.
func checkItems(in []itemInput) error {
	for i := range in {
		it := &in[i]
		if len(it.ASN)+len(it.Hostname)+len(it.Redirect) > 0 || it.IP == "" {
			return fmt.Errorf("item %d: an ip list accepts only items with an ip", i)
		}
		ip, ok := canonicalItemIP(it.IP)
		if !ok {
			return fmt.Errorf("item %d: %q is not a valid IP address or CIDR range", i, it.IP)
		}
		it.canonical = ip
	}
	return nil
}

func canonicalItemIP(v string) (string, bool) {
	if a, err := netip.ParseAddr(v); err == nil {
		return a.String(), a.Zone() == "" && !a.Is4In6()
	}
	p, err := netip.ParsePrefix(v)
	if err != nil || p != p.Masked() || p.Addr().Is4In6() {
		return "", false
	}
	if p.Addr().Is4() {
		return p.String(), p.Bits() >= minItemBitsV4
	}
	return p.String(), p.Bits() >= minItemBitsV6 && p.Bits() <= maxItemBitsV6
}

// upsertItems appends the items (an ip already in the list gets the new
// comment) and returns them as stored, in input order.
func (s *Server) upsertItems(ls *listState, in []itemInput, now time.Time) ([]ListItem, error) {
	if err := checkItems(in); err != nil {
		return nil, err
	}
	out := make([]ListItem, 0, len(in))
	for _, it := range in {
		i := slices.IndexFunc(ls.items, func(x listItemState) bool { return x.item.IP == it.canonical })
		if i < 0 {
			ls.items = append(ls.items, s.newItem(it, now))
			i = len(ls.items) - 1
		} else {
			ls.items[i].item.Comment, ls.items[i].item.ModifiedOn = it.Comment, now
		}
		out = append(out, ls.items[i].item)
	}
	ls.list.ModifiedOn = now
	return out, nil
}

// replaceItems makes the items the list's only ones, all new.
func (s *Server) replaceItems(ls *listState, in []itemInput, now time.Time) error {
	if err := checkItems(in); err != nil {
		return err
	}
	ls.items = ls.items[:0:0]
	if _, err := s.upsertItems(ls, in, now); err != nil {
		return err
	}
	return nil
}

// removeItems deletes the items with the given ids; an id not in the list
// fails the whole removal.
func removeItems(ls *listState, ids []string, now time.Time) error {
	gone := map[string]bool{}
	for _, id := range ids {
		if !slices.ContainsFunc(ls.items, func(x listItemState) bool { return x.item.ID == id }) {
			return fmt.Errorf("item %q is not in the list", id)
		}
		gone[id] = true
	}
	ls.items = slices.DeleteFunc(ls.items, func(x listItemState) bool { return gone[x.item.ID] })
	ls.list.ModifiedOn = now
	return nil
}

func (s *Server) newItem(it itemInput, now time.Time) listItemState {
	id := s.nextID("list_item")
	return listItemState{seq: s.idSeq, item: ListItem{ID: id, IP: it.canonical, Comment: it.Comment, CreatedOn: now, ModifiedOn: now}}
}

// errNoList is the failure of an operation whose list was deleted meanwhile.
var errNoList = errors.New("list not found")
