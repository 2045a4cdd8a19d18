package controller

import (
	"strings"
	"testing"
)

// A name listed more than once uses its only active zone; with none or
// several active it is ambiguous: a name inside it gets an error naming the
// zone and its ids, never the zone of a shorter suffix.
func TestMatchZonesListedTwice(t *testing.T) {
	parent := Zone{ID: "p", Name: "example.com", Status: ZoneActive}
	active := Zone{ID: "a", Name: "lab.example.com", Status: ZoneActive}
	pending := Zone{ID: "b", Name: "lab.example.com", Status: "pending"}
	moved := Zone{ID: "c", Name: "lab.example.com", Status: "moved"}
	active2 := Zone{ID: "d", Name: "lab.example.com", Status: ZoneActive}
	tests := []struct {
		name    string
		listed  []Zone
		spec    NameSpec
		zoneID  string
		wantErr string
	}{
		{"pending listed first", []Zone{parent, pending, active}, NameSpec{Name: "x.lab.example.com"}, "a", ""},
		{"moved and pending", []Zone{moved, active, pending}, NameSpec{Name: "x.lab.example.com"}, "a", ""},
		{"pinned", []Zone{parent, pending, active}, NameSpec{Name: "x.lab.example.com", Zone: "lab.example.com"}, "a", ""},
		{"two active", []Zone{parent, active, active2}, NameSpec{Field: "records[0]", Name: "x.lab.example.com"}, "",
			"records[0].name: x.lab.example.com: zone lab.example.com is listed 2 times (a (active), d (active)) and 2 are active: nothing is written in it"},
		{"none active", []Zone{parent, pending, moved}, NameSpec{Field: "records[0]", Name: "x.lab.example.com"}, "",
			"records[0].name: x.lab.example.com: zone lab.example.com is listed 2 times (b (pending), c (moved)) and none is active"},
		{"none active, pinned", []Zone{parent, pending, moved}, NameSpec{Field: "records[0]", Name: "x.lab.example.com", Zone: "lab.example.com"}, "",
			"records[0].zone: zone lab.example.com is listed 2 times"},
		{"parent unaffected", []Zone{parent, pending, moved}, NameSpec{Name: "www.example.com"}, "p", ""},
	}
	for _, tt := range tests {
		got, errs := MatchZones([]NameSpec{tt.spec}, tt.listed)
		if tt.wantErr != "" {
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), tt.wantErr) || len(got) != 0 {
				t.Errorf("%s: got %+v, errs %v; want %q", tt.name, got, errs, tt.wantErr)
			}
			continue
		}
		if len(errs) != 0 || len(got) != 1 || got[0].Zone.ID != tt.zoneID {
			t.Errorf("%s: got %+v %v, want zone %s", tt.name, got, errs, tt.zoneID)
		}
	}
}

func TestChooseZones(t *testing.T) {
	a := Zone{ID: "a", Name: "example.com", Status: ZoneActive}
	p := Zone{ID: "p", Name: "example.com", Status: "pending"}
	solo := Zone{ID: "s", Name: "example.net", Status: "pending"} // alone: used whatever its status
	zones, choices := ChooseZones([]Zone{p, solo, a, a})
	if len(zones) != 2 || zones[0] != a || zones[1] != solo {
		t.Errorf("zones %v, want the active example.com then example.net", zones)
	}
	if len(choices) != 1 || choices[0].Chosen != a || len(choices[0].Ignored()) != 1 || choices[0].Ignored()[0] != p {
		t.Errorf("choices %+v, want example.com: a chosen, p ignored", choices)
	}
}
