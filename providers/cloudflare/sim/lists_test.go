package sim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// listsPath is the path of the default account's lists plus suffix.
func listsPath(suffix string) string {
	return "/accounts/" + DefaultAccountID + "/rules/lists" + suffix
}

// newList creates an IP list through the API.
func (h *harness) newList(name string) List {
	h.t.Helper()
	var l List
	h.do(http.MethodPost, listsPath(""), map[string]any{"name": name, "kind": "ip", "description": "d"}).ok(h.t, &l)
	return l
}

// startOp sends an asynchronous items request and returns the operation id.
func (h *harness) startOp(method, listID string, body any) string {
	h.t.Helper()
	var ref operationRef
	h.do(method, listsPath("/"+listID+"/items"), body).created(h.t, &ref)
	if ref.OperationID == "" {
		h.t.Fatal("no operation_id")
	}
	return ref.OperationID
}

// poll polls an operation once.
func (h *harness) poll(id string) operationJSON {
	h.t.Helper()
	var op operationJSON
	h.do(http.MethodGet, listsPath("/bulk_operations/"+id), nil).ok(h.t, &op)
	return op
}

// ips lists the ips of a list's items as the Go API sees them.
func (h *harness) ips(listID string) string {
	var out []string
	for _, it := range h.s.ListItems(DefaultAccountID, listID) {
		out = append(out, it.IP)
	}
	return strings.Join(out, " ")
}

func TestListsCRUD(t *testing.T) {
	h := newHarness(t)
	l := h.newList("flarewarden_scripts")
	if !isHexID(l.ID) || l.Name != "flarewarden_scripts" || l.Kind != "ip" || l.Description != "d" || l.NumItems != 0 ||
		l.NumReferencingFilters != 0 || l.CreatedOn.IsZero() || !l.ModifiedOn.Equal(l.CreatedOn) {
		t.Errorf("created = %+v", l)
	}
	other := h.newList("other")
	var got List
	h.do(http.MethodGet, listsPath("/"+l.ID), nil).ok(t, &got)
	if got != l {
		t.Errorf("GET = %+v", got)
	}
	var all []List
	h.do(http.MethodGet, listsPath(""), nil).ok(t, &all)
	if len(all) != 2 || all[0] != l || all[1] != other {
		t.Errorf("lists = %+v", all)
	}
	var del deletedID
	h.do(http.MethodDelete, listsPath("/"+l.ID), nil).ok(t, &del)
	if del.ID != l.ID {
		t.Errorf("DELETE = %+v", del)
	}
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		h.do(m, listsPath("/"+l.ID), nil).fails(t, 404, codeListNotFound)
	}
	h.do(http.MethodGet, listsPath("/"+l.ID+"/items"), nil).fails(t, 404, codeListNotFound)
	h.do(http.MethodPost, listsPath("/"+l.ID+"/items"), `[]`).fails(t, 404, codeListNotFound)
	if ls := h.s.Lists(DefaultAccountID); len(ls) != 1 || ls[0] != other {
		t.Errorf("Go API lists = %+v", ls)
	}
}

func TestCreateListValidation(t *testing.T) {
	tests := []struct {
		name string
		body any
		code int
	}{
		{"upper case", map[string]any{"name": "Scripts", "kind": "ip"}, codeListInvalid},
		{"dash", map[string]any{"name": "my-list", "kind": "ip"}, codeListInvalid},
		{"empty name", map[string]any{"name": "", "kind": "ip"}, codeListInvalid},
		{"51 chars", map[string]any{"name": strings.Repeat("a", 51), "kind": "ip"}, codeListInvalid},
		{"no kind", map[string]any{"name": "a"}, codeListInvalid},
		{"asn kind", map[string]any{"name": "a", "kind": "asn"}, codeListInvalid},
		{"long description", map[string]any{"name": "a", "kind": "ip", "description": strings.Repeat("d", 501)}, codeListInvalid},
		{"taken name", map[string]any{"name": "taken", "kind": "ip"}, codeListDuplicate},
		{"array body", `[{"name":"a"}]`, codeBadBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.newList("taken")
			h.do(http.MethodPost, listsPath(""), tt.body).fails(t, http.StatusBadRequest, tt.code)
			if n := len(h.s.Lists(DefaultAccountID)); n != 1 {
				t.Errorf("%d lists after a refused create", n)
			}
		})
	}
	h := newHarness(t)
	h.newList(strings.Repeat("a_9", 16) + "xy") // 50 chars
}

func TestListItemsThroughOperations(t *testing.T) {
	h := newHarness(t)
	l := h.newList("scripts")
	op := h.startOp(http.MethodPost, l.ID, []map[string]any{{"ip": "203.0.113.7", "comment": "cron"}, {"ip": "2001:DB8::/48"}})
	var items []ListItem
	h.do(http.MethodGet, listsPath("/"+l.ID+"/items"), nil).ok(t, &items)
	if len(items) != 0 || h.ips(l.ID) != "" {
		t.Fatalf("items before the operation completed: %+v", items)
	}
	if got := h.poll(op); got.Status != "pending" || got.ID != op || got.Completed != nil || got.Error != "" {
		t.Fatalf("first poll = %+v", got)
	}
	if h.ips(l.ID) != "" {
		t.Fatal("applied before completion")
	}
	done := h.poll(op)
	if done.Status != "completed" || done.Completed == nil || done.Error != "" {
		t.Fatalf("second poll = %+v", done)
	}
	if again := h.poll(op); again.Status != "completed" || !again.Completed.Equal(*done.Completed) {
		t.Errorf("third poll = %+v", again)
	}
	h.do(http.MethodGet, listsPath("/"+l.ID+"/items"), nil).ok(t, &items)
	if len(items) != 2 || items[0].IP != "203.0.113.7" || items[0].Comment != "cron" || items[1].IP != "2001:db8::/48" || !isHexID(items[0].ID) {
		t.Fatalf("items = %+v", items)
	}
	var one ListItem
	h.do(http.MethodGet, listsPath("/"+l.ID+"/items/"+items[1].ID), nil).ok(t, &one)
	if one != items[1] {
		t.Errorf("item GET = %+v", one)
	}
	var got List
	h.do(http.MethodGet, listsPath("/"+l.ID), nil).ok(t, &got)
	if got.NumItems != 2 || !got.ModifiedOn.After(got.CreatedOn) {
		t.Errorf("list = %+v", got)
	}

	op = h.startOp(http.MethodDelete, l.ID, map[string]any{"items": []map[string]any{{"id": items[0].ID}}})
	h.poll(op)
	if got := h.poll(op); got.Status != "completed" || h.ips(l.ID) != "2001:db8::/48" {
		t.Errorf("delete operation = %+v, items %q", got, h.ips(l.ID))
	}
}

func TestItemsUpsertAndReplace(t *testing.T) {
	h := newHarness(t, WithBulkPolls(0))
	l := h.newList("scripts")
	h.poll(h.startOp(http.MethodPost, l.ID, []map[string]any{{"ip": "192.0.2.1", "comment": "old"}}))
	first := h.s.ListItems(DefaultAccountID, l.ID)[0]
	h.poll(h.startOp(http.MethodPost, l.ID, []map[string]any{{"ip": "192.0.2.1", "comment": "new"}, {"ip": "192.0.2.2"}}))
	items := h.s.ListItems(DefaultAccountID, l.ID)
	if len(items) != 2 || items[0].ID != first.ID || items[0].Comment != "new" || !items[0].ModifiedOn.After(first.ModifiedOn) {
		t.Errorf("after re-adding: %+v", items)
	}
	h.poll(h.startOp(http.MethodPut, l.ID, []map[string]any{{"ip": "198.51.100.0/24"}}))
	if items := h.s.ListItems(DefaultAccountID, l.ID); len(items) != 1 || items[0].IP != "198.51.100.0/24" || items[0].ID == first.ID {
		t.Errorf("after PUT: %+v", items)
	}
}

func TestBulkOperationFailures(t *testing.T) {
	tests := []struct {
		name   string
		method string
		body   func(existing string) any
		want   string
	}{
		{"invalid ip", http.MethodPost, func(string) any { return []map[string]any{{"ip": "192.0.2.5"}, {"ip": "300.1.1.1"}} }, `item 1: "300.1.1.1" is not a valid IP address`},
		{"host bits", http.MethodPost, func(string) any { return []map[string]any{{"ip": "192.0.2.1/24"}} }, "item 0"},
		{"prefix too short", http.MethodPut, func(string) any { return []map[string]any{{"ip": "10.0.0.0/7"}} }, "item 0"},
		{"no ip", http.MethodPost, func(string) any { return []map[string]any{{"comment": "x"}} }, "only items with an ip"},
		{"asn item", http.MethodPost, func(string) any { return []map[string]any{{"asn": 13335}} }, "only items with an ip"},
		{"unknown item id", http.MethodDelete, func(id string) any {
			return map[string]any{"items": []map[string]any{{"id": id}, {"id": "0123456789abcdef0123456789abcdef"}}}
		}, `item "0123456789abcdef0123456789abcdef" is not in the list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			l := h.newList("scripts")
			it, err := h.s.AddListItem(DefaultAccountID, l.ID, ListItem{IP: "192.0.2.9"})
			if err != nil {
				t.Fatal(err)
			}
			op := h.startOp(tt.method, l.ID, tt.body(it.ID))
			h.poll(op)
			got := h.poll(op)
			if got.Status != "failed" || !strings.Contains(got.Error, tt.want) || got.Completed == nil {
				t.Errorf("operation = %+v, want failed with %q", got, tt.want)
			}
			if h.ips(l.ID) != "192.0.2.9" {
				t.Errorf("a failed operation changed the list: %q", h.ips(l.ID))
			}
		})
	}
}

func TestBulkOperationOfDeletedList(t *testing.T) {
	h := newHarness(t)
	l := h.newList("scripts")
	op := h.startOp(http.MethodPost, l.ID, []map[string]any{{"ip": "192.0.2.1"}})
	h.do(http.MethodDelete, listsPath("/"+l.ID), nil).ok(t, nil)
	h.poll(op)
	if got := h.poll(op); got.Status != "failed" || got.Error != "list not found" {
		t.Errorf("operation = %+v", got)
	}
}

func TestBulkPolls(t *testing.T) {
	for polls, want := range map[int]string{0: "completed", 1: "pending completed", 3: "pending running running completed"} {
		h := newHarness(t, WithBulkPolls(polls))
		l := h.newList("scripts")
		op := h.startOp(http.MethodPost, l.ID, []map[string]any{{"ip": "192.0.2.1"}})
		var seen []string
		for range strings.Fields(want) {
			seen = append(seen, h.poll(op).Status)
		}
		if got := strings.Join(seen, " "); got != want {
			t.Errorf("WithBulkPolls(%d): statuses %q, want %q", polls, got, want)
		}
	}
}

// TestNewOperationCompletesThePrevious: an operation never polled to the
// end is applied before the next one on the same list.
func TestNewOperationCompletesThePrevious(t *testing.T) {
	h := newHarness(t)
	l := h.newList("scripts")
	first := h.startOp(http.MethodPost, l.ID, []map[string]any{{"ip": "192.0.2.1"}})
	second := h.startOp(http.MethodPost, l.ID, []map[string]any{{"ip": "192.0.2.2"}})
	if h.ips(l.ID) != "192.0.2.1" {
		t.Errorf("items = %q, want the first operation applied", h.ips(l.ID))
	}
	if got := h.poll(first); got.Status != "completed" {
		t.Errorf("first = %+v", got)
	}
	if got := h.poll(second); got.Status != "pending" {
		t.Errorf("second = %+v", got)
	}
}

func TestBulkOperationErrors(t *testing.T) {
	h := newHarness(t)
	l := h.newList("scripts")
	items := listsPath("/" + l.ID + "/items")
	h.do(http.MethodPost, items, map[string]any{"ip": "192.0.2.1"}).fails(t, 400, codeBadBody)
	h.do(http.MethodPost, items, `[{"ip": 5}]`).fails(t, 400, codeBadBody)
	h.do(http.MethodDelete, items, map[string]any{"items": []any{}}).fails(t, 400, codeBadBody)
	h.do(http.MethodDelete, items, `[{"id":"x"}]`).fails(t, 400, codeBadBody)
	h.do(http.MethodGet, listsPath("/bulk_operations/0123456789abcdef0123456789abcdef"), nil).fails(t, 404, codeOperationNotFound)
	op := h.startOp(http.MethodPost, l.ID, []map[string]any{{"ip": "192.0.2.1"}})
	other := "0123456789abcdef0123456789abcdef"
	h.s.AddAccount(other, "other")
	h.do(http.MethodGet, "/accounts/"+other+"/rules/lists/bulk_operations/"+op, nil).fails(t, 404, codeOperationNotFound)
}

// TestItemIPv6RangeRefused: POST .../items refuses an IPv6 CIDR outside
// /12../64 at once with 10035 naming its position, starting no operation
// (the pending one stays pending); single addresses and IPv4 go on.
func TestItemIPv6RangeRefused(t *testing.T) {
	h := newHarness(t, WithBulkPolls(0))
	l := h.newList("scripts")
	items := listsPath("/" + l.ID + "/items")
	pending := h.startOp(http.MethodPost, l.ID, []map[string]any{{"ip": "192.0.2.1"}})
	for pos, ip := range map[int]string{0: "2001:db8::/4", 1: "2001:db8::/65", 2: "2001:db8::1/128"} {
		body := []map[string]any{{"ip": "2001:db8::1"}, {"ip": "10.0.0.0/8"}, {"ip": "2001:db8::/64"}}[:pos]
		a := h.do(http.MethodPost, items, append(body, map[string]any{"ip": ip}))
		a.fails(t, 400, codeListItemValue)
		want := fmt.Sprintf("invalid value for ip at position %d: filters.api.IPv6 CIDRs should have a prefix length from /12 to /64 inclusive", pos)
		if got := a.env.Errors[0].Message; got != want {
			t.Errorf("%s: message %q, want %q", ip, got, want)
		}
	}
	if len(h.s.operations) != 1 || h.s.operations[pending].status != "pending" || h.ips(l.ID) != "" {
		t.Fatalf("a refused body wrote: %d operations, items %q", len(h.s.operations), h.ips(l.ID))
	}
	op := h.startOp(http.MethodPost, l.ID, []map[string]any{{"ip": "2001:db8::1"}, {"ip": "2000::/12"}, {"ip": "2001:db8::/64"}, {"ip": "10.0.0.0/8"}})
	if got := h.poll(op); got.Status != "completed" {
		t.Fatalf("poll = %+v", got)
	}
	if got := h.ips(l.ID); got != "192.0.2.1 2001:db8::1 2000::/12 2001:db8::/64 10.0.0.0/8" {
		t.Errorf("items = %q", got)
	}
}

func TestListItemsPagination(t *testing.T) {
	h := newHarness(t, WithBulkPolls(0))
	l := h.newList("scripts")
	for _, ip := range []string{"192.0.2.1", "192.0.2.2", "198.51.100.1", "192.0.2.3", "2001:db8::1"} {
		if _, err := h.s.AddListItem(DefaultAccountID, l.ID, ListItem{IP: ip}); err != nil {
			t.Fatal(err)
		}
	}
	page := func(query string) (string, string) {
		t.Helper()
		var items []ListItem
		var info struct{ Cursors struct{ After string } }
		a := h.do(http.MethodGet, listsPath("/"+l.ID+"/items"+query), nil)
		a.ok(t, &items)
		if err := resultInfoOf(a.raw, &info); err != nil {
			t.Fatal(err)
		}
		var ips []string
		for _, it := range items {
			ips = append(ips, it.IP)
		}
		return strings.Join(ips, " "), info.Cursors.After
	}
	got, after := page("?per_page=2")
	if got != "192.0.2.1 192.0.2.2" || after == "" {
		t.Fatalf("page 1 = %q, after %q", got, after)
	}
	// Deleting an item of the next page between calls skips nothing else.
	third := h.s.ListItems(DefaultAccountID, l.ID)[2]
	if op := h.poll(h.startOp(http.MethodDelete, l.ID, map[string]any{"items": []map[string]any{{"id": third.ID}}})); op.Status != "completed" {
		t.Fatalf("delete = %+v", op)
	}
	if got, after = page("?per_page=2&cursor=" + after); got != "192.0.2.3 2001:db8::1" || after != "" {
		t.Errorf("page 2 = %q, after %q", got, after)
	}
	if got, _ = page("?search=192.0.2."); got != "192.0.2.1 192.0.2.2 192.0.2.3" {
		t.Errorf("search = %q", got)
	}
	if got, after = page("?per_page=0"); got != "192.0.2.1" || after == "" {
		t.Errorf("per_page=0 = %q (clamped to 1)", got)
	}
	for _, q := range []string{"?cursor=nope", "?cursor=YWZ0ZXI6eA", "?per_page=x"} {
		h.do(http.MethodGet, listsPath("/"+l.ID+"/items"+q), nil).fails(t, 400, codeInvalidParam)
	}
}

func TestCanonicalItemIP(t *testing.T) {
	tests := map[string]string{ // input: canonical, "" = invalid
		"203.0.113.7": "203.0.113.7", "2001:DB8::1": "2001:db8::1", "10.0.0.0/8": "10.0.0.0/8",
		"203.0.113.7/32": "203.0.113.7/32", "2000::/12": "2000::/12", "2001:db8::/64": "2001:db8::/64",
		"10.0.0.0/7": "", "10.0.0.1/8": "", "2000::/11": "", "2001:db8::/65": "", "2001:db8::1/128": "",
		"fe80::1%eth0": "", "::ffff:192.0.2.1": "",
		"::ffff:192.0.2.0/120": "", "x": "", "": "", "192.0.2.1 ": "",
	}
	for in, want := range tests {
		got, ok := canonicalItemIP(in)
		if ok != (want != "") || ok && got != want {
			t.Errorf("canonicalItemIP(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestAccountVisibility(t *testing.T) {
	h := newHarness(t)
	other := "0123456789abcdef0123456789abcdef"
	h.s.AddAccount(other, "Home")
	h.s.AddZone("other.org")
	if err := h.s.SetZoneAccount("other.org", other); err != nil {
		t.Fatal(err)
	}
	h.s.AddToken("restricted", TokenOptions{Zones: []string{"other.org"}})
	h.s.AddToken("ro", TokenOptions{ReadOnly: true})
	own := "/accounts/" + other + "/rules/lists"
	h.doAs("Bearer restricted", http.MethodGet, own, nil).ok(t, nil)
	h.doAs("Bearer restricted", http.MethodGet, listsPath(""), nil).fails(t, 400, codeBadObjectID)
	h.do(http.MethodGet, "/accounts/ffffffffffffffffffffffffffffffff/rules/lists", nil).fails(t, 400, codeBadObjectID)
	h.doAs("Bearer nope", http.MethodGet, own, nil).fails(t, 403, codeAuth)
	h.doAs("Bearer ro", http.MethodGet, own, nil).ok(t, nil)
	h.doAs("Bearer ro", http.MethodPost, own, map[string]any{"name": "x", "kind": "ip"}).fails(t, 403, codeAuth)

	var z struct{ Account zoneAccount }
	h.do(http.MethodGet, "/zones/"+hexID("zone", "other.org"), nil).ok(t, &z)
	if z.Account != (zoneAccount{ID: other, Name: "Home"}) {
		t.Errorf("zone account = %+v", z.Account)
	}
	h.do(http.MethodGet, h.zonePath(""), nil).ok(t, &z)
	if z.Account != (zoneAccount{ID: DefaultAccountID, Name: defaultAccountName}) {
		t.Errorf("default zone account = %+v", z.Account)
	}
}

func TestListsGoAPI(t *testing.T) {
	s := New()
	if DefaultAccountID != hexID("account", "sim") {
		t.Errorf("DefaultAccountID = %s", DefaultAccountID)
	}
	l, err := s.AddList(DefaultAccountID, List{Name: "scripts", Description: "d"})
	if err != nil || l.Kind != "ip" || l.NumItems != 0 {
		t.Fatalf("AddList = %+v, %v", l, err)
	}
	for name, err := range map[string]error{
		"unknown account":   errOf(s.AddList("0123456789abcdef0123456789abcdef", List{Name: "x"})),
		"bad name":          errOf(s.AddList(DefaultAccountID, List{Name: "X"})),
		"unknown list":      errOf(s.AddListItem(DefaultAccountID, "0123456789abcdef0123456789abcdef", ListItem{IP: "192.0.2.1"})),
		"bad ip":            errOf(s.AddListItem(DefaultAccountID, l.ID, ListItem{IP: "192.0.2.1/33"})),
		"zone of no one":    s.SetZoneAccount("nope.com", DefaultAccountID),
		"account of no one": s.SetZoneAccount(s.AddZone(testZone).Name, "0123456789abcdef0123456789abcdef"),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	it, err := s.AddListItem(DefaultAccountID, l.ID, ListItem{IP: "192.0.2.1", Comment: "c", ID: "ignored"})
	if err != nil || !isHexID(it.ID) || it.Comment != "c" {
		t.Fatalf("AddListItem = %+v, %v", it, err)
	}
	if ls := s.Lists(DefaultAccountID); len(ls) != 1 || ls[0].NumItems != 1 {
		t.Errorf("Lists = %+v", ls)
	}
	if s.Lists("0123456789abcdef0123456789abcdef") != nil || s.ListItems(DefaultAccountID, "nope") != nil {
		t.Error("unknown account or list is not nil")
	}
	if len(s.Requests()) != 0 {
		t.Error("Go API calls were logged")
	}
}
