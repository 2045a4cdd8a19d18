package controller

import (
	"net/netip"
	"strings"
	"testing"
)

var (
	fiberIP4 = "198.51.100.7"
	lteIP4   = "203.0.113.9"
)

// uplinkDet is a detection of two uplinks, fiber and lte, IPv4 only;
// "" leaves an uplink's address unknown.
func uplinkDet(fiber, lte string) Detection {
	fam := func(addr string) FamilyResult {
		if addr == "" {
			return FamilyResult{State: StateUnknown}
		}
		return FamilyResult{State: StateKnown, Addr: netip.MustParseAddr(addr)}
	}
	return Detection{Uplinks: []UplinkDetection{
		{Name: "fiber", V4: fam(fiber), V6: FamilyResult{State: StateDisabled}},
		{Name: "lte", V4: fam(lte), V6: FamilyResult{State: StateDisabled}},
	}}
}

func TestPlanUplinks(t *testing.T) {
	sync := Policy{Mode: ModeSync, Marker: marker}
	failover := DesiredName{Zone: zone, Name: home, Uplinks: []string{"fiber", "lte"}, UplinkMode: UplinkFailover}
	all := DesiredName{Zone: zone, Name: home, Uplinks: []string{"fiber", "lte"}, UplinkMode: UplinkAll}
	canary := DesiredName{Zone: zone, Name: home, Uplinks: []string{"fiber"}, UplinkMode: UplinkPinned, Proxied: boolp(true)}
	fiberDown := map[string]string{"fiber": "its canary answers 522 through the edge, 2 rounds"}
	bothDown := map[string]string{"fiber": "522", "lte": "521"}
	tests := []struct {
		name     string
		desired  DesiredName
		det      Detection
		down     map[string]string
		policy   Policy
		observed []Record
		want     []step
		reason   string // a part of the first change's reason
		warnings []string
	}{
		{name: "failover holds the first uplink up", desired: failover, det: uplinkDet(fiberIP4, lteIP4), policy: sync,
			observed: []Record{rec("a", "A", fiberIP4, marker)}},
		{name: "failover moves to the next uplink up", desired: failover, det: uplinkDet(fiberIP4, lteIP4), down: fiberDown,
			policy: sync, observed: []Record{rec("a", "A", fiberIP4, marker)},
			want:   []step{{ActionUpdate, "A", fiberIP4, lteIP4}},
			reason: "moved from fiber 198.51.100.7 to lte 203.0.113.9: fiber is down (its canary answers 522 through the edge, 2 rounds)"},
		{name: "failover moves back when the first is up again", desired: failover, det: uplinkDet(fiberIP4, lteIP4),
			policy: sync, observed: []Record{rec("a", "A", lteIP4, marker)},
			want:   []step{{ActionUpdate, "A", lteIP4, fiberIP4}},
			reason: "moved from lte 203.0.113.9 to fiber 198.51.100.7: fiber is up and preferred"},
		{name: "failover to a down uplink's dead address: its detection failed", desired: failover,
			det: uplinkDet("", lteIP4), down: fiberDown, policy: sync, observed: []Record{rec("a", "A", fiberIP4, marker)},
			want: []step{{ActionUpdate, "A", fiberIP4, lteIP4}}, reason: "moved from 198.51.100.7 to lte 203.0.113.9: fiber is down"},
		{name: "every uplink down keeps the records", desired: failover, det: uplinkDet(fiberIP4, lteIP4), down: bothDown,
			policy: sync, observed: []Record{rec("a", "A", fiberIP4, marker)},
			warnings: []string{"records kept: every uplink is down: fiber is down (522); lte is down (521)"}},
		{name: "every uplink down never creates", desired: all, det: uplinkDet(fiberIP4, lteIP4), down: bothDown,
			policy: sync, warnings: []string{"records kept: every uplink is down"}},
		{name: "the first uplink up with its address unknown keeps the records", desired: failover,
			det: uplinkDet("", lteIP4), policy: sync, observed: []Record{rec("a", "A", fiberIP4, marker)}},
		{name: "all: one record per uplink up", desired: all, det: uplinkDet(fiberIP4, lteIP4), policy: sync,
			observed: []Record{rec("a", "A", fiberIP4, marker)},
			want:     []step{{ActionCreate, "A", "", lteIP4}}},
		{name: "all: a down uplink's record is deleted, the other stays", desired: all, det: uplinkDet(fiberIP4, lteIP4),
			down: fiberDown, policy: sync, observed: []Record{rec("a", "A", fiberIP4, marker), rec("b", "A", lteIP4, marker)},
			want:   []step{{ActionDelete, "A", fiberIP4, ""}},
			reason: "removed fiber 198.51.100.7: fiber is down (its canary"},
		{name: "a canary says whose it is", desired: canary, det: uplinkDet(fiberIP4, lteIP4), policy: sync,
			observed: []Record{rec("a", "A", lteIP4, marker)},
			want:     []step{{ActionUpdate, "A", lteIP4, fiberIP4}}, reason: "; canary of fiber"},
		{name: "all: under upsert-only the down uplink's record stays", desired: all, det: uplinkDet(fiberIP4, lteIP4),
			down: fiberDown, policy: Policy{Mode: ModeUpsertOnly, Marker: marker},
			observed: []Record{rec("a", "A", fiberIP4, marker), rec("b", "A", lteIP4, marker)},
			warnings: []string{"owned A record 198.51.100.7 kept"}},
		{name: "all: a new address updates the record in place, the other kept", desired: all,
			det: uplinkDet("198.51.100.8", lteIP4), policy: sync,
			observed: []Record{rec("a", "A", lteIP4, marker), rec("b", "A", fiberIP4, marker)},
			want:     []step{{ActionUpdate, "A", fiberIP4, "198.51.100.8"}}},
		{name: "all: an unowned record with a wanted address is adopted, not copied", desired: all,
			det: uplinkDet(fiberIP4, lteIP4), policy: sync,
			observed: []Record{rec("a", "A", lteIP4, ""), rec("b", "A", "192.0.2.1", marker)},
			want:     []step{{ActionUpdate, "A", lteIP4, lteIP4}, {ActionUpdate, "A", "192.0.2.1", fiberIP4}}},
		{name: "a canary holds its uplink's address while the uplink is down", desired: canary,
			det: uplinkDet("198.51.100.8", lteIP4), down: fiberDown, policy: sync,
			observed: []Record{rec("a", "A", fiberIP4, marker)},
			want:     []step{{ActionUpdate, "A", fiberIP4, "198.51.100.8"}}},
		{name: "a canary is created proxied", desired: canary, det: uplinkDet(fiberIP4, lteIP4), policy: sync,
			want: []step{{ActionCreate, "A", "", fiberIP4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Desired{Names: []DesiredName{tt.desired}, Addrs: DesiredFromDetection(tt.det), Uplinks: UplinkViews(tt.det, tt.down)}
			got := Plan(d, tt.observed, tt.policy)
			assertSteps(t, got.Changes, tt.want)
			assertWarnings(t, got.Warnings, tt.warnings)
			if tt.reason != "" && (len(got.Changes) == 0 || !strings.Contains(got.Changes[0].Reason, tt.reason)) {
				t.Errorf("reason = %q, want it to contain %q", got.Changes[0].Reason, tt.reason)
			}
			for _, c := range got.Changes {
				if c.After != nil && tt.desired.UplinkMode == UplinkPinned && !c.After.Proxied {
					t.Errorf("canary %s is not proxied", c.After)
				}
			}
			wantFollows := 1
			if tt.desired.UplinkMode == UplinkPinned {
				wantFollows = 0 // a canary follows its uplink, and says so in its changes' reasons only
			}
			if len(got.Follows) != wantFollows || (wantFollows == 1 && got.Follows[0].Name != home) {
				t.Errorf("Follows = %+v, want %d for %s", got.Follows, wantFollows, home)
			}
		})
	}
}

func TestPlanUplinksJoinEachPrefixToTheHost(t *testing.T) {
	det := Detection{Uplinks: []UplinkDetection{
		{Name: "fiber", V4: FamilyResult{State: StateDisabled}, V6: FamilyResult{State: StateKnown, Addr: netip.MustParseAddr("2001:db8:1:2::99")}},
		{Name: "lte", V4: FamilyResult{State: StateDisabled}, V6: FamilyResult{State: StateKnown, Addr: netip.MustParseAddr("2001:db8:9:8::77")}},
	}}
	nas := DesiredName{Zone: zone, Name: home, Uplinks: []string{"fiber", "lte"}, UplinkMode: UplinkAll,
		IPv6Host: host("::1234:5678:9abc:def0", 64)}
	got := Plan(Desired{Names: []DesiredName{nas}, Uplinks: UplinkViews(det, nil)}, nil, Policy{Mode: ModeSync, Marker: marker})
	assertSteps(t, got.Changes, []step{
		{ActionCreate, "AAAA", "", "2001:db8:1:2:1234:5678:9abc:def0"},
		{ActionCreate, "AAAA", "", "2001:db8:9:8:1234:5678:9abc:def0"},
	})
}

func TestRecordStatesSayWhichUplinkANameFollows(t *testing.T) {
	det := uplinkDet(fiberIP4, lteIP4)
	d := Desired{Names: []DesiredName{{Zone: zone, Name: home, Uplinks: []string{"fiber", "lte"}, UplinkMode: UplinkFailover}},
		Uplinks: UplinkViews(det, map[string]string{"fiber": "522", "lte": "521"})}
	rep := Report{Detection: det, Plan: Plan(d, []Record{rec("a", "A", fiberIP4, marker)}, Policy{Mode: ModeSync, Marker: marker})}
	got := rep.RecordStates([]string{home})[0]
	if got.State != "unknown" || got.Reason != uplinksDownPrefix || !strings.Contains(got.Uplinks, "fiber is down (522); lte is down (521)") {
		t.Errorf("state = %+v", got)
	}
}
