package cloudflare

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// fastPolls makes bulk operations polled every millisecond.
func fastPolls(o *Options) { o.BulkPollInterval = time.Millisecond }

func itemChange(action controller.Action, list controller.IPList, id, ip string) controller.ListItemChange {
	return controller.ListItemChange{Action: action, List: list, Item: controller.ListItem{ID: id, IP: ip, Comment: "managed-by=flarewarden"}}
}

// bulkAPI answers list writes with operation ids and polls with status(op, poll).
func bulkAPI(status func(op string, poll int) (string, string)) func(w http.ResponseWriter, r *http.Request, n int) {
	var polls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case strings.Contains(r.URL.Path, "/bulk_operations/"):
			op := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
			st, msg := status(op, int(polls.Add(1)))
			res := map[string]any{"id": op, "status": st}
			if msg != "" {
				res["error"] = msg
			}
			ok(w, res, nil)
		case strings.HasSuffix(r.URL.Path, "/items"):
			ok(w, map[string]any{"operation_id": "op-" + strings.ToLower(r.Method)}, nil)
		default:
			ok(w, map[string]any{"id": testListID, "name": "flarewarden_scripts", "kind": "ip", "num_items": 0}, nil)
		}
	}
}

// testLists is the path of the test account's lists, testItems that of the
// test list's items.
const (
	testLists = "/accounts/" + testAccount + "/rules/lists"
	testItems = testLists + "/" + testListID + "/items"
)

// applyIPList applies changes to list, which must succeed with the requests
// want, and returns the requests.
func applyIPList(t *testing.T, h *harness, list controller.IPList, changes []controller.ListItemChange, want ...string) []hit {
	t.Helper()
	if err := h.c.ApplyIPList(context.Background(), list, changes); err != nil {
		t.Fatalf("ApplyIPList: %v", err)
	}
	hits := h.rec.all()
	if got := requestLines(hits); !reflect.DeepEqual(got, want) {
		t.Fatalf("requests\n got %q\nwant %q", got, want)
	}
	return hits
}

func TestApplyIPListCreatesListThenAdds(t *testing.T) {
	t.Parallel()
	h := newHarness(t, bulkAPI(func(op string, poll int) (string, string) {
		switch poll {
		case 1:
			return "pending", ""
		case 2:
			return "running", ""
		}
		return "completed", ""
	}), fastPolls)
	list := controller.IPList{AccountID: testAccount, Name: "flarewarden_scripts"}
	changes := []controller.ListItemChange{
		itemChange(controller.ActionCreate, list, "", "203.0.113.7"),
		itemChange(controller.ActionCreate, list, "", "2001:db8::/64"),
	}
	poll := "GET " + testLists + "/bulk_operations/op-post"
	hits := applyIPList(t, h, list, changes, "POST "+testLists, "POST "+testItems, poll, poll, poll)
	if got, want := hits[0].Body, `{"name":"flarewarden_scripts","kind":"ip","description":"managed by flarewarden"}`; !sameJSON(got, want) {
		t.Errorf("create list body %s, want %s", got, want)
	}
	if got, want := hits[1].Body, `[{"ip":"203.0.113.7","comment":"managed-by=flarewarden"},{"ip":"2001:db8::/64","comment":"managed-by=flarewarden"}]`; got != want {
		t.Errorf("add items body %s, want %s", got, want)
	}
}

func TestApplyIPListOneAddAndOneRemove(t *testing.T) {
	t.Parallel()
	h := newHarness(t, bulkAPI(func(string, int) (string, string) { return "completed", "" }), fastPolls)
	list := controller.IPList{AccountID: testAccount, ID: testListID, Name: "flarewarden_scripts"}
	changes := []controller.ListItemChange{
		itemChange(controller.ActionDelete, list, "i1", "192.0.2.1"),
		itemChange(controller.ActionCreate, list, "", "203.0.113.7"),
		itemChange(controller.ActionDelete, list, "i2", "192.0.2.2"),
	}
	hits := applyIPList(t, h, list, changes, "POST "+testItems, "GET "+testLists+"/bulk_operations/op-post",
		"DELETE "+testItems, "GET "+testLists+"/bulk_operations/op-delete")
	if got, want := hits[2].Body, `{"items":[{"id":"i1"},{"id":"i2"}]}`; got != want {
		t.Errorf("remove items body %s, want %s", got, want)
	}
}

func TestApplyIPListBulkFailed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, bulkAPI(func(op string, poll int) (string, string) {
		if poll == 1 {
			return "pending", ""
		}
		return "failed", "'300.1.1.1' is not a valid IP address"
	}), fastPolls)
	list := controller.IPList{AccountID: testAccount, ID: testListID, Name: "flarewarden_scripts"}
	changes := []controller.ListItemChange{
		itemChange(controller.ActionCreate, list, "", "300.1.1.1"),
		itemChange(controller.ActionDelete, list, "i1", "192.0.2.1"),
	}
	e := apiErr(t, h.c.ApplyIPList(context.Background(), list, changes))
	want := "add items 300.1.1.1 to ip list flarewarden_scripts in account " + testAccount +
		": cloudflare operation failed: bulk operation op-post: '300.1.1.1' is not a valid IP address"
	if e.Error() != want || e.Temporary() {
		t.Errorf("error\n got %q\nwant %q (permanent)", e, want)
	}
	for _, x := range h.rec.all() {
		if x.Method == http.MethodDelete {
			t.Error("items removed after a failed add")
		}
	}
}

func TestApplyIPListBulkTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, bulkAPI(func(string, int) (string, string) { return "running", "" }),
		fastPolls, func(o *Options) { o.BulkTimeout = 30 * time.Millisecond })
	list := controller.IPList{AccountID: testAccount, ID: testListID, Name: "flarewarden_scripts"}
	e := apiErr(t, h.c.ApplyIPList(context.Background(), list, []controller.ListItemChange{itemChange(controller.ActionCreate, list, "", "203.0.113.7")}))
	if !e.Temporary() || !strings.HasSuffix(e.Error(), "bulk operation op-post still running after 30ms") {
		t.Errorf("error %q; want a temporary still-running error", e)
	}
}

func TestApplyIPListPollStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newHarness(t, bulkAPI(func(string, int) (string, string) {
		cancel() // during the first poll; the client then waits an hour
		return "pending", ""
	}), func(o *Options) { o.BulkPollInterval = time.Hour })
	list := controller.IPList{AccountID: testAccount, ID: testListID, Name: "flarewarden_scripts"}
	start := time.Now()
	err := h.c.ApplyIPList(ctx, list, []controller.ListItemChange{itemChange(controller.ActionCreate, list, "", "203.0.113.7")})
	if e := apiErr(t, err); !errors.Is(e, context.Canceled) || e.Temporary() || time.Since(start) > 10*time.Second {
		t.Errorf("ApplyIPList = %v after %s; want a prompt canceled error", e, time.Since(start))
	}
}

func TestAwaitBulkBacksOffToACap(t *testing.T) {
	t.Parallel()
	h := newHarness(t, bulkAPI(func(op string, poll int) (string, string) {
		if poll < 8 {
			return "pending", ""
		}
		return "completed", ""
	}), func(o *Options) { o.BulkPollInterval = 5 * time.Millisecond })
	if err := h.c.awaitBulk(context.Background(), testAccount, "op1"); err != nil {
		t.Fatalf("awaitBulk: %v", err)
	}
	hits := h.rec.all()
	if len(hits) != 8 {
		t.Fatalf("%d polls, want 8", len(hits))
	}
	floors := []time.Duration{5, 10, 20, 40, 40, 40, 40} // ms: doubling, capped at 8x
	for i, floor := range floors {
		gap := hits[i+1].At.Sub(hits[i].At)
		if gap < floor*time.Millisecond {
			t.Errorf("wait %d was %s, want at least %dms", i+1, gap, floor)
		}
		if i == len(floors)-1 && gap > 160*time.Millisecond {
			t.Errorf("wait %d was %s; the cap is 40ms", i+1, gap)
		}
	}
}

func TestApplyIPListMalformedAnswers(t *testing.T) {
	t.Parallel()
	list := controller.IPList{AccountID: testAccount, ID: testListID, Name: "flarewarden_scripts"}
	add := []controller.ListItemChange{itemChange(controller.ActionCreate, list, "", "203.0.113.7")}
	for name, answer := range map[string]func(w http.ResponseWriter, r *http.Request){
		"no operation id": func(w http.ResponseWriter, r *http.Request) { ok(w, map[string]any{}, nil) },
		"unknown status": func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				ok(w, map[string]any{"id": "op1", "status": "queued"}, nil)
				return
			}
			ok(w, map[string]any{"operation_id": "op1"}, nil)
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { answer(w, r) }, fastPolls)
			e := apiErr(t, h.c.ApplyIPList(context.Background(), list, add))
			if !e.Temporary() || !strings.HasPrefix(e.Error(), "add items 203.0.113.7 to ip list flarewarden_scripts in account "+testAccount+": malformed") {
				t.Errorf("error %q; want a temporary malformed-answer error naming the items, list and account", e)
			}
		})
	}
	t.Run("created list without id", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { ok(w, map[string]any{"name": "x"}, nil) }, fastPolls)
		fresh := controller.IPList{AccountID: testAccount, Name: "flarewarden_scripts"}
		e := apiErr(t, h.c.ApplyIPList(context.Background(), fresh, []controller.ListItemChange{itemChange(controller.ActionCreate, fresh, "", "203.0.113.7")}))
		if !e.Temporary() || e.Error() != "create ip list flarewarden_scripts in account "+testAccount+": malformed cloudflare answer: created list without id" || len(h.rec.all()) != 1 {
			t.Errorf("error %q after %d requests; want a malformed-answer error after 1", e, len(h.rec.all()))
		}
	})
}

func TestApplyIPListRejectsInvalidChangesBeforeWriting(t *testing.T) {
	t.Parallel()
	list := controller.IPList{AccountID: testAccount, ID: testListID, Name: "flarewarden_scripts"}
	other := list
	other.Name = "flarewarden_other"
	fresh := controller.IPList{AccountID: testAccount, Name: list.Name}
	anonymous := controller.IPList{Name: list.Name}
	for name, tc := range map[string]struct {
		list controller.IPList
		ch   controller.ListItemChange
	}{
		"other list":           {list, itemChange(controller.ActionCreate, other, "", "203.0.113.7")},
		"other list id":        {list, itemChange(controller.ActionCreate, controller.IPList{AccountID: testAccount, ID: "x", Name: list.Name}, "", "203.0.113.7")},
		"add without ip":       {list, itemChange(controller.ActionCreate, list, "", "")},
		"remove without id":    {list, itemChange(controller.ActionDelete, list, "", "192.0.2.1")},
		"unknown action":       {list, itemChange("update", list, "i1", "192.0.2.1")},
		"remove from new list": {fresh, itemChange(controller.ActionDelete, fresh, "i1", "192.0.2.1")},
		"no account":           {anonymous, itemChange(controller.ActionCreate, anonymous, "", "192.0.2.1")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, bulkAPI(func(string, int) (string, string) { return "completed", "" }), fastPolls)
			e := apiErr(t, h.c.ApplyIPList(context.Background(), tc.list, []controller.ListItemChange{tc.ch}))
			if e.Temporary() || len(h.rec.all()) != 0 || !strings.Contains(e.Error(), "invalid request") {
				t.Errorf("error %v after %d requests; want a permanent invalid-request error and no request", e, len(h.rec.all()))
			}
		})
	}
}

func TestBulkFailureTextIsRedacted(t *testing.T) {
	t.Parallel()
	h := newHarness(t, bulkAPI(func(string, int) (string, string) { return "failed", "token " + testToken + " may not" }), fastPolls)
	list := controller.IPList{AccountID: testAccount, ID: testListID, Name: "flarewarden_scripts"}
	e := apiErr(t, h.c.ApplyIPList(context.Background(), list, []controller.ListItemChange{itemChange(controller.ActionCreate, list, "", "203.0.113.7")}))
	if !strings.Contains(e.Error(), "token [redacted] may not") {
		t.Errorf("error %q; want the failure text with the token redacted", e)
	}
}

func TestBulkPolicyDefaults(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{{Token: testToken}, {Token: testToken, BulkPollInterval: -1, BulkTimeout: -1}} {
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		if want := (bulkPolicy{interval: DefaultBulkPollInterval, timeout: DefaultBulkTimeout}); c.bulk != want {
			t.Errorf("bulk policy %+v, want %+v", c.bulk, want)
		}
	}
}
