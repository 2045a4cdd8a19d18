package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func update(id, name, typ, content string, tags []string) controller.Change {
	before := controller.Record{ID: id, Name: name, Type: typ, Content: "192.0.2.1", TTL: 1}
	after := before
	after.Content, after.Proxied, after.TTL, after.Comment, after.Tags = content, true, 0, "managed-by=flarewarden", tags
	return controller.Change{Action: controller.ActionUpdate, Zone: testZone, Name: name, Type: typ, Before: &before, After: &after}
}

func del(id, name, typ string) controller.Change {
	return controller.Change{Action: controller.ActionDelete, Zone: testZone, Name: name, Type: typ,
		Before: &controller.Record{ID: id, Name: name, Type: typ, Content: "x"}}
}

// batchOK answers every batch with success.
func batchOK(w http.ResponseWriter, r *http.Request, n int) { ok(w, map[string]any{}, nil) }

func TestApplyBatchBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t, batchOK)
	post := create("home.example.com", "AAAA", "2001:db8::1")
	post.After.Tags = []string{"team:web"}
	changes := []controller.Change{
		del("c1", "home.example.com", "CNAME"),
		update("a1", "www.example.com", "A", "203.0.113.7", nil),
		post,
	}
	if err := h.c.Apply(context.Background(), testZone, changes); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	hits := h.rec.all()
	if len(hits) != 1 || hits[0].Method != "POST" || hits[0].Path != "/zones/"+testZone.ID+"/dns_records/batch" {
		t.Fatalf("requests %+v; want one POST to the batch endpoint", hits)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(hits[0].Body), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"deletes": []any{map[string]any{"id": "c1"}},
		"patches": []any{map[string]any{"id": "a1", "content": "203.0.113.7", "proxied": true, "ttl": 1.0,
			"comment": "managed-by=flarewarden", "tags": []any{}}},
		"posts": []any{map[string]any{"type": "AAAA", "name": "home.example.com", "content": "2001:db8::1",
			"proxied": false, "ttl": 1.0, "comment": "", "tags": []any{"team:web"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("batch body\n got %v\nwant %v", got, want)
	}
	if !strings.Contains(hits[0].Body, `"tags":[]`) {
		t.Errorf("empty tags not sent as an array: %s", hits[0].Body)
	}
}

func TestApplyChunksWithoutSplittingNames(t *testing.T) {
	t.Parallel()
	var changes []controller.Change
	for i := range 199 {
		changes = append(changes, create(fmt.Sprintf("a%03d.example.com", i), "A", "203.0.113.7"))
	}
	// The 200th and 201st changes share a name: they must move whole to chunk 2.
	changes = append(changes, del("c1", "pair.example.com", "CNAME"), create("pair.example.com", "A", "203.0.113.7"))
	for i := range 249 {
		changes = append(changes, create(fmt.Sprintf("b%03d.example.com", i), "A", "203.0.113.7"))
	}
	h := newHarness(t, batchOK)
	if err := h.c.Apply(context.Background(), testZone, changes); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	hits := h.rec.all()
	if len(hits) != 3 {
		t.Fatalf("%d batch requests, want 3", len(hits))
	}
	seen := map[string]int{}
	var sizes []int
	for i, x := range hits {
		var b batchBody
		if err := json.Unmarshal([]byte(x.Body), &b); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(b.Deletes)+len(b.Patches)+len(b.Posts))
		if len(b.Deletes) == 1 {
			seen["pair.example.com"] = i + 1
		}
		for _, p := range b.Posts {
			if prev, ok := seen[p.Name]; ok && prev != i+1 {
				t.Errorf("%s split across requests %d and %d", p.Name, prev, i+1)
			}
			seen[p.Name] = i + 1
		}
	}
	if !reflect.DeepEqual(sizes, []int{199, 200, 51}) || seen["pair.example.com"] != 2 {
		t.Errorf("chunk sizes %v, pair in request %d; want [199 200 51] and request 2", sizes, seen["pair.example.com"])
	}
}

func TestChunkByNameGroupsInterleavedChanges(t *testing.T) {
	t.Parallel()
	changes := []controller.Change{
		create("a.example.com", "A", "1"), create("b.example.com", "A", "2"),
		create("A.example.com.", "AAAA", "3"), create("c.example.com", "A", "4"),
	}
	var got [][]string
	for _, chunk := range chunkByName(changes, 2) {
		var labels []string
		for _, ch := range chunk {
			labels = append(labels, changeLabel(ch))
		}
		got = append(got, labels)
	}
	want := [][]string{{"a.example.com A", "a.example.com AAAA"}, {"b.example.com A", "c.example.com A"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chunks %v, want %v", got, want)
	}
	if n := len(chunkByName(changes[:1], 0)); n != 1 {
		t.Errorf("a name larger than the chunk size gave %d chunks, want 1", n)
	}
}

func TestApplyFallsBackToSingleCalls(t *testing.T) {
	t.Parallel()
	for name, missing := range map[string]func(w http.ResponseWriter){
		"404 code 7000":  func(w http.ResponseWriter) { fail(w, http.StatusNotFound, 7000, "No route for that URI") },
		"404 plain text": func(w http.ResponseWriter) { http.NotFound(w, nil) },
		"400 code 7003":  func(w http.ResponseWriter) { fail(w, http.StatusBadRequest, 7003, "Could not route") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
				switch {
				case strings.HasSuffix(r.URL.Path, "/batch"):
					missing(w)
				case r.Method == http.MethodGet:
					ok(w, testZone, nil)
				default:
					ok(w, map[string]any{"id": "new"}, nil)
				}
			})
			changes := []controller.Change{
				create("home.example.com", "A", "203.0.113.7"),
				update("a1", "www.example.com", "A", "203.0.113.8", []string{"t"}),
				del("d1", "home.example.com", "AAAA"),
			}
			ctx := context.Background()
			if err := h.c.Apply(ctx, testZone, changes); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if err := h.c.Apply(ctx, testZone, changes[:1]); err != nil {
				t.Fatalf("second Apply: %v", err)
			}
			records := "/zones/" + testZone.ID + "/dns_records"
			want := []string{
				"POST " + records + "/batch", "GET /zones/" + testZone.ID,
				"PATCH " + records + "/a1", "POST " + records, "DELETE " + records + "/d1",
				"POST " + records, // the second Apply goes straight to single calls
			}
			var got []string
			for _, x := range h.rec.all() {
				got = append(got, x.Method+" "+x.Path)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("requests\n got %q\nwant %q", got, want)
			}
			if n := h.logs.FilterMessage("dns batch endpoint unavailable, using single calls").Len(); n != 1 {
				t.Errorf("%d fallback warnings, want 1", n)
			}
			if patch := h.rec.all()[2].Body; patch != `{"content":"203.0.113.8","proxied":true,"ttl":1,"comment":"managed-by=flarewarden","tags":["t"]}` {
				t.Errorf("single PATCH body %s", patch)
			}
		})
	}
}

// With single calls, a failed create leaves the name the records it had:
// deletes come last.
func TestApplySinglesDeleteLast(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		fail(w, http.StatusBadRequest, 9005, "Content for A record is invalid.")
	})
	h.c.noBatch.turnOff()
	changes := []controller.Change{del("d1", "home.example.com", "AAAA"), create("home.example.com", "A", "203.0.113.7")}
	e := apiErr(t, h.c.Apply(context.Background(), testZone, changes))
	if e.Op != "create" {
		t.Errorf("error %v; want the create's", e)
	}
	if got := h.rec.all(); len(got) != 1 || got[0].Method != http.MethodPost {
		t.Errorf("requests %+v; want only the failed create", got)
	}
}

// While the batch endpoint is missing, a takeover tries the batch again
// and, still missing, is held back while the other changes are applied;
// a batch that succeeds puts the batch back in use.
func TestApplyHoldsTakeoverUntilTheBatchIsBack(t *testing.T) {
	t.Parallel()
	var back atomic.Bool
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/batch") && !back.Load():
			fail(w, http.StatusNotFound, 7000, "No route for that URI")
		case r.Method == http.MethodGet:
			ok(w, testZone, nil)
		default:
			ok(w, map[string]any{"id": "new"}, nil)
		}
	})
	h.c.noBatch.turnOff()
	changes := []controller.Change{del("c1", "home.example.com", "CNAME"), create("home.example.com", "A", "203.0.113.7"),
		create("www.example.com", "A", "203.0.113.7")}
	e := apiErr(t, h.c.Apply(context.Background(), testZone, changes))
	if e.Op != "takeover" || e.Record != "home.example.com" || e.Temporary() || !strings.Contains(e.Error(), "batch endpoint") {
		t.Errorf("error %v (temporary %v); want the takeover held back, not temporary", e, e.Temporary())
	}
	records := "/zones/" + testZone.ID + "/dns_records"
	var got []string
	for _, x := range h.rec.all() {
		got = append(got, x.Method+" "+x.Path)
	}
	want := []string{"POST " + records + "/batch", "GET /zones/" + testZone.ID, "POST " + records}
	if !reflect.DeepEqual(got, want) || !strings.Contains(h.rec.all()[2].Body, "www.example.com") {
		t.Errorf("requests\n got %q\nwant %q (the create of www only)", got, want)
	}
	back.Store(true)
	if err := h.c.Apply(context.Background(), testZone, changes[:2]); err != nil {
		t.Fatalf("Apply with the batch back: %v", err)
	}
	if h.c.noBatch.off() || h.logs.FilterMessage("dns batch endpoint available again").Len() != 1 {
		t.Errorf("batch off %v after a successful batch; want it back in use, said once", h.c.noBatch.off())
	}
}

func TestApplyBatchNoRouteOnGoneZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/zones"):
			zoneList(w)
		default:
			fail(w, http.StatusBadRequest, 7003, "Could not route to /zones/x, perhaps your object identifier is invalid?")
		}
	})
	ctx := context.Background()
	_, _ = h.c.Zones(ctx)
	e := apiErr(t, h.c.Apply(ctx, testZone, []controller.Change{create("home.example.com", "A", "203.0.113.7")}))
	if e.Op != "batch write" || !e.hasCode(7003) || h.c.noBatch.off() {
		t.Errorf("error %v, batch disabled %v; want the batch error and batch still on", e, h.c.noBatch.off())
	}
	_, _ = h.c.Zones(ctx)
	if n := len(h.rec.all()); n != 4 {
		t.Errorf("%d requests, want 4 (zones, batch, zone check, zones again)", n)
	}
}

func TestApplyErrorsNameRecords(t *testing.T) {
	t.Parallel()
	conflict := func(w http.ResponseWriter, r *http.Request, n int) {
		fail(w, http.StatusBadRequest, 81054, "A CNAME record with that host already exists.")
	}
	t.Run("batch", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, conflict)
		changes := []controller.Change{del("c1", "home.example.com", "CNAME"), create("home.example.com", "A", "203.0.113.7")}
		for i := range 4 {
			changes = append(changes, create(fmt.Sprintf("n%d.example.com", i), "A", "203.0.113.7"))
		}
		e := apiErr(t, h.c.Apply(context.Background(), testZone, changes))
		wantErrorText(t, e, "batch write [home.example.com CNAME, home.example.com A, n0.example.com A and 3 more] in zone example.com: "+
			"cloudflare HTTP 400 code 81054: A CNAME record with that host already exists.")
		if e.Temporary() {
			t.Errorf("error %v is temporary", e)
		}
	})
	t.Run("single", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, conflict)
		h.c.noBatch.turnOff()
		e := apiErr(t, h.c.Apply(context.Background(), testZone, []controller.Change{create("home.example.com", "A", "203.0.113.7")}))
		wantErrorText(t, e, "create home.example.com A in zone example.com: cloudflare HTTP 400 code 81054: A CNAME record with that host already exists.")
	})
}

func TestApplyStopsAtFirstFailedChunk(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		fail(w, http.StatusBadRequest, 9005, "Content for A record is invalid.")
	}, func(o *Options) { o.BatchSize = 1 })
	changes := []controller.Change{create("a.example.com", "A", "x"), create("b.example.com", "A", "203.0.113.7")}
	_ = apiErr(t, h.c.Apply(context.Background(), testZone, changes))
	if n := len(h.rec.all()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestApplyRejectsInvalidChangesBeforeWriting(t *testing.T) {
	t.Parallel()
	other := create("a.example.org", "A", "203.0.113.7")
	other.Zone = controller.Zone{ID: "other", Name: "example.org"}
	for name, ch := range map[string]controller.Change{
		"delete without id": {Action: controller.ActionDelete, Name: "a.example.com", Type: "A", Before: &controller.Record{}},
		"update without new record": {Action: controller.ActionUpdate, Name: "a.example.com", Type: "A",
			Before: &controller.Record{ID: "r1"}},
		"create without record": {Action: controller.ActionCreate, Name: "a.example.com", Type: "A"},
		"unknown action":        {Action: "upsert", Name: "a.example.com", Type: "A"},
		"other zone":            other,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, batchOK)
			changes := []controller.Change{create("ok.example.com", "A", "203.0.113.7"), ch}
			e := apiErr(t, h.c.Apply(context.Background(), testZone, changes))
			if e.Temporary() || len(h.rec.all()) != 0 || !strings.Contains(e.Error(), "invalid request") {
				t.Errorf("error %v after %d requests; want a permanent invalid-request error and no request", e, len(h.rec.all()))
			}
		})
	}
}

func TestApplyNothingIsNoRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t, batchOK)
	if err := h.c.Apply(context.Background(), testZone, nil); err != nil || len(h.rec.all()) != 0 {
		t.Errorf("Apply(nil) = %v after %d requests", err, len(h.rec.all()))
	}
}
