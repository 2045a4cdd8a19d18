package sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCreateRecord(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name string
		body map[string]any
		want Record // compared on Name, Type, Content, Proxiable, Proxied, TTL, Comment, Tags
	}{
		{"relative name, defaults", map[string]any{"name": "home", "type": "A", "content": "198.51.100.7"},
			Record{Name: "home.example.com", Type: "A", Content: "198.51.100.7", Proxiable: true, TTL: 1, Tags: []string{}}},
		{"apex", map[string]any{"name": "@", "type": "AAAA", "content": "2001:DB8:0:0::1", "ttl": 300},
			Record{Name: "example.com", Type: "AAAA", Content: "2001:db8::1", Proxiable: true, TTL: 300, Tags: []string{}}},
		{"fqdn with trailing dot, upper case", map[string]any{"name": "WWW.Example.com.", "type": "cname", "content": "Target.Example.net."},
			Record{Name: "www.example.com", Type: "CNAME", Content: "target.example.net", Proxiable: true, TTL: 1, Tags: []string{}}},
		{"proxied forces automatic TTL", map[string]any{"name": "p", "type": "A", "content": "192.0.2.1", "proxied": true, "ttl": 300},
			Record{Name: "p.example.com", Type: "A", Content: "192.0.2.1", Proxiable: true, Proxied: true, TTL: 1, Tags: []string{}}},
		{"txt with comment and tags", map[string]any{"name": "t", "type": "TXT", "content": "hello", "comment": "c", "tags": []string{"a:b"}},
			Record{Name: "t.example.com", Type: "TXT", Content: "hello", TTL: 1, Comment: "c", Tags: []string{"a:b"}}},
		{"wildcard", map[string]any{"name": "*.dev", "type": "A", "content": "192.0.2.2", "ttl": 86400},
			Record{Name: "*.dev.example.com", Type: "A", Content: "192.0.2.2", Proxiable: true, TTL: 86400, Tags: []string{}}},
		{"read-only fields echoed back are ignored", map[string]any{"name": "echo", "type": "NS", "content": "ns1.example.net",
			"id": "ffffffffffffffffffffffffffffffff", "proxiable": true, "created_on": "2001-01-01T00:00:00Z", "settings": map[string]any{}},
			Record{Name: "echo.example.com", Type: "NS", Content: "ns1.example.net", TTL: 1, Tags: []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.create(tt.body)
			if !sameRecord(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if !isHexID(got.ID) || got.ID == "ffffffffffffffffffffffffffffffff" {
				t.Errorf("ids: %+v", got)
			}
			if got.CreatedOn.IsZero() || !got.CreatedOn.Equal(got.ModifiedOn) || got.CreatedOn.Location() != time.UTC {
				t.Errorf("times: %v / %v", got.CreatedOn, got.ModifiedOn)
			}
		})
	}
}

func sameRecord(a, b Record) bool {
	return a.Name == b.Name && a.Type == b.Type && a.Content == b.Content && a.Proxiable == b.Proxiable &&
		a.Proxied == b.Proxied && a.TTL == b.TTL && a.Comment == b.Comment && slices.Equal(a.Tags, b.Tags)
}

func TestRecordJSONShape(t *testing.T) {
	h := newHarness(t)
	rec := h.create(map[string]any{"name": "home", "type": "A", "content": "198.51.100.7"})
	a := h.do(http.MethodGet, h.zonePath("/dns_records/"+rec.ID), nil)
	var got map[string]json.RawMessage
	a.ok(t, &got)
	want := map[string]string{
		"meta": "{}", "settings": "{}", "tags": "[]", "proxied": "false", "proxiable": "true", "comment": "null",
		"ttl": "1", "name": `"home.example.com"`, "created_on": `"2024-08-06T12:00:01.123456789Z"`, // tick 0 made the zone
	}
	for k, v := range want {
		if string(got[k]) != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	for _, k := range []string{"zone_id", "zone_name", "locked"} { // dropped by the API (api_corpus_test.go)
		if v, ok := got[k]; ok {
			t.Errorf("%s = %s, want absent", k, v)
		}
	}
}

func TestRecordValidation(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("x", maxCommentLength+1)
	tests := []struct {
		name string
		body any
		code int
	}{
		{"A not IPv4", map[string]any{"name": "a", "type": "A", "content": "2001:db8::1"}, codeBadContent},
		{"A garbage", map[string]any{"name": "a", "type": "A", "content": "300.1.1.1"}, codeBadContent},
		{"AAAA not IPv6", map[string]any{"name": "a", "type": "AAAA", "content": "192.0.2.1"}, codeBadContent},
		{"CNAME not a hostname", map[string]any{"name": "a", "type": "CNAME", "content": "not a host"}, codeBadContent},
		{"CNAME to itself", map[string]any{"name": "a", "type": "CNAME", "content": "a.example.com"}, codeBadContent},
		{"missing content", map[string]any{"name": "a", "type": "A"}, codeBadContent},
		{"empty TXT", map[string]any{"name": "a", "type": "TXT", "content": ""}, codeBadContent},
		{"TTL too low", map[string]any{"name": "a", "type": "A", "content": "192.0.2.1", "ttl": 59}, codeBadTTL},
		{"TTL too high", map[string]any{"name": "a", "type": "A", "content": "192.0.2.1", "ttl": 86401}, codeBadTTL},
		{"TTL zero", map[string]any{"name": "a", "type": "A", "content": "192.0.2.1", "ttl": 0}, codeBadTTL},
		{"proxied TXT", map[string]any{"name": "a", "type": "TXT", "content": "x", "proxied": true}, codeNotProxiable},
		{"comment too long", map[string]any{"name": "a", "type": "A", "content": "192.0.2.1", "comment": long}, codeCommentTooLong},
		{"missing type", map[string]any{"name": "a", "content": "192.0.2.1"}, codeBadType},
		{"unsupported type", map[string]any{"name": "a", "type": "MX", "content": "mx.example.net"}, codeBadType},
		{"missing name", map[string]any{"type": "A", "content": "192.0.2.1"}, codeBadName},
		{"name outside zone", map[string]any{"name": "www.example.org.", "type": "A", "content": "192.0.2.1"}, codeBadName},
		{"name with bad label", map[string]any{"name": "bad..label", "type": "A", "content": "192.0.2.1"}, codeBadName},
		{"wildcard not leftmost", map[string]any{"name": "a.*", "type": "A", "content": "192.0.2.1"}, codeBadName},
		{"body not JSON", "{not json", codeBadBody},
		{"body not an object", `["a"]`, codeBadBody},
		{"empty body", "", codeBadBody},
		{"ttl of wrong type", `{"name":"a","type":"A","content":"192.0.2.1","ttl":"300"}`, codeBadBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.do(http.MethodPost, h.zonePath("/dns_records"), tt.body).fails(t, 400, tt.code)
		})
	}
	if n := len(h.s.Records(testZone)); n != 0 {
		t.Errorf("%d records created by invalid requests", n)
	}
}

func TestRecordConflicts(t *testing.T) {
	h := newHarness(t)
	h.seed(
		Record{Name: "home", Type: "CNAME", Content: "myhome.duckdns.org"},
		Record{Name: "www", Type: "A", Content: "192.0.2.1"},
		Record{Name: "txt", Type: "TXT", Content: "hello"},
	)
	tests := []struct {
		name string
		body map[string]any
		code int // 0 = allowed
	}{
		{"A onto CNAME", map[string]any{"name": "home", "type": "A", "content": "192.0.2.9"}, codeCNAMEExists},
		{"AAAA onto CNAME", map[string]any{"name": "home", "type": "AAAA", "content": "2001:db8::9"}, codeCNAMEExists},
		{"CNAME onto CNAME", map[string]any{"name": "home", "type": "CNAME", "content": "other.example.net"}, codeHostTaken},
		{"identical CNAME", map[string]any{"name": "home", "type": "CNAME", "content": "myhome.duckdns.org"}, codeHostTaken},
		{"CNAME onto A", map[string]any{"name": "www", "type": "CNAME", "content": "other.example.net"}, codeHostTaken},
		{"identical A", map[string]any{"name": "www.example.com", "type": "A", "content": "192.0.2.1"}, codeIdentical},
		{"identical TXT", map[string]any{"name": "txt", "type": "TXT", "content": "hello"}, codeIdentical},
		{"second A at a name", map[string]any{"name": "www", "type": "A", "content": "192.0.2.2"}, 0},
		{"TXT beside CNAME", map[string]any{"name": "home", "type": "TXT", "content": "x"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := h.do(http.MethodPost, h.zonePath("/dns_records"), tt.body)
			if tt.code == 0 {
				a.ok(t, nil)
				return
			}
			a.fails(t, 400, tt.code)
		})
	}
}

func TestGetRecord(t *testing.T) {
	h := newHarness(t)
	rec := h.seed(Record{Name: "www", Type: "A", Content: "192.0.2.1"})[0]
	var got Record
	h.do(http.MethodGet, h.zonePath("/dns_records/"+rec.ID), nil).ok(t, &got)
	if got.ID != rec.ID || got.Content != "192.0.2.1" || !got.ModifiedOn.Equal(rec.ModifiedOn) {
		t.Errorf("got %+v, want %+v", got, rec)
	}
	h.do(http.MethodGet, h.zonePath("/dns_records/0123456789abcdef0123456789abcdef"), nil).fails(t, 404, codeRecordNotFound)
	h.do(http.MethodGet, h.zonePath("/dns_records/batch"), nil).fails(t, 404, codeRecordNotFound)
}

func TestPatchRecord(t *testing.T) {
	h := newHarness(t)
	rec := h.seed(Record{Name: "www", Type: "A", Content: "192.0.2.1", TTL: 300, Comment: "keep", Tags: []string{"a:1"}})[0]
	path := h.zonePath("/dns_records/" + rec.ID)

	var got Record
	h.do(http.MethodPatch, path, map[string]any{"content": "192.0.2.2"}).ok(t, &got)
	if got.Content != "192.0.2.2" || got.TTL != 300 || got.Comment != "keep" || !slices.Equal(got.Tags, []string{"a:1"}) {
		t.Errorf("partial patch changed other fields: %+v", got)
	}
	if !got.CreatedOn.Equal(rec.CreatedOn) || !got.ModifiedOn.After(rec.ModifiedOn) {
		t.Errorf("times: created %v→%v modified %v→%v", rec.CreatedOn, got.CreatedOn, rec.ModifiedOn, got.ModifiedOn)
	}
	var cleared Record
	h.do(http.MethodPatch, path, `{"tags": null, "comment": ""}`).ok(t, &cleared)
	if len(cleared.Tags) != 0 || cleared.Comment != "" || cleared.TTL != 300 {
		t.Errorf("tags null / empty comment did not clear: %+v", cleared)
	}
	h.do(http.MethodPatch, path, map[string]any{"type": "AAAA"}).fails(t, 400, codeBadContent)
	h.do(http.MethodPatch, path, map[string]any{"ttl": 5}).fails(t, 400, codeBadTTL)
	h.do(http.MethodPatch, path, "nope").fails(t, 400, codeBadBody)
	h.do(http.MethodPatch, h.zonePath("/dns_records/0123456789abcdef0123456789abcdef"), map[string]any{}).fails(t, 404, codeRecordNotFound)
	if now := h.s.Records(testZone)[0]; now.Content != "192.0.2.2" || now.Type != "A" {
		t.Errorf("failed patches changed the record: %+v", now)
	}
}

func TestPatchCannotCreateConflict(t *testing.T) {
	h := newHarness(t)
	recs := h.seed(Record{Name: "home", Type: "CNAME", Content: "x.example.net"}, Record{Name: "www", Type: "A", Content: "192.0.2.1"})
	h.do(http.MethodPatch, h.zonePath("/dns_records/"+recs[1].ID), map[string]any{"name": "home"}).fails(t, 400, codeCNAMEExists)
	h.do(http.MethodPatch, h.zonePath("/dns_records/"+recs[0].ID), map[string]any{"name": "www"}).fails(t, 400, codeHostTaken)
	// A record may be patched to its own current values.
	h.do(http.MethodPatch, h.zonePath("/dns_records/"+recs[0].ID), map[string]any{"content": "x.example.net"}).ok(t, nil)
}

func TestPutRecord(t *testing.T) {
	h := newHarness(t)
	rec := h.seed(Record{Name: "www", Type: "A", Content: "192.0.2.1", TTL: 300, Comment: "old", Tags: []string{"a:1"}})[0]
	path := h.zonePath("/dns_records/" + rec.ID)
	var got Record
	h.do(http.MethodPut, path, map[string]any{"name": "www", "type": "CNAME", "content": "t.example.net", "proxied": true}).ok(t, &got)
	want := Record{Name: "www.example.com", Type: "CNAME", Content: "t.example.net", Proxiable: true, Proxied: true, TTL: 1, Tags: []string{}}
	if !sameRecord(got, want) || got.ID != rec.ID || !got.CreatedOn.Equal(rec.CreatedOn) {
		t.Errorf("put: got %+v, want %+v", got, want)
	}
	h.do(http.MethodPut, path, map[string]any{"type": "A", "content": "192.0.2.1"}).fails(t, 400, codeBadName)
	h.do(http.MethodPut, h.zonePath("/dns_records/0123456789abcdef0123456789abcdef"),
		map[string]any{"name": "x", "type": "A", "content": "192.0.2.1"}).fails(t, 404, codeRecordNotFound)
}

func TestDeleteRecord(t *testing.T) {
	h := newHarness(t)
	rec := h.seed(Record{Name: "www", Type: "A", Content: "192.0.2.1"})[0]
	path := h.zonePath("/dns_records/" + rec.ID)
	var got deletedRecord
	h.do(http.MethodDelete, path, "{}").ok(t, &got)
	if got.ID != rec.ID {
		t.Errorf("deleted id %q, want %q", got.ID, rec.ID)
	}
	if n := len(h.s.Records(testZone)); n != 0 {
		t.Errorf("%d records left", n)
	}
	h.do(http.MethodDelete, path, nil).fails(t, 404, codeRecordNotFound)
}

func TestRecordIDsAreReproducible(t *testing.T) {
	ids := func() []string {
		h := newHarness(t)
		var out []string
		for _, name := range []string{"a", "b", "c"} {
			out = append(out, h.create(map[string]any{"name": name, "type": "A", "content": "192.0.2.1"}).ID)
		}
		return out
	}
	first, second := ids(), ids()
	if !slices.Equal(first, second) || first[0] == first[1] {
		t.Errorf("ids differ between runs or repeat: %v vs %v", first, second)
	}
}
