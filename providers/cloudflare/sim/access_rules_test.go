package sim

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestAccessRuleCRUD(t *testing.T) {
	h := newHarness(t)
	rules := h.zonePath("/firewall/access_rules/rules")
	var created accessRuleJSON
	h.do(http.MethodPost, rules, map[string]any{"mode": "whitelist", "configuration": map[string]any{"target": "ip6", "value": "2001:DB8::7"}, "notes": "script"}).ok(t, &created)
	want := accessRuleJSON{ID: created.ID, ModifiedOn: created.CreatedOn, AllowedModes: accessModes, Mode: "whitelist", Notes: "script",
		Configuration: accessConfig{Target: "ip6", Value: "2001:db8::7"}, CreatedOn: created.CreatedOn,
		Scope: accessScope{ID: h.zone.ID, Name: testZone, Type: "zone"}}
	if !isHexID(created.ID) || created.CreatedOn.IsZero() || !equalAccess(created, want) {
		t.Fatalf("created = %+v\nwant      %+v", created, want)
	}
	var got accessRuleJSON
	h.do(http.MethodGet, rules+"/"+created.ID, nil).ok(t, &got)
	if !equalAccess(got, created) {
		t.Errorf("GET = %+v", got)
	}
	h.do(http.MethodPatch, rules+"/"+created.ID, map[string]any{"mode": "block", "notes": "banned",
		"configuration": map[string]any{"target": "ip", "value": "192.0.2.1"}}).ok(t, &got)
	if got.Mode != "block" || got.Notes != "banned" || got.Configuration != created.Configuration || !got.ModifiedOn.After(created.ModifiedOn) {
		t.Errorf("PATCH = %+v (configuration must not change)", got)
	}
	h.do(http.MethodPatch, rules+"/"+created.ID, map[string]any{"mode": "allow"}).fails(t, 400, codeAccessInvalid)
	if ar := h.s.AccessRules(testZone); len(ar) != 1 || ar[0].Mode != "block" || ar[0].Value != "2001:db8::7" {
		t.Errorf("Go API = %+v", ar)
	}
	var del deletedID
	h.do(http.MethodDelete, rules+"/"+created.ID, `{"cascade":"none"}`).ok(t, &del)
	if del.ID != created.ID {
		t.Errorf("DELETE = %+v", del)
	}
	for _, m := range []string{http.MethodGet, http.MethodPatch, http.MethodDelete} {
		a := h.do(m, rules+"/"+created.ID, map[string]any{})
		a.fails(t, 404, codeAccessNotFound)
		if a.env.Errors[0].Message != "firewallaccessrules.api.not_found" {
			t.Errorf("%s message = %q", m, a.env.Errors[0].Message)
		}
	}
	if ar := h.s.AccessRules(testZone); ar == nil || len(ar) != 0 {
		t.Errorf("after DELETE: %#v", ar)
	}
}

func equalAccess(a, b accessRuleJSON) bool {
	return a.ID == b.ID && a.Paused == b.Paused && a.Mode == b.Mode && a.Notes == b.Notes && a.Configuration == b.Configuration &&
		a.Scope == b.Scope && slices.Equal(a.AllowedModes, b.AllowedModes) && a.CreatedOn.Equal(b.CreatedOn) && a.ModifiedOn.Equal(b.ModifiedOn)
}

func TestAccessRuleValidation(t *testing.T) {
	accepted := []struct {
		mode, target, value string
		want                string // canonical value
	}{
		{"block", "ip", "203.0.113.7", "203.0.113.7"},
		{"block", "ip", " 203.0.113.8 ", "203.0.113.8"},
		{"challenge", "ip6", "2001:DB8:0::1", "2001:db8::1"},
		{"js_challenge", "ip_range", "198.51.0.0/16", "198.51.0.0/16"},
		{"js_challenge", "ip_range", "198.51.100.0/24", "198.51.100.0/24"},
		{"managed_challenge", "ip_range", "2001:db8::/32", "2001:db8::/32"},
		{"managed_challenge", "ip_range", "2001:db8:1::/48", "2001:db8:1::/48"},
		{"managed_challenge", "ip_range", "2001:db8:1:2::/64", "2001:db8:1:2::/64"},
		{"whitelist", "asn", "AS13335", "AS13335"},
		{"whitelist", "asn", "as64500", "AS64500"},
		{"whitelist", "asn", "64501", "AS64501"},
		{"block", "country", "de", "DE"},
		{"block", "ip_range", "192.0.2.0/24", "192.0.2.0/24"}, // same address space, other target: not a duplicate
	}
	for _, tt := range accepted {
		t.Run(tt.mode+" "+tt.target+" "+tt.value, func(t *testing.T) {
			_, a := postAccessRule(t, tt.mode, tt.target, tt.value)
			var got accessRuleJSON
			a.ok(t, &got)
			if got.Configuration.Value != tt.want {
				t.Errorf("value = %q, want %q", got.Configuration.Value, tt.want)
			}
		})
	}
	refused := []struct {
		mode, target, value string
		want                string // error message suffix
		code                int
	}{
		{"block", "ip", "2001:db8::1", "invalid ip provided", codeAccessInvalid},
		{"block", "ip", "203.0.113.0/24", "invalid ip provided", codeAccessInvalid},
		{"challenge", "ip6", "::ffff:192.0.2.1", "invalid ip provided", codeAccessInvalid},
		{"challenge", "ip6", "192.0.2.1", "invalid ip provided", codeAccessInvalid},
		{"js_challenge", "ip_range", "198.51.100.0/23", "invalid ip provided", codeAccessInvalid},
		{"js_challenge", "ip_range", "198.51.100.1/24", "invalid ip provided", codeAccessInvalid},
		{"js_challenge", "ip_range", "10.0.0.0/8", "invalid ip provided", codeAccessInvalid},
		{"managed_challenge", "ip_range", "2001:db8::/56", "invalid ip provided", codeAccessInvalid},
		{"whitelist", "asn", "AS4294967296", "invalid asn provided", codeAccessInvalid},
		{"whitelist", "asn", "ASX", "invalid asn provided", codeAccessInvalid},
		{"block", "country", "DEU", "invalid country provided", codeAccessInvalid},
		{"block", "hostname", "example.net", "unsupported target received: hostname", codeAccessInvalid},
		{"block", "", "192.0.2.1", "unsupported target received: ", codeAccessInvalid},
		{"allow", "ip", "192.0.2.1", "invalid mode received: allow", codeAccessInvalid},
		{"", "ip", "192.0.2.1", "invalid mode received: ", codeAccessInvalid},
		{"whitelist", "ip", "192.0.2.99", "firewallaccessrules.api.duplicate_of_existing", codeAccessDuplicate},
	}
	for _, tt := range refused {
		t.Run(tt.mode+" "+tt.target+" "+tt.value, func(t *testing.T) {
			h, a := postAccessRule(t, tt.mode, tt.target, tt.value)
			a.fails(t, http.StatusBadRequest, tt.code)
			if msg := a.env.Errors[0].Message; !strings.HasPrefix(msg, "firewallaccessrules.api.") || !strings.HasSuffix(msg, tt.want) {
				t.Errorf("message = %q, want one ending in %q", msg, tt.want)
			}
			if len(h.s.AccessRules(testZone)) != 1 {
				t.Error("a refused rule was stored")
			}
		})
	}
}

// postAccessRule posts a rule to a zone that holds one already, a block of
// 192.0.2.99.
func postAccessRule(t *testing.T, mode, target, value string) (*harness, answer) {
	t.Helper()
	h := newHarness(t)
	if _, err := h.s.AddAccessRule(testZone, AccessRule{Mode: "block", Target: "ip", Value: "192.0.2.99"}); err != nil {
		t.Fatal(err)
	}
	return h, h.do(http.MethodPost, h.zonePath("/firewall/access_rules/rules"),
		map[string]any{"mode": mode, "configuration": map[string]any{"target": target, "value": value}, "notes": ""})
}

func TestListAccessRules(t *testing.T) {
	h := newHarness(t)
	for _, r := range []AccessRule{
		{Mode: "whitelist", Target: "ip", Value: "203.0.113.7", Notes: "flarewarden: Script"},
		{Mode: "block", Target: "country", Value: "DE", Notes: "geo"},
		{Mode: "block", Target: "asn", Value: "AS64500", Notes: "bad network"},
		{Mode: "challenge", Target: "ip6", Value: "2001:db8::1", Notes: "flarewarden: other"},
	} {
		if _, err := h.s.AddAccessRule(testZone, r); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		query   string
		values  string
		perPage int
	}{
		{"", "203.0.113.7 DE AS64500 2001:db8::1", 20},
		{"?mode=block", "DE AS64500", 20},
		{"?configuration.target=ip", "203.0.113.7", 20},
		{"?configuration_target=ip6", "2001:db8::1", 20},
		{"?configuration.value=de", "DE", 20},
		{"?notes=FLAREWARDEN", "203.0.113.7 2001:db8::1", 20},
		{"?notes=flarewarden&mode=challenge", "2001:db8::1", 20},
		{"?notes=geo&mode=whitelist&match=any", "203.0.113.7 DE", 20},
		{"?mode=managed_challenge", "", 20},
		{"?order=mode", "DE AS64500 2001:db8::1 203.0.113.7", 20},
		{"?order=configuration.value&direction=desc", "DE AS64500 203.0.113.7 2001:db8::1", 20},
		{"?per_page=2&page=2", "AS64500 2001:db8::1", 2},
		{"?per_page=5000", "203.0.113.7 DE AS64500 2001:db8::1", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			a := h.do(http.MethodGet, h.zonePath("/firewall/access_rules/rules"+tt.query), nil)
			var got []accessRuleJSON
			a.ok(t, &got)
			values := []string{}
			for _, r := range got {
				values = append(values, r.Configuration.Value)
			}
			if strings.Join(values, " ") != tt.values {
				t.Errorf("values = %q, want %q", strings.Join(values, " "), tt.values)
			}
			if a.env.ResultInfo == nil || a.env.ResultInfo.PerPage != tt.perPage || a.env.ResultInfo.Count != len(got) {
				t.Errorf("result_info = %+v", a.env.ResultInfo)
			}
		})
	}
	for _, q := range []string{"?match=some", "?order=notes", "?direction=up", "?page=0"} {
		h.do(http.MethodGet, h.zonePath("/firewall/access_rules/rules"+q), nil).fails(t, 400, codeInvalidParam)
	}
}

func TestAccessRuleGoAPI(t *testing.T) {
	s := New()
	s.AddZone(testZone)
	r, err := s.AddAccessRule(testZone, AccessRule{Mode: "whitelist", Target: "ip_range", Value: "2001:db8::/48", Notes: "n"})
	if err != nil || !isHexID(r.ID) || r.CreatedOn.IsZero() {
		t.Fatalf("AddAccessRule = %+v, %v", r, err)
	}
	if _, err := s.AddAccessRule(testZone, AccessRule{Mode: "whitelist", Target: "ip_range", Value: "2001:db8::/48"}); err == nil {
		t.Error("duplicate accepted")
	}
	if _, err := s.AddAccessRule("nope.com", r); err == nil || s.AccessRules("nope.com") != nil {
		t.Error("unknown zone accepted")
	}
	got := s.AccessRules(testZone)
	got[0].Mode = "changed"
	if s.AccessRules(testZone)[0].Mode != "whitelist" {
		t.Error("AccessRules shares memory with the simulator")
	}
	if err := s.DeleteAccessRule(testZone, r.ID); err != nil || len(s.AccessRules(testZone)) != 0 {
		t.Errorf("DeleteAccessRule: %v", err)
	}
	if err := s.DeleteAccessRule(testZone, r.ID); err == nil {
		t.Error("deleting twice: no error")
	}
}
