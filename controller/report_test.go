package controller

import (
	"net/netip"
	"reflect"
	"testing"
)

func TestRecordStates(t *testing.T) {
	known := Detection{V4: FamilyResult{State: StateKnown, Addr: netip.MustParseAddr("203.0.113.7")}, V6: FamilyResult{State: StateDisabled}}
	unknown := Detection{V4: FamilyResult{State: StateUnknown}, V6: FamilyResult{State: StateDisabled}}
	z := Zone{ID: "z", Name: "example.com"}
	tests := []struct {
		name string
		rep  *Report
		want RecordState
	}{
		{"no pass yet", nil, RecordState{Name: "home.example.com", State: "unknown"}},
		{"in sync", &Report{Detection: known}, RecordState{Name: "home.example.com", State: "in_sync"}},
		{"address unknown", &Report{Detection: unknown},
			RecordState{Name: "home.example.com", State: "unknown", Reason: "ipv4 address unknown"}},
		{"changed", &Report{Detection: known, Plan: PlanResult{Changes: []Change{{Action: ActionUpdate, Zone: z,
			Name: "home.example.com", Type: TypeA}}}},
			RecordState{Name: "home.example.com", State: "changed", Actions: []string{"update A"}}},
		{"still a cname", &Report{Detection: unknown, CNAMEs: map[string]string{"home.example.com": "myhome.duckdns.org"}},
			RecordState{Name: "home.example.com", State: "cname", Target: "myhome.duckdns.org", Reason: "ipv4 address unknown"}},
		{"zone failed", &Report{Detection: known, Failed: []string{"example.com"}},
			RecordState{Name: "home.example.com", State: "failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rep.RecordStates([]string{"Home.Example.com."})
			if !reflect.DeepEqual(got, []RecordState{tt.want}) {
				t.Errorf("RecordStates = %+v, want %+v", got, tt.want)
			}
		})
	}
}
