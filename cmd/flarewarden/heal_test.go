package main

import (
	"slices"
	"testing"

	"github.com/flarewarden/flarewarden/cmd/flarewarden/config"
)

func TestSelfScope(t *testing.T) {
	rule := func(zones []string, sources ...string) config.SkipRule {
		return config.SkipRule{Name: "r", Zones: zones, Sources: config.Sources{Sources: sources}}
	}
	tests := []struct {
		name    string
		rules   []config.SkipRule
		managed bool
		zones   []string
	}{
		{name: "no rule"},
		{name: "no rule lists self", rules: []config.SkipRule{rule(nil, "203.0.113.7")}},
		{name: "self without zones: every managed zone", rules: []config.SkipRule{rule(nil, " SELF ")}, managed: true},
		{name: "self in named zones only", zones: []string{"a.example", "b.example"},
			rules: []config.SkipRule{rule([]string{"a.example"}, "self"), rule([]string{"c.example"}, "198.51.100.1"),
				rule([]string{"b.example"}, "203.0.113.7", "self")}},
		{name: "both", managed: true, zones: []string{"a.example"},
			rules: []config.SkipRule{rule([]string{"a.example"}, "self"), rule(nil, "self")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := selfScope(config.WAF{SkipRules: tt.rules})
			if s.Managed != tt.managed || !slices.Equal(s.Zones, tt.zones) {
				t.Fatalf("scope = %+v, want managed %v zones %v", s, tt.managed, tt.zones)
			}
		})
	}
}
