package cloudflare

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestEndpointTemplate(t *testing.T) {
	id := testZone.ID
	for path, want := range map[string]string{
		"/client/v4/zones":                                                                    "/zones",
		"/client/v4/zones/" + id + "/dns_records":                                             "/zones/{zone_id}/dns_records",
		"/client/v4/zones/" + id + "/dns_records/batch":                                       "/zones/{zone_id}/dns_records/batch",
		"/client/v4/zones/" + id + "/dns_records/abc123":                                      "/zones/{zone_id}/dns_records/{dns_record_id}",
		"/client/v4/zones/" + id + "/settings/security_level":                                 "/zones/{zone_id}/settings/security_level",
		"/client/v4/zones/" + id + "/rulesets/phases/http_request_firewall_custom/entrypoint": "/zones/{zone_id}/rulesets/phases/http_request_firewall_custom/entrypoint",
		"/client/v4/zones/" + id + "/rulesets/r1/rules/x9":                                    "/zones/{zone_id}/rulesets/{ruleset_id}/rules/{rule_id}",
		"/client/v4/accounts/a1/rules/lists/l1/items":                                         "/accounts/{account_id}/rules/lists/{list_id}/items",
		"/client/v4/user/tokens/verify":                                                       "/user/tokens/verify",
		"/client/v4/zones/" + id + "/" + testToken:                                            "/zones/{zone_id}/{id}",
	} {
		if got := EndpointTemplate("/client/v4", path); got != want {
			t.Errorf("EndpointTemplate(%q) = %q, want %q", path, got, want)
		}
	}
}

type requestLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *requestLog) ObserveRequest(endpoint, method string, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, method+" "+endpoint+" "+http.StatusText(status))
}

func TestObserverSeesEveryAttempt(t *testing.T) {
	log := &requestLog{}
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			fail(w, http.StatusBadGateway, 0, "bad gateway")
			return
		}
		ok(w, []any{}, map[string]int{"page": 1, "per_page": 50, "count": 0, "total_count": 0, "total_pages": 1})
	}, func(o *Options) { o.Observer = log })
	if _, err := h.c.Records(context.Background(), testZone); err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /zones/{zone_id}/dns_records Bad Gateway", "GET /zones/{zone_id}/dns_records OK"}
	if !slices.Equal(log.seen, want) {
		t.Fatalf("observed %q, want %q", log.seen, want)
	}
	for _, s := range log.seen {
		if strings.Contains(s, testZone.ID) {
			t.Fatalf("observed an id: %s", s)
		}
	}
}
