package sim

import (
	"net/http"
	"testing"
)

func TestSecurityLevelAPI(t *testing.T) {
	h := newHarness(t)
	path := h.zonePath("/settings/security_level")
	var got settingJSON
	h.do(http.MethodGet, path, nil).ok(t, &got)
	if got.ID != "security_level" || got.Value != "medium" || !got.Editable || !got.ModifiedOn.Equal(h.zone.CreatedOn) {
		t.Errorf("default = %+v", got)
	}
	for _, level := range securityLevels {
		h.do(http.MethodPatch, path, map[string]any{"value": level}).ok(t, &got)
		if got.Value != level || h.s.SecurityLevel(testZone) != level {
			t.Errorf("after PATCH %s: %+v, Go API %q", level, got, h.s.SecurityLevel(testZone))
		}
	}
	if !got.ModifiedOn.After(h.zone.CreatedOn) {
		t.Errorf("modified_on = %v, not updated", got.ModifiedOn)
	}
	tests := []struct {
		name         string
		method, path string
		body         any
		status, code int
	}{
		{"invalid value", http.MethodPatch, path, map[string]any{"value": "Under_Attack"}, 400, codeSettingValue},
		{"no value", http.MethodPatch, path, map[string]any{}, 400, codeSettingValue},
		{"value not a string", http.MethodPatch, path, map[string]any{"value": 5}, 400, codeBadBody},
		{"body not an object", http.MethodPatch, path, `"high"`, 400, codeBadBody},
		{"other setting", http.MethodGet, h.zonePath("/settings/ssl"), nil, 404, codeNoRoute},
		{"patch other setting", http.MethodPatch, h.zonePath("/settings/ssl"), map[string]any{"value": "strict"}, 404, codeNoRoute},
		{"wrong method", http.MethodPost, path, nil, 405, codeMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.do(tt.method, tt.path, tt.body).fails(t, tt.status, tt.code)
		})
	}
	h.s.AddToken("ro", TokenOptions{ReadOnly: true})
	h.doAs("Bearer ro", http.MethodGet, path, nil).ok(t, nil)
	h.doAs("Bearer ro", http.MethodPatch, path, map[string]any{"value": "high"}).fails(t, 403, codeAuth)
	if h.s.SecurityLevel(testZone) != "under_attack" {
		t.Errorf("refused PATCHes changed the level to %q", h.s.SecurityLevel(testZone))
	}
}

func TestSecurityLevelGoAPI(t *testing.T) {
	s := New()
	s.AddZone(testZone)
	if err := s.SetSecurityLevel(testZone, "under_attack"); err != nil || s.SecurityLevel(testZone) != "under_attack" {
		t.Errorf("SetSecurityLevel: %v, level %q", err, s.SecurityLevel(testZone))
	}
	if err := s.SetSecurityLevel(testZone, "max"); err == nil || s.SecurityLevel(testZone) != "under_attack" {
		t.Errorf("invalid level: %v", err)
	}
	if err := s.SetSecurityLevel("nope.com", "low"); err == nil || s.SecurityLevel("nope.com") != "" {
		t.Errorf("unknown zone: %v", err)
	}
	if len(s.Requests()) != 0 {
		t.Error("Go API calls were logged")
	}
}
