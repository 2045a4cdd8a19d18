package sim

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
)

func TestZoneIDIsDeterministic(t *testing.T) {
	a, b := New(), New()
	za, zb := a.AddZone("Example.COM."), b.AddZone("example.com")
	if za.ID != zb.ID || !isHexID(za.ID) || za.Name != "example.com" {
		t.Fatalf("zone ids %q / %q, name %q", za.ID, zb.ID, za.Name)
	}
	if again := a.AddZone("example.com"); again != za || len(a.Zones()) != 1 {
		t.Errorf("re-adding a zone changed it: %+v vs %+v", again, za)
	}
	if other := a.AddZone("example.org"); other.ID == za.ID {
		t.Error("different zones share an id")
	}
}

func TestListZones(t *testing.T) {
	h := newHarness(t)
	for i := range 6 {
		h.s.AddZone(fmt.Sprintf("z%d.net", i))
	}
	all := []string{"example.com", "z0.net", "z1.net", "z2.net", "z3.net", "z4.net", "z5.net"}
	tests := []struct {
		query string
		names []string
		info  resultInfo
	}{
		{"", all, resultInfo{Page: 1, PerPage: 20, Count: 7, TotalCount: 7, TotalPages: 1}},
		{"?name=EXAMPLE.com", all[:1], resultInfo{Page: 1, PerPage: 20, Count: 1, TotalCount: 1, TotalPages: 1}},
		{"?name=missing.com", []string{}, resultInfo{Page: 1, PerPage: 20, TotalPages: 0}},
		{"?status=active&per_page=5", all[:5], resultInfo{Page: 1, PerPage: 5, Count: 5, TotalCount: 7, TotalPages: 2}},
		{"?per_page=5&page=2", all[5:], resultInfo{Page: 2, PerPage: 5, Count: 2, TotalCount: 7, TotalPages: 2}},
		{"?per_page=1", all[:5], resultInfo{Page: 1, PerPage: 5, Count: 5, TotalCount: 7, TotalPages: 2}},
		{"?per_page=500", all, resultInfo{Page: 1, PerPage: 50, Count: 7, TotalCount: 7, TotalPages: 1}},
		{"?page=9", []string{}, resultInfo{Page: 9, PerPage: 20, TotalCount: 7, TotalPages: 1}},
		{"?status=pending", []string{}, resultInfo{Page: 1, PerPage: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			a := h.do(http.MethodGet, "/zones"+tt.query, nil)
			var zones []zoneJSON
			a.ok(t, &zones)
			names := []string{}
			for _, z := range zones {
				names = append(names, z.Name)
			}
			if !slices.Equal(names, tt.names) {
				t.Errorf("names = %v, want %v", names, tt.names)
			}
			if a.env.ResultInfo == nil || *a.env.ResultInfo != tt.info {
				t.Errorf("result_info = %+v, want %+v", a.env.ResultInfo, tt.info)
			}
		})
	}
}

func TestListZonesBadParams(t *testing.T) {
	h := newHarness(t)
	for _, q := range []string{"?page=0", "?page=x", "?per_page=many"} {
		h.do(http.MethodGet, "/zones"+q, nil).fails(t, 400, codeInvalidParam)
	}
}

func TestGetZone(t *testing.T) {
	h := newHarness(t)
	a := h.do(http.MethodGet, h.zonePath(""), nil)
	var got map[string]any
	a.ok(t, &got)
	for _, key := range []string{"id", "name", "status", "paused", "type", "development_mode", "name_servers",
		"original_name_servers", "original_registrar", "original_dnshost", "created_on", "modified_on",
		"activated_on", "meta", "owner", "account", "permissions", "plan"} {
		if _, ok := got[key]; !ok {
			t.Errorf("zone lacks %q", key)
		}
	}
	if got["id"] != h.zone.ID || got["name"] != testZone || got["status"] != "active" || got["type"] != "full" {
		t.Errorf("zone = %v", got)
	}
	if got["created_on"] != "2024-08-06T12:00:00.123456789Z" {
		t.Errorf("created_on = %v, want the clock's first tick in RFC3339Nano", got["created_on"])
	}
	for _, id := range []string{"0123456789abcdef0123456789abcdef", "NOT-HEX", h.zone.ID[:31], "0123456789ABCDEF0123456789ABCDEF"} {
		h.do(http.MethodGet, "/zones/"+id, nil).fails(t, 400, codeBadObjectID)
	}
}

func TestZonePermissionsFollowToken(t *testing.T) {
	h := newHarness(t)
	h.s.AddToken("ro", TokenOptions{ReadOnly: true})
	var rw, ro struct{ Permissions []string }
	h.do(http.MethodGet, h.zonePath(""), nil).ok(t, &rw)
	h.doAs("Bearer ro", http.MethodGet, h.zonePath(""), nil).ok(t, &ro)
	if !slices.Contains(rw.Permissions, "#dns_records:edit") || slices.Contains(ro.Permissions, "#dns_records:edit") {
		t.Errorf("permissions rw=%v ro=%v", rw.Permissions, ro.Permissions)
	}
}
