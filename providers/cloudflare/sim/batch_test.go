package sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
)

// batchFixture seeds a CNAME takeover candidate and an A record.
func batchFixture(t *testing.T, opts ...Option) (*harness, Record, Record) {
	h := newHarness(t, opts...)
	recs := h.seed(
		Record{Name: "home", Type: "CNAME", Content: "myhome.duckdns.org", Proxied: true},
		Record{Name: "www", Type: "A", Content: "192.0.2.1", Comment: "keep", Tags: []string{"a:1"}},
	)
	return h, recs[0], recs[1]
}

func (h *harness) batch(body any) answer {
	h.t.Helper()
	return h.do(http.MethodPost, h.zonePath("/dns_records/batch"), body)
}

func TestBatchTakeover(t *testing.T) {
	h, cname, _ := batchFixture(t)
	takeover := map[string]any{
		"deletes": []any{map[string]any{"id": cname.ID}},
		"posts":   []any{map[string]any{"name": "home.example.com", "type": "A", "content": "203.0.113.7", "proxied": true}},
	}
	var res batchResult
	h.batch(takeover).ok(t, &res)
	if len(res.Deletes) != 1 || res.Deletes[0].ID != cname.ID || res.Deletes[0].Type != "CNAME" {
		t.Errorf("deletes = %+v, want the CNAME as it was", res.Deletes)
	}
	if len(res.Posts) != 1 || res.Posts[0].Type != "A" || !isHexID(res.Posts[0].ID) || res.Patches == nil || res.Puts == nil {
		t.Errorf("result = %+v", res)
	}
	if got := keys(h.s.Records(testZone)); !slices.Equal(got, []string{"home.example.com A", "www.example.com A"}) {
		t.Errorf("records after takeover: %v", got)
	}
}

func TestBatchResultAlwaysHasFourArrays(t *testing.T) {
	h, _, _ := batchFixture(t)
	a := h.batch("{}")
	var raw map[string]json.RawMessage
	a.ok(t, &raw)
	for _, k := range []string{"deletes", "patches", "puts", "posts"} {
		if string(raw[k]) != "[]" {
			t.Errorf("%s = %s, want []", k, raw[k])
		}
	}
}

func TestBatchAllOrNothing(t *testing.T) {
	h, _, www := batchFixture(t)
	tests := []struct {
		name string
		body map[string]any
		code int
	}{
		{"A post onto the CNAME", map[string]any{
			"posts": []any{map[string]any{"name": "home", "type": "A", "content": "203.0.113.7"}},
		}, codeCNAMEExists},
		{"valid delete, then an invalid post", map[string]any{
			"deletes": []any{map[string]any{"id": www.ID}},
			"posts":   []any{map[string]any{"name": "x", "type": "A", "content": "not-an-ip"}},
		}, codeBadContent},
		{"patch of a record deleted earlier in the batch", map[string]any{
			"deletes": []any{map[string]any{"id": www.ID}},
			"patches": []any{map[string]any{"id": www.ID, "content": "192.0.2.9"}},
		}, codeRecordNotFound},
		{"put with an unknown id", map[string]any{
			"puts": []any{map[string]any{"id": "0123456789abcdef0123456789abcdef", "name": "a", "type": "A", "content": "192.0.2.1"}},
		}, codeRecordNotFound},
		{"two posts conflicting with each other", map[string]any{
			"posts": []any{
				map[string]any{"name": "new", "type": "A", "content": "192.0.2.5"},
				map[string]any{"name": "new", "type": "CNAME", "content": "t.example.net"},
			},
		}, codeHostTaken},
		{"delete of an unknown id", map[string]any{
			"patches": []any{map[string]any{"id": www.ID, "content": "192.0.2.9"}},
			"deletes": []any{map[string]any{"id": "0123456789abcdef0123456789abcdef"}},
		}, codeRecordNotFound},
	}
	before := h.s.Records(testZone)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.batch(tt.body).fails(t, 400, tt.code)
			if after := h.s.Records(testZone); !slices.EqualFunc(after, before, recordsEqual) {
				t.Errorf("failed batch changed records:\n%+v\n%+v", before, after)
			}
		})
	}
	// A failed batch does not use up record ids: the next id is the one a
	// fresh simulator would hand out after the same successful calls.
	next := h.create(map[string]any{"name": "n", "type": "A", "content": "192.0.2.8"})
	fresh, _, _ := batchFixture(t)
	if want := fresh.create(map[string]any{"name": "n", "type": "A", "content": "192.0.2.8"}); next.ID != want.ID {
		t.Errorf("next id %s, want %s", next.ID, want.ID)
	}
}

func recordsEqual(a, b Record) bool {
	return a.ID == b.ID && sameRecord(a, b) && a.ModifiedOn.Equal(b.ModifiedOn)
}

func TestBatchOrderAndPatchPut(t *testing.T) {
	h, cname, www := batchFixture(t)
	// Listed out of order on purpose: the batch still runs deletes,
	// patches, puts, posts, so the post can reuse the deleted CNAME's name
	// and the put can turn the A into a CNAME only after the patch moved it.
	body := map[string]any{
		"posts":   []any{map[string]any{"name": "home", "type": "AAAA", "content": "2001:db8::7"}},
		"puts":    []any{map[string]any{"id": www.ID, "name": "www", "type": "TXT", "content": "now text"}},
		"patches": []any{map[string]any{"id": www.ID, "ttl": 300}},
		"deletes": []any{map[string]any{"id": cname.ID}},
	}
	var res batchResult
	h.batch(body).ok(t, &res)
	if len(res.Patches) != 1 || res.Patches[0].TTL != 300 || res.Patches[0].Comment != "keep" {
		t.Errorf("patches = %+v", res.Patches)
	}
	if len(res.Puts) != 1 || res.Puts[0].Type != "TXT" || res.Puts[0].TTL != 1 || res.Puts[0].Comment != "" || len(res.Puts[0].Tags) != 0 {
		t.Errorf("puts = %+v (a put replaces the whole record)", res.Puts)
	}
	if got := keys(h.s.Records(testZone)); !slices.Equal(got, []string{"home.example.com AAAA", "www.example.com TXT"}) {
		t.Errorf("records: %v", got)
	}
}

func TestBatchLimitsAndErrors(t *testing.T) {
	h, cname, www := batchFixture(t, WithBatchLimit(2))
	three := map[string]any{
		"deletes": []any{map[string]any{"id": cname.ID}},
		"patches": []any{map[string]any{"id": www.ID, "ttl": 300}},
		"posts":   []any{map[string]any{"name": "n", "type": "A", "content": "192.0.2.3"}},
	}
	h.batch(three).fails(t, 400, codeBatchTooLarge)
	h.batch("[]").fails(t, 400, codeBadBody)
	h.batch(`{"posts": {"name": "x"}}`).fails(t, 400, codeBadBody)
	if len(h.s.Records(testZone)) != 2 {
		t.Error("rejected batches changed records")
	}
	delete(three, "posts")
	h.batch(three).ok(t, nil)
}

func TestBatchDisabled(t *testing.T) {
	h, cname, _ := batchFixture(t, WithBatch(false))
	h.batch(map[string]any{"deletes": []any{map[string]any{"id": cname.ID}}}).fails(t, 404, codeNoRoute)
	if len(h.s.Records(testZone)) != 2 {
		t.Error("disabled batch changed records")
	}
}

// keys returns "name type" of each record.
func keys(recs []Record) []string {
	out := []string{}
	for _, r := range recs {
		out = append(out, r.Name+" "+r.Type)
	}
	return out
}
