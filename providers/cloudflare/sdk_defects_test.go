package cloudflare

// The tests in this file and in sdk_bodies_test.go show, against a test
// server, the cloudflare-go v0.119 defects this package works around; each
// is named where the workaround is.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
)

// plainSDK is the SDK alone, without flarewarden's transport, talking to a
// test server that records requests and answers with handle.
func plainSDK(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) (*cf.API, *recorder) {
	t.Helper()
	rec := &recorder{handle: handle}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	api, err := cf.NewWithAPIToken(testToken, cf.BaseURL(srv.URL+"/client/v4"), cf.UsingRateLimit(1000),
		cf.UsingRetryPolicy(0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return api, rec
}

// TestSDKTypedCallsIgnoreSuccessFalse: a 2xx answer whose envelope says
// "success": false reads as done to the SDK's typed calls; flarewarden's
// transport turns it into an error for every call (checkSuccess).
func TestSDKTypedCallsIgnoreSuccessFalse(t *testing.T) {
	t.Parallel()
	refuse := func(w http.ResponseWriter, r *http.Request, n int) {
		fail(w, http.StatusOK, 1004, "DNS Validation Error")
	}
	api, _ := plainSDK(t, refuse)
	ctx := context.Background()
	if err := api.DeleteDNSRecord(ctx, cf.ZoneIdentifier(testZone.ID), "r1"); err != nil {
		t.Errorf("SDK DeleteDNSRecord = %v; the defect is gone (nil expected)", err)
	}
	if _, err := api.GetListBulkOperation(ctx, cf.AccountIdentifier(testAccount), "op1"); err != nil {
		t.Errorf("SDK GetListBulkOperation = %v; the defect is gone (nil expected)", err)
	}
	h := newHarness(t, refuse)
	h.c.noBatch.turnOff()
	e := apiErr(t, h.c.Apply(ctx, testZone, []controller.Change{del("r1", "home.example.com", "A")}))
	if e.Status != http.StatusOK || !e.hasCode(1004) || e.Temporary() || e.Op != "delete" {
		t.Errorf("Apply = %v (status %d, codes %v); want the refusal as a permanent error", e, e.Status, e.Codes)
	}
}

// TestSDKPathsAreNotEscaped: the SDK puts identifiers into paths as they
// are; zoneRC and url.PathEscape give its requests flarewarden's paths.
func TestSDKPathsAreNotEscaped(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var paths []string
	api, _ := plainSDK(t, func(w http.ResponseWriter, r *http.Request, n int) {
		mu.Lock()
		paths = append(paths, r.URL.EscapedPath())
		mu.Unlock()
		ok(w, map[string]any{"id": "x"}, nil)
	})
	ctx := context.Background()
	_ = api.DeleteDNSRecord(ctx, cf.ZoneIdentifier("z"), "a/b")
	_ = api.DeleteDNSRecord(ctx, zoneRC("z"), url.PathEscape("a/b"))
	want := []string{"/client/v4/zones/z/dns_records/a/b", "/client/v4/zones/z/dns_records/a%2Fb"}
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("paths %q, want %q", paths, want)
	}
}

// TestSDKListsReadNullResultAsEmpty: every list call of the SDK reads
// "result": null as an empty list; flarewarden's listings refuse it.
func TestSDKListsReadNullResultAsEmpty(t *testing.T) {
	t.Parallel()
	null := func(w http.ResponseWriter, r *http.Request, n int) {
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "errors": []any{}, "messages": []any{}, "result": nil})
	}
	api, _ := plainSDK(t, null)
	zone, account := cf.ZoneIdentifier(testZone.ID), cf.AccountIdentifier(testAccount)
	for name, list := range map[string]func(ctx context.Context) (int, error){
		"ListDNSRecords": func(ctx context.Context) (int, error) {
			recs, _, err := api.ListDNSRecords(ctx, zone, cf.ListDNSRecordsParams{})
			return len(recs), err
		},
		"ListZonesContext": func(ctx context.Context) (int, error) {
			r, err := api.ListZonesContext(ctx)
			return len(r.Result), err
		},
		"ListZoneAccessRules": func(ctx context.Context) (int, error) {
			r, err := api.ListZoneAccessRules(ctx, testZone.ID, cf.AccessRule{}, 1)
			return len(r.Result), err
		},
		"ListIPAccessRules": func(ctx context.Context) (int, error) {
			rules, _, err := api.ListIPAccessRules(ctx, zone, cf.ListIPAccessRulesParams{})
			return len(rules), err
		},
		"ListLists": func(ctx context.Context) (int, error) {
			lists, err := api.ListLists(ctx, account, cf.ListListsParams{})
			return len(lists), err
		},
		"ListListItems": func(ctx context.Context) (int, error) {
			items, err := api.ListListItems(ctx, account, cf.ListListItemsParams{ID: testListID})
			return len(items), err
		},
	} {
		if n, err := list(context.Background()); n != 0 || err != nil {
			t.Errorf("SDK %s = %d items, %v; the defect is gone (0 items, no error expected)", name, n, err)
		}
	}
	clientRefusesNull(t, null)
}

// clientRefusesNull checks that every listing of the client refuses the
// null result that answer gives.
func clientRefusesNull(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) {
	t.Helper()
	h := newHarness(t, answer)
	ctx := context.Background()
	_, recErr := h.c.Records(ctx, testZone)
	_, zoneErr := h.c.Zones(ctx)
	_, accessErr := h.c.AccessRules(ctx, testZone)
	_, listErr := h.c.IPList(ctx, testAccount, "flarewarden_scripts")
	_, itemsErr := h.c.listItems(ctx, testAccount, testListID)
	for _, err := range []error{recErr, zoneErr, accessErr, listErr, itemsErr} {
		if !errors.Is(err, errMalformed) {
			t.Errorf("client listing = %v; want a malformed-answer error", err)
		}
	}
}

// zonePage answers one page of n zones with the given result_info.
func zonePage(w http.ResponseWriter, n int, info map[string]int) {
	zones := make([]controller.Zone, n)
	for i := range zones {
		zones[i] = controller.Zone{ID: "z" + strconv.Itoa(i), Name: "z" + strconv.Itoa(i) + ".example"}
	}
	ok(w, zones, info)
}

// TestSDKListZonesTrustsResultInfo: ListZonesContext sizes its buffer from
// result_info.total_count: a total that disagrees with the pages loses
// zones without error, or panics.
func TestSDKListZonesTrustsResultInfo(t *testing.T) {
	t.Parallel()
	lost := func(w http.ResponseWriter, r *http.Request, n int) {
		zonePage(w, 2, map[string]int{"page": 1, "per_page": 50, "count": 2, "total_count": 3, "total_pages": 1})
	}
	api, _ := plainSDK(t, lost)
	if r, err := api.ListZonesContext(context.Background()); err != nil || len(r.Result) != 2 {
		t.Errorf("SDK ListZonesContext = %d zones, %v; the defect is gone (2 zones, no error expected)", len(r.Result), err)
	}
	h := newHarness(t, lost)
	if _, err := h.c.Zones(context.Background()); !errors.Is(err, errMalformed) {
		t.Errorf("Zones = %v; want a malformed-answer error (3 announced, 2 listed)", err)
	}
	api, _ = plainSDK(t, func(w http.ResponseWriter, r *http.Request, n int) {
		zonePage(w, 1, map[string]int{"page": 1, "per_page": 50, "count": 1, "total_count": 1, "total_pages": 2})
	})
	defer func() {
		if recover() == nil {
			t.Error("SDK ListZonesContext did not panic; the defect is gone")
		}
	}()
	_, _ = api.ListZonesContext(context.Background())
}

// TestSDKListDNSRecordsPagesOnlyWithoutPageSize: ListDNSRecords follows
// pages only with neither PerPage nor Page set (then 100 a page), and
// never checks total_count.
func TestSDKListDNSRecordsPagesOnlyWithoutPageSize(t *testing.T) {
	t.Parallel()
	all := []map[string]any{apiRec("r1", "a.example.com", "A", "192.0.2.1"), apiRec("r2", "b.example.com", "A", "192.0.2.2"),
		apiRec("r3", "c.example.com", "A", "192.0.2.3")}
	twoPages := func(w http.ResponseWriter, r *http.Request, n int) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		lo, hi := min(2*(page-1), 3), min(2*page, 3)
		ok(w, all[lo:hi], map[string]int{"page": page, "per_page": 2, "count": hi - lo, "total_count": 3, "total_pages": 2})
	}
	api, rec := plainSDK(t, twoPages)
	zone := cf.ZoneIdentifier(testZone.ID)
	recs, _, err := api.ListDNSRecords(context.Background(), zone, cf.ListDNSRecordsParams{ResultInfo: cf.ResultInfo{PerPage: 2}})
	if err != nil || len(recs) != 2 || len(rec.all()) != 1 {
		t.Errorf("SDK ListDNSRecords(PerPage 2) = %d records after %d requests, %v; the defect is gone (2 after 1 expected)",
			len(recs), len(rec.all()), err)
	}
	api, rec = plainSDK(t, func(w http.ResponseWriter, r *http.Request, n int) {
		ok(w, all[:2], map[string]int{"page": 1, "per_page": 100, "count": 2, "total_count": 3, "total_pages": 1})
	})
	recs, _, err = api.ListDNSRecords(context.Background(), zone, cf.ListDNSRecordsParams{})
	if err != nil || len(recs) != 2 || !strings.Contains(rec.all()[0].Query, "per_page=100") {
		t.Errorf("SDK ListDNSRecords = %d records, %v, query %s; the defect is gone (2 of 3, 100 a page expected)",
			len(recs), err, rec.all()[0].Query)
	}
	h := newHarness(t, twoPages, func(o *Options) { o.PerPage = 2 })
	if got, err := h.c.Records(context.Background(), testZone); err != nil || len(got) != 3 {
		t.Errorf("Records = %d records, %v; want all 3", len(got), err)
	}
}

// TestSDKListListItemsFollowsARepeatingCursor: ListListItems asks for the
// same cursor again and again; flarewarden stops at the repeat.
func TestSDKListListItemsFollowsARepeatingCursor(t *testing.T) {
	t.Parallel()
	const enough = 25
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	api, rec := plainSDK(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n+1 >= enough {
			cancel()
		}
		itemsPage(w, "c1", apiItem("i1", "192.0.2.1", ""))
	})
	_, err := api.ListListItems(ctx, cf.AccountIdentifier(testAccount), cf.ListListItemsParams{ID: testListID})
	if n := len(rec.all()); n < enough || !errors.Is(err, context.Canceled) {
		t.Errorf("SDK ListListItems stopped after %d requests with %v; the defect is gone (stopped only by the cancel expected)", n, err)
	}
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		itemsPage(w, "c1", apiItem("i1", "192.0.2.1", ""))
	})
	if _, err := h.c.listItems(context.Background(), testAccount, testListID); !errors.Is(err, errMalformed) || len(h.rec.all()) != 2 {
		t.Errorf("listItems = %v after %d requests; want a malformed-answer error after 2", err, len(h.rec.all()))
	}
}

// TestSDKRulesetCannotTellNullRules: GetEntrypointRuleset gives the same
// cf.Ruleset for "rules": null (malformed) and for no rules field (an
// entrypoint without rules); Entrypoint tells them apart.
func TestSDKRulesetCannotTellNullRules(t *testing.T) {
	t.Parallel()
	answer := func(rules bool) func(w http.ResponseWriter, r *http.Request, n int) {
		return func(w http.ResponseWriter, r *http.Request, n int) {
			rs := map[string]any{"id": testRulesetID, "phase": controller.CustomRulesPhase, "version": "2"}
			if rules {
				rs["rules"] = nil
			}
			ok(w, rs, nil)
		}
	}
	var got []cf.Ruleset
	for _, null := range []bool{true, false} {
		api, _ := plainSDK(t, answer(null))
		rs, err := api.GetEntrypointRuleset(context.Background(), cf.ZoneIdentifier(testZone.ID), controller.CustomRulesPhase)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rs)
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		t.Errorf("SDK rulesets differ (%+v, %+v); the defect is gone", got[0], got[1])
	}
	_, nullErr := newHarness(t, answer(true)).c.Entrypoint(context.Background(), testZone)
	_, noFieldErr := newHarness(t, answer(false)).c.Entrypoint(context.Background(), testZone)
	if !errors.Is(nullErr, errMalformed) || noFieldErr != nil {
		t.Errorf("Entrypoint = %v for null rules, %v without the field; want malformed, then no error", nullErr, noFieldErr)
	}
}
