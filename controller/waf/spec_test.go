package waf

import (
	"slices"
	"testing"
)

func TestSelfZones(t *testing.T) {
	rule := func(self bool, zones ...string) SkipRuleSpec {
		return SkipRuleSpec{Name: "r", Zones: zones, Self: self}
	}
	tests := []struct {
		name         string
		rules        []SkipRuleSpec
		zones        []string
		everyManaged bool
	}{
		{name: "no rule"},
		{name: "no rule lists self", rules: []SkipRuleSpec{rule(false)}},
		{name: "self without zones: every managed zone", rules: []SkipRuleSpec{rule(true)}, everyManaged: true},
		{name: "self in named zones only", zones: []string{"a.example", "b.example"},
			rules: []SkipRuleSpec{rule(true, "a.example"), rule(false, "c.example"), rule(true, "b.example")}},
		{name: "both", zones: []string{"a.example"}, everyManaged: true,
			rules: []SkipRuleSpec{rule(true, "a.example"), rule(true)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zones, every := Spec{SkipRules: tt.rules}.SelfZones()
			if every != tt.everyManaged || !slices.Equal(zones, tt.zones) {
				t.Fatalf("SelfZones = %v, %v; want %v, %v", zones, every, tt.zones, tt.everyManaged)
			}
		})
	}
}
