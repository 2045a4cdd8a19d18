package sim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestConformanceWAF checks the answers of the rulesets, zone settings, IP
// access rules, lists and bulk operation endpoints against the document.
// Cases run in order on one simulator.
func TestConformanceWAF(t *testing.T) {
	doc, router := loadSpec(t)
	s, ids := conformanceServer(t)
	zone := "/zones/" + ids["zone"]
	entry := zone + "/rulesets/phases/" + customPhase + "/entrypoint"
	rules := zone + "/rulesets/" + hexID("ruleset", ids["zone"]+"/"+customPhase) + "/rules"
	skip := mustRule(t, s, Rule{Ref: "fw", Action: "skip", Expression: "(ip.src in {203.0.113.7 2001:db8::/64})",
		ActionParameters: json.RawMessage(`{"ruleset":"current","products":["securityLevel","bic"]}`), Enabled: true})
	block := mustRule(t, s, Rule{Action: "block", Expression: "ip.src eq 192.0.2.1", Logging: &RuleLogging{Enabled: true},
		ActionParameters: json.RawMessage(`{"response":{"status_code":403,"content":"no","content_type":"text/plain"}}`)})
	access, err := s.AddAccessRule(testZone, AccessRule{Mode: "whitelist", Target: "ip", Value: "203.0.113.7", Notes: "script"})
	if err != nil {
		t.Fatal(err)
	}
	lists := "/accounts/" + DefaultAccountID + "/rules/lists/"
	list, item := mustList(t, s, "scripts", "203.0.113.7", "198.51.100.0/24")
	other, _ := mustList(t, s, "other", "192.0.2.9")
	okOp := operationID(t, s, "POST", lists+list.ID+"/items", `[{"ip":"2001:db8::/48","comment":"v6"}]`)
	badOp := operationID(t, s, "POST", lists+other.ID+"/items", `[{"ip":"not an ip"}]`)
	missing := "0123456789abcdef0123456789abcdef"

	cases := []conformanceCase{
		{"entrypoint none", "GET", zone + "/rulesets/phases/http_ratelimit/entrypoint", "", "", 404},
		{"entrypoint get", "GET", entry, "", "", 200},
		{"entrypoint put", "PUT", zone + "/rulesets/phases/http_request_sbfm/entrypoint",
			`{"name":"sbfm","rules":[{"action":"managed_challenge","expression":"true"},{"action":"js_challenge","expression":"true","enabled":false}]}`, "", 200},
		{"entrypoint put duplicate ref", "PUT", entry, `{"rules":[{"ref":"a","action":"log","expression":"true"},{"ref":"a","action":"log","expression":"true"}]}`, "", 400},
		{"rule post", "POST", rules, `{"action":"managed_challenge","expression":"(ip.src in {198.51.100.0/24})","position":{"before":""}}`, "", 200},
		{"rule post lower-case product", "POST", rules, `{"action":"skip","expression":"true","action_parameters":{"products":["zonelockdown"]}}`, "", 400},
		{"rule post unknown ruleset", "POST", zone + "/rulesets/" + missing + "/rules", `{"action":"log","expression":"true"}`, "", 404},
		{"rule patch", "PATCH", rules + "/" + skip.ID, `{"description":"scripts","position":{"index":1}}`, "", 200},
		{"rule patch unknown position", "PATCH", rules + "/" + skip.ID, `{"position":{"after":"` + missing + `"}}`, "", 400},
		{"rule patch unknown rule", "PATCH", rules + "/" + missing, `{"enabled":false}`, "", 404},
		{"rule delete", "DELETE", rules + "/" + block.ID, "", "", 200},
		{"rule delete unknown", "DELETE", rules + "/" + block.ID, "", "", 404},

		{"setting get", "GET", zone + "/settings/security_level", "", "", 200},
		{"setting patch", "PATCH", zone + "/settings/security_level", `{"value":"under_attack"}`, "", 200},
		{"setting patch invalid", "PATCH", zone + "/settings/security_level", `{"value":"panic"}`, "", 400},
		{"setting unknown", "GET", zone + "/settings/ssl", "", "", 404},

		{"access list", "GET", zone + "/firewall/access_rules/rules?mode=whitelist&per_page=5", "", "", 200},
		{"access create", "POST", zone + "/firewall/access_rules/rules", `{"mode":"block","configuration":{"target":"ip6","value":"2001:db8::1"},"notes":""}`, "", 200},
		{"access create duplicate", "POST", zone + "/firewall/access_rules/rules", `{"mode":"block","configuration":{"target":"ip","value":"203.0.113.7"},"notes":""}`, "", 400},
		{"access create bad range", "POST", zone + "/firewall/access_rules/rules", `{"mode":"block","configuration":{"target":"ip_range","value":"10.0.0.0/8"},"notes":""}`, "", 400},
		{"access patch", "PATCH", zone + "/firewall/access_rules/rules/" + access.ID, `{"mode":"challenge","notes":"x"}`, "", 200},
		{"access patch unknown", "PATCH", zone + "/firewall/access_rules/rules/" + missing, `{"mode":"block"}`, "", 404},
		{"access delete", "DELETE", zone + "/firewall/access_rules/rules/" + access.ID, "", "", 200},
		{"access delete unknown", "DELETE", zone + "/firewall/access_rules/rules/" + access.ID, "", "", 404},

		{"lists", "GET", strings.TrimSuffix(lists, "/"), "", "", 200},
		{"list create", "POST", strings.TrimSuffix(lists, "/"), `{"name":"new_list","kind":"ip","description":"d"}`, "", 200},
		{"list create bad name", "POST", strings.TrimSuffix(lists, "/"), `{"name":"Bad-Name","kind":"ip"}`, "", 400},
		{"list get", "GET", lists + list.ID, "", "", 200},
		{"list get unknown", "GET", lists + missing, "", "", 404},
		{"items", "GET", lists + list.ID + "/items?per_page=1", "", "", 200},
		{"item", "GET", lists + list.ID + "/items/" + item.ID, "", "", 200},
		{"item unknown", "GET", lists + list.ID + "/items/" + missing, "", "", 404},
		{"operation pending", "GET", lists + "bulk_operations/" + okOp, "", "", 200},
		{"operation completed", "GET", lists + "bulk_operations/" + okOp, "", "", 200},
		{"operation failed", "GET", lists + "bulk_operations/" + badOp, "", "", 200},
		{"operation failed again", "GET", lists + "bulk_operations/" + badOp, "", "", 200},
		{"operation unknown", "GET", lists + "bulk_operations/" + missing, "", "", 404},
		{"items post", "POST", lists + list.ID + "/items", `[{"ip":"192.0.2.0/24","comment":"c"}]`, "", 201},
		{"items delete", "DELETE", lists + list.ID + "/items", `{"items":[{"id":"` + item.ID + `"}]}`, "", 201},
		{"items delete empty", "DELETE", lists + list.ID + "/items", `{"items":[]}`, "", 400},
		{"list delete", "DELETE", lists + other.ID, "", "", 200},
		{"list delete unknown", "DELETE", lists + other.ID, "", "", 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkConformance(t, doc, router, s, c)
		})
	}
}

// mustRule adds r to the test zone's custom entrypoint.
func mustRule(t *testing.T, s *Server, r Rule) Rule {
	t.Helper()
	out, err := s.AddRule(testZone, r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mustList adds an IP list with items to the default account and returns
// it and its first item.
func mustList(t *testing.T, s *Server, name string, ips ...string) (List, ListItem) {
	t.Helper()
	l, err := s.AddList(DefaultAccountID, List{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	var first ListItem
	for i, ip := range ips {
		it, err := s.AddListItem(DefaultAccountID, l.ID, ListItem{IP: ip, Comment: "seeded"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = it
		}
	}
	return l, first
}

// operationID sends an asynchronous list request (answered 201) and
// returns its operation id.
func operationID(t *testing.T, s *Server, method, path, body string) string {
	t.Helper()
	req := httptest.NewRequest(method, apiPrefix+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var env struct{ Result operationRef }
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &env) != nil || env.Result.OperationID == "" {
		t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return env.Result.OperationID
}
