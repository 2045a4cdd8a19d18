package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestRecordsPaginatesAllTypes(t *testing.T) {
	t.Parallel()
	all := []map[string]any{
		apiRec("r1", "Example.COM.", "A", "203.0.113.7"),
		apiRec("r2", "home.example.com", "CNAME", "myhome.duckdns.org"),
		apiRec("r3", "v6.example.com", "AAAA", "2001:db8::1"),
		apiRec("r4", "example.com", "TXT", "v=spf1 -all"),
		apiRec("r5", "WWW.example.com", "A", "203.0.113.8"),
	}
	all[4]["tags"], all[4]["comment"], all[4]["proxied"], all[4]["ttl"] = []string{"team:web"}, "managed-by=flarewarden", true, 300
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		page := n + 1
		lo, hi := 2*n, min(2*n+2, len(all))
		ok(w, all[lo:hi], map[string]int{"page": page, "per_page": 2, "count": hi - lo, "total_count": 5, "total_pages": 3})
	}, func(o *Options) { o.PerPage = 2 })
	recs, err := h.c.Records(context.Background(), testZone)
	if err != nil {
		t.Fatalf("Records: %v", err)
	}
	hits := h.rec.all()
	if len(hits) != 3 {
		t.Fatalf("%d requests, want 3", len(hits))
	}
	for i, x := range hits {
		want := fmt.Sprintf("per_page=2&page=%d", i+1)
		if x.Method != "GET" || x.Path != "/zones/"+testZone.ID+"/dns_records" || x.Query != want {
			t.Errorf("request %d = %s %s?%s; want GET .../dns_records?%s", i, x.Method, x.Path, x.Query, want)
		}
	}
	var names []string
	for _, r := range recs {
		names = append(names, r.Name+" "+r.Type)
		if r.ZoneID != testZone.ID {
			t.Errorf("%s has ZoneID %q", r.Name, r.ZoneID)
		}
	}
	wantNames := []string{"example.com A", "home.example.com CNAME", "v6.example.com AAAA", "example.com TXT", "www.example.com A"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("records %v, want %v", names, wantNames)
	}
	want := controller.Record{ID: "r5", ZoneID: testZone.ID, Name: "www.example.com", Type: "A", Content: "203.0.113.8",
		Proxied: true, TTL: 300, Comment: "managed-by=flarewarden", Tags: []string{"team:web"}}
	if !reflect.DeepEqual(recs[4], want) {
		t.Errorf("record = %+v, want %+v", recs[4], want)
	}
}

// checkMalformedAnswers serves each body to read: it must return nothing
// and a temporary malformed-answer error naming the zone, whose text starts
// with prefix.
func checkMalformedAnswers[T any](t *testing.T, read func(*Client, context.Context, controller.Zone) ([]T, error),
	prefix string, bodies map[string]string) {
	t.Helper()
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, rawAnswer(body))
			got, err := read(h.c, context.Background(), testZone)
			e := apiErr(t, err)
			if got != nil || !e.Temporary() || e.Zone != "example.com" || !strings.Contains(e.Error(), "malformed cloudflare answer") {
				t.Errorf("read %v, %v; want nothing and a temporary malformed-answer error naming the zone", got, e)
			}
			if !strings.HasPrefix(e.Error(), prefix) {
				t.Errorf("error %q does not start with %q", e, prefix)
			}
		})
	}
}

func TestRecordsRejectsBadAnswers(t *testing.T) {
	t.Parallel()
	checkMalformedAnswers(t, (*Client).Records, "list records in zone example.com: ", map[string]string{
		"truncated json":  `{"success":true,"errors":[],"result":[{"id":"r1",`,
		"html":            `<html>oops</html>`,
		"result not list": `{"success":true,"errors":[],"result":{"id":"r1"}}`,
		"no result":       `{"success":true,"errors":[],"messages":[]}`,
		"record no id":    `{"success":true,"errors":[],"result":[{"name":"a.example.com","type":"A","content":"192.0.2.1"}]}`,
		"record no type":  `{"success":true,"errors":[],"result":[{"id":"r1","name":"a.example.com","content":"192.0.2.1"}]}`,
		"lost items":      `{"success":true,"errors":[],"result":[],"result_info":{"page":1,"per_page":5000,"count":0,"total_count":3,"total_pages":1}}`,
	})
}

func TestZonesPaginateAndCache(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		var zones []controller.Zone
		for i := range 50 {
			if (page-1)*50+i < 60 {
				zones = append(zones, controller.Zone{ID: fmt.Sprintf("z%d", (page-1)*50+i), Name: fmt.Sprintf("Z%d.example.", (page-1)*50+i)})
			}
		}
		ok(w, zones, map[string]int{"page": page, "per_page": 50, "count": len(zones), "total_count": 60, "total_pages": 2})
	})
	ctx := context.Background()
	zones, err := h.c.Zones(ctx)
	if err != nil || len(zones) != 60 || zones[59] != (controller.Zone{ID: "z59", Name: "z59.example"}) {
		t.Fatalf("Zones = %d zones (last %v), %v; want 60 normalized zones", len(zones), zones[len(zones)-1], err)
	}
	if q := h.rec.all()[1].Query; q != "per_page=50&page=2" {
		t.Errorf("second page query %q", q)
	}
	zones[0].Name = "mutated"
	again, _ := h.c.Zones(ctx)
	if len(h.rec.all()) != 2 || again[0].Name != "z0.example" {
		t.Errorf("second Zones made %d requests in all (want 2, cached) and returned %v", len(h.rec.all()), again[0])
	}
	h.c.InvalidateZones()
	if _, err := h.c.Zones(ctx); err != nil || len(h.rec.all()) != 4 {
		t.Errorf("after InvalidateZones: %v, %d requests in all; want a new listing", err, len(h.rec.all()))
	}
}

func TestZonesNoCacheWhenTTLNegative(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) { zoneList(w) },
		func(o *Options) { o.ZoneCacheTTL = -1 })
	for range 2 {
		if _, err := h.c.Zones(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(h.rec.all()); n != 2 {
		t.Errorf("%d requests, want 2 (no caching)", n)
	}
}

func TestZoneGoneDropsZoneCache(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]func(w http.ResponseWriter){
		"code 7003": func(w http.ResponseWriter) {
			fail(w, http.StatusBadRequest, 7003, "Could not route to /zones/x/dns_records, perhaps your object identifier is invalid?")
		},
		"404": func(w http.ResponseWriter) { fail(w, http.StatusNotFound, 1001, "Invalid zone identifier") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if strings.HasSuffix(r.URL.Path, "/zones") {
					zoneList(w)
					return
				}
				answer(w)
			})
			ctx := context.Background()
			_, _ = h.c.Zones(ctx)
			e := apiErr(t, errorOf(h.c.Records(ctx, testZone)))
			if e.Temporary() {
				t.Errorf("error %v is temporary", e)
			}
			_, _ = h.c.Zones(ctx)
			if n := len(h.rec.all()); n != 3 {
				t.Errorf("%d requests, want 3 (zones listed again)", n)
			}
		})
	}
}
