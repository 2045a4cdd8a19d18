package sim

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
)

// listFixture seeds five records and returns a harness.
func listFixture(t *testing.T, opts ...Option) *harness {
	h := newHarness(t, opts...)
	h.seed(
		Record{Name: "home", Type: "CNAME", Content: "myhome.duckdns.org", Proxied: true},
		Record{Name: "www", Type: "A", Content: "192.0.2.1", TTL: 300, Comment: "Owned-By flarewarden"},
		Record{Name: "www", Type: "AAAA", Content: "2001:db8::1", TTL: 120},
		Record{Name: "@", Type: "A", Content: "192.0.2.2", Proxied: true},
		Record{Name: "@", Type: "TXT", Content: "v=spf1 -all", TTL: 3600},
	)
	return h
}

// listKeys lists the records for query and returns "name type" keys.
func (h *harness) listKeys(t *testing.T, query string) ([]string, *resultInfo) {
	t.Helper()
	a := h.do(http.MethodGet, h.zonePath("/dns_records"+query), nil)
	var recs []Record
	a.ok(t, &recs)
	keys := []string{}
	for _, r := range recs {
		keys = append(keys, r.Name+" "+r.Type)
	}
	return keys, a.env.ResultInfo
}

func TestListRecordsFilters(t *testing.T) {
	h := listFixture(t)
	const (
		apexA, apexTXT = "example.com A", "example.com TXT"
		home           = "home.example.com CNAME"
		wwwA, wwwAAAA  = "www.example.com A", "www.example.com AAAA"
	)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{apexA, wwwA, wwwAAAA, home, apexTXT}}, // default order: type, then name
		{"?name=WWW.example.com.", []string{wwwA, wwwAAAA}},
		{"?name=www", []string{}}, // the filter wants an FQDN
		{"?type=A", []string{apexA, wwwA}},
		{"?type=a&name=www.example.com", []string{wwwA}},
		{"?content=2001:db8::1", []string{wwwAAAA}},
		{"?comment=owned-by%20flarewarden", []string{wwwA}},
		{"?proxied=true", []string{apexA, home}},
		{"?type=TXT&name=home.example.com&match=any", []string{home, apexTXT}},
		{"?type=TXT&name=home.example.com&match=all", []string{}},
		{"?order=name", []string{apexA, apexTXT, home, wwwA, wwwAAAA}},
		{"?order=name&direction=desc", []string{wwwA, wwwAAAA, home, apexA, apexTXT}},
		{"?order=ttl", []string{apexA, home, wwwAAAA, wwwA, apexTXT}},
		{"?order=content", []string{wwwA, apexA, wwwAAAA, home, apexTXT}},                // string order
		{"?order=proxied&direction=desc", []string{apexA, home, apexTXT, wwwA, wwwAAAA}}, // ties by name, ascending
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got, _ := h.listKeys(t, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestListRecordsPagination(t *testing.T) {
	h := listFixture(t, WithMaxPerPage(3))
	tests := []struct {
		query string
		count int
		info  resultInfo
	}{
		{"", 3, resultInfo{Page: 1, PerPage: 3, Count: 3, TotalCount: 5, TotalPages: 2}},
		{"?per_page=2&page=3", 1, resultInfo{Page: 3, PerPage: 2, Count: 1, TotalCount: 5, TotalPages: 3}},
		{"?per_page=2&page=4", 0, resultInfo{Page: 4, PerPage: 2, Count: 0, TotalCount: 5, TotalPages: 3}},
		{"?per_page=0", 1, resultInfo{Page: 1, PerPage: 1, Count: 1, TotalCount: 5, TotalPages: 5}},
		{"?type=A&per_page=1&page=2", 1, resultInfo{Page: 2, PerPage: 1, Count: 1, TotalCount: 2, TotalPages: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, info := h.listKeys(t, tt.query)
			if len(got) != tt.count || info == nil || *info != tt.info {
				t.Errorf("got %d records, %+v; want %d, %+v", len(got), info, tt.count, tt.info)
			}
		})
	}
	// Walking the pages yields every record once, in order.
	var all []string
	for page := 1; ; page++ {
		got, info := h.listKeys(t, "?per_page=2&page="+strconv.Itoa(page))
		all = append(all, got...)
		if page >= info.TotalPages {
			break
		}
	}
	if want, _ := listFixture(t).listKeys(t, ""); !slices.Equal(all, want) {
		t.Errorf("paged walk %v, want %v", all, want)
	}
}

func TestListRecordsDefaultPerPage(t *testing.T) {
	h := newHarness(t)
	for i := range 101 {
		h.seed(Record{Name: "n", Type: "TXT", Content: "txt-" + strconv.Itoa(i)})
	}
	if got, info := h.listKeys(t, ""); len(got) != 100 || info.PerPage != 100 || info.TotalPages != 2 {
		t.Errorf("default page: %d records, %+v", len(got), info)
	}
}

func TestListRecordsBadParams(t *testing.T) {
	h := listFixture(t)
	for _, q := range []string{"?order=zone", "?direction=up", "?match=some", "?proxied=maybe", "?page=-1", "?per_page=x"} {
		h.do(http.MethodGet, h.zonePath("/dns_records"+q), nil).fails(t, 400, codeInvalidParam)
	}
}
