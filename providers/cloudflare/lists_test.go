package cloudflare

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

const testListID = "2c0fc9fa937b11eaa1b71c4d701ab86e"

// accountLists answers GET /accounts/{a}/rules/lists.
func accountLists(w http.ResponseWriter) {
	ok(w, []any{
		map[string]any{"id": "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f", "name": "flarewarden_scripts_old", "kind": "ip", "num_items": 1},
		map[string]any{"id": testListID, "name": "flarewarden_scripts", "kind": "ip", "num_items": 3},
	}, nil)
}

// itemsPage answers a page of items with the cursor to the next one ("" for none).
func itemsPage(w http.ResponseWriter, after string, items ...map[string]any) {
	info := map[string]any{}
	if after != "" {
		info["cursors"] = map[string]any{"after": after}
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": items, "result_info": info})
}

func apiItem(id, ip, comment string) map[string]any {
	return map[string]any{"id": id, "ip": ip, "comment": comment, "created_on": "2024-08-01T10:00:00Z", "modified_on": "2024-08-01T10:00:00Z"}
}

func TestIPListFollowsCursors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch r.URL.Query().Get("cursor") {
		case "":
			if !strings.HasSuffix(r.URL.Path, "/items") {
				accountLists(w)
				return
			}
			itemsPage(w, "c1", apiItem("i1", "203.0.113.7", "managed-by=flarewarden"))
		case "c1":
			itemsPage(w, "c2", apiItem("i2", "2001:db8::/64", ""))
		default:
			itemsPage(w, "", apiItem("i3", "198.51.100.0/24", "office"))
		}
	})
	list, err := h.c.IPList(context.Background(), testAccount, "flarewarden_scripts")
	if err != nil {
		t.Fatalf("IPList: %v", err)
	}
	lists := "GET /accounts/" + testAccount + "/rules/lists"
	items := lists + "/" + testListID + "/items?per_page=500"
	if got, want := requestLines(h.rec.all()), []string{lists, items, items + "&cursor=c1", items + "&cursor=c2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("requests\n got %q\nwant %q", got, want)
	}
	want := controller.IPList{AccountID: testAccount, ID: testListID, Name: "flarewarden_scripts", Items: []controller.ListItem{
		{ID: "i1", IP: "203.0.113.7", Comment: "managed-by=flarewarden"},
		{ID: "i2", IP: "2001:db8::/64"},
		{ID: "i3", IP: "198.51.100.0/24", Comment: "office"},
	}}
	if !reflect.DeepEqual(list, want) {
		t.Errorf("IPList\n got %+v\nwant %+v", list, want)
	}
}

func TestIPListMissing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { accountLists(w) })
	list, err := h.c.IPList(context.Background(), testAccount, "flarewarden_home")
	want := controller.IPList{AccountID: testAccount, Name: "flarewarden_home"}
	if err != nil || !reflect.DeepEqual(list, want) || len(h.rec.all()) != 1 {
		t.Errorf("IPList = %+v, %v after %d requests; want %+v after 1", list, err, len(h.rec.all()), want)
	}
}

func TestIPListErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		items func(w http.ResponseWriter, cursor string)
		lists func(w http.ResponseWriter)
		temp  bool
		want  string
	}{
		"repeated cursor": {items: func(w http.ResponseWriter, cursor string) { itemsPage(w, "c1", apiItem("i1", "192.0.2.1", "")) },
			temp: true, want: `malformed cloudflare answer: list item cursor "c1" repeats`},
		"item without id": {items: func(w http.ResponseWriter, cursor string) { itemsPage(w, "", apiItem("", "192.0.2.1", "")) },
			temp: true, want: "malformed cloudflare answer: list item without id or ip"},
		"list without id": {temp: true, want: "malformed cloudflare answer: list without id or name",
			lists: func(w http.ResponseWriter) {
				ok(w, []any{map[string]any{"name": "flarewarden_scripts", "kind": "ip"}}, nil)
			}},
		"hostname list": {lists: func(w http.ResponseWriter) {
			ok(w, []any{map[string]any{"id": testListID, "name": "flarewarden_scripts", "kind": "hostname"}}, nil)
		}, want: `invalid request: list flarewarden_scripts is of kind "hostname", not "ip"`},
		"api error": {lists: func(w http.ResponseWriter) { fail(w, http.StatusForbidden, 10000, "Authentication error") },
			want: "cloudflare HTTP 403 code 10000: Authentication error"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
				switch {
				case !strings.HasSuffix(r.URL.Path, "/items") && tc.lists != nil:
					tc.lists(w)
				case !strings.HasSuffix(r.URL.Path, "/items"):
					accountLists(w)
				default:
					tc.items(w, r.URL.Query().Get("cursor"))
				}
			})
			list, err := h.c.IPList(context.Background(), testAccount, "flarewarden_scripts")
			e := apiErr(t, err)
			want := "read ip list flarewarden_scripts in account " + testAccount + ": " + tc.want
			if list.ID != "" || list.Items != nil || e.Error() != want || e.Temporary() != tc.temp {
				t.Errorf("IPList = %+v, %q (temporary %v);\nwant no list and %q (temporary %v)", list, e, e.Temporary(), want, tc.temp)
			}
		})
	}
}

func TestIPListRejectsMissingAccountOrName(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { accountLists(w) })
	for _, args := range [][2]string{{"", "flarewarden_scripts"}, {testAccount, ""}} {
		_, err := h.c.IPList(context.Background(), args[0], args[1])
		if e := apiErr(t, err); e.Temporary() || !strings.Contains(e.Error(), "invalid request") {
			t.Errorf("IPList(%q, %q) = %v; want a permanent invalid-request error", args[0], args[1], e)
		}
	}
	if n := len(h.rec.all()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}
