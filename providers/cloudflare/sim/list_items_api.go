package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Handlers of the list items endpoints. Reads answer at once; writes start
// a bulk operation (see bulk.go) and answer {"operation_id": ...}.

// itemPaging: GET .../items defaults to 25 per page, 1..500.
var itemPaging = pageLimits{def: 25, min: 1, max: 500}

// itemsDeleteInput is the body of DELETE .../items.
type itemsDeleteInput struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
}

// listItems answers GET /accounts/{account}/rules/lists/{list}/items in
// creation order, with cursor pagination: per_page (default 25, clamped to
// 1..500), cursor (from result_info.cursors.after, present only when more
// items follow) and search (items whose ip starts with it).
func (s *Server) listItems(c *call) (reply, *apiError) {
	ls, err := c.list()
	if err != nil {
		return reply{}, err
	}
	p, err := parsePage(url.Values{"per_page": c.query["per_page"]}, itemPaging) // no page here
	if err != nil {
		return reply{}, err
	}
	after, err := parseCursor(c.query.Get("cursor"))
	if err != nil {
		return reply{}, err
	}
	search := c.query.Get("search")
	out, info, last := []ListItem{}, &cursorInfo{}, after
	for _, it := range ls.items {
		if it.seq <= after || !strings.HasPrefix(it.item.IP, search) {
			continue
		}
		if len(out) == p.perPage {
			info.Cursors.After = makeCursor(last)
			break
		}
		out, last = append(out, it.item), it.seq
	}
	return reply{result: out, info: info}, nil
}

// getItem answers GET .../items/{item}.
func (s *Server) getItem(c *call) (reply, *apiError) {
	ls, err := c.list()
	if err != nil {
		return reply{}, err
	}
	i := slices.IndexFunc(ls.items, func(x listItemState) bool { return x.item.ID == c.params["item"] })
	if i < 0 {
		return reply{}, newError(http.StatusNotFound, codeListNotFound, "list item not found")
	}
	return reply{result: ls.items[i].item}, nil
}

// createItems answers POST .../items (body [{ip, comment}, ...]): an
// operation that appends the items, an ip already in the list getting the
// new comment. An IPv6 CIDR of a prefix length outside /12../64 is refused
// at once (see checkItemRanges); the other items are validated when the
// operation completes: an invalid one fails it.
func (s *Server) createItems(c *call) (reply, *apiError) {
	return s.itemsOperation(c, checkItemRanges, func(s *Server, ls *listState, in []itemInput, now time.Time) error {
		_, err := s.upsertItems(ls, in, now)
		return err
	})
}

// updateAllItems answers PUT .../items: an operation that replaces every
// item of the list.
func (s *Server) updateAllItems(c *call) (reply, *apiError) {
	return s.itemsOperation(c, nil, (*Server).replaceItems)
}

// itemsOperation decodes an items array body, checks it with check (when
// set), and starts an operation that runs apply with it.
func (s *Server) itemsOperation(c *call, check func([]itemInput) *apiError,
	apply func(*Server, *listState, []itemInput, time.Time) error) (reply, *apiError) {
	ls, err := c.list()
	if err != nil {
		return reply{}, err
	}
	var in []itemInput
	if err := decodeArray(c.body, &in); err != nil {
		return reply{}, err
	}
	if check != nil {
		if err := check(in); err != nil {
			return reply{}, err
		}
	}
	return s.startOperation(c.account, ls, func(ls *listState, now time.Time) error { return apply(s, ls, in, now) }), nil
}

// checkItemRanges refuses, before any operation starts, the first item
// whose ip is an IPv6 CIDR of a prefix length outside /12../64 (a single
// address is no CIDR): 400, code 10035, the position being the item's
// index in the body, as in 400-10035-list-item-ipv6-cidr.
func checkItemRanges(in []itemInput) *apiError {
	for i, it := range in {
		p, err := netip.ParsePrefix(it.IP)
		if err == nil && p.Addr().Is6() && (p.Bits() < minItemBitsV6 || p.Bits() > maxItemBitsV6) {
			return newError(http.StatusBadRequest, codeListItemValue,
				"invalid value for ip at position %d: filters.api.IPv6 CIDRs should have a prefix length from /%d to /%d inclusive",
				i, minItemBitsV6, maxItemBitsV6)
		}
	}
	return nil
}

// deleteListItems answers DELETE .../items (body {"items": [{"id": ...}]},
// at least one): an operation that removes them; an id not in the list
// when it completes fails it.
func (s *Server) deleteListItems(c *call) (reply, *apiError) {
	ls, err := c.list()
	if err != nil {
		return reply{}, err
	}
	var in itemsDeleteInput
	if err := decodeBody(c.body, &in); err != nil {
		return reply{}, err
	}
	if len(in.Items) == 0 {
		return reply{}, errBadBody()
	}
	ids := make([]string, 0, len(in.Items))
	for _, it := range in.Items {
		ids = append(ids, it.ID)
	}
	return s.startOperation(c.account, ls, func(ls *listState, now time.Time) error { return removeItems(ls, ids, now) }), nil
}

// decodeArray parses a JSON array body into v; anything else is a 400 (code 9207).
func decodeArray(body []byte, v any) *apiError {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '[' || json.Unmarshal(trimmed, v) != nil {
		return errBadBody()
	}
	return nil
}

// makeCursor is the opaque cursor of the items created after counter value
// seq (the last item of a page), so deleting items between pages does not
// skip others.
func makeCursor(seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("after:" + strconv.FormatUint(seq, 10)))
}

// parseCursor reads a cursor ("" = from the start); a malformed one is a
// 400 (code 1001).
func parseCursor(cur string) (uint64, *apiError) {
	if cur == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cur)
	if err == nil {
		if n, ok := strings.CutPrefix(string(raw), "after:"); ok {
			if seq, err := strconv.ParseUint(n, 10, 64); err == nil {
				return seq, nil
			}
		}
	}
	return 0, errInvalidParam("cursor", "a cursor from result_info.cursors")
}
