package controller

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

func TestIPv6HostJoin(t *testing.T) {
	detected := netip.MustParseAddr("2001:db8:1234:5678:9abc:def0:1234:5678")
	tests := []struct {
		give    IPv6Host
		want    string
		wantErr string
	}{
		{give: host("::1", 64), want: "2001:db8:1234:5678::1"},
		{give: host("::1234:5678:9abc:def0", 64), want: "2001:db8:1234:5678:1234:5678:9abc:def0"},
		{give: host("::ff:0:0:0:1", 56), want: "2001:db8:1234:56ff::1"},
		{give: host("::aa:bbcc:ddee:ff01", 56), want: "2001:db8:1234:5600:aa:bbcc:ddee:ff01"},
		{give: host("::f:0:0:0:1", 60), want: "2001:db8:1234:567f::1"},
		{give: host("::ffff:0:0:0:2", 48), want: "2001:db8:1234:ffff::2"},
		{give: host("::1:0:0:0:1", 64), wantErr: "::1:0:0:0:1 has bits inside the /64 prefix"},
		{give: host("::100:0:0:0:1", 56), wantErr: "::100:0:0:0:1 has bits inside the /56 prefix"},
		{give: host("::10:0:0:0:1", 60), wantErr: "::10:0:0:0:1 has bits inside the /60 prefix"},
		{give: host("0:0:1::1", 48), wantErr: "0:0:1::1 has bits inside the /48 prefix"},
		{give: host("::ffff:10.0.0.1", 64), wantErr: "is not an IPv6 interface identifier"},
		{give: host("10.0.0.1", 64), wantErr: "is not an IPv6 interface identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.give.ID.String()+"/"+strconv.Itoa(tt.give.PrefixLen), func(t *testing.T) {
			err := tt.give.Check()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Check() = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Check() = %v", err)
			}
			if got := tt.give.Join(detected); got.String() != tt.want {
				t.Errorf("Join = %s, want %s", got, tt.want)
			}
		})
	}
}

func host(id string, bits int) IPv6Host {
	return IPv6Host{ID: netip.MustParseAddr(id), PrefixLen: bits}
}

func TestPlanIPv6Host(t *testing.T) {
	sync := Policy{Mode: ModeSync, Marker: marker}
	nas := DesiredName{Zone: zone, Name: home, TakeoverCNAME: true, IPv6Host: host("::aa:bbcc:ddee:ff01", 56)}
	prefix := func(addr string) map[Family]Target {
		return map[Family]Target{IPv4: {State: StateKnown, Addr: newIP4}, IPv6: {State: StateKnown, Addr: netip.MustParseAddr(addr)}}
	}
	const joined = "2001:db8:1234:5600:aa:bbcc:ddee:ff01"
	tests := []struct {
		name     string
		desired  DesiredName
		addrs    map[Family]Target
		observed []Record
		want     []step
	}{
		{name: "creates the joined AAAA beside the detected A", desired: nas, addrs: prefix("2001:db8:1234:5600::7"),
			want: []step{{ActionCreate, "A", "", newIP4.String()}, {ActionCreate, "AAAA", "", joined}}},
		{name: "nothing to do when the AAAA is joined", desired: nas, addrs: prefix("2001:db8:1234:5611::7"),
			observed: []Record{rec("a", "A", newIP4.String(), marker), rec("b", "AAAA", joined, marker)}},
		{name: "a new prefix updates the AAAA in place", desired: nas, addrs: prefix("2001:db8:4321:ab00::7"),
			observed: []Record{rec("a", "A", newIP4.String(), marker), rec("b", "AAAA", joined, marker)},
			want:     []step{{ActionUpdate, "AAAA", joined, "2001:db8:4321:ab00:aa:bbcc:ddee:ff01"}}},
		{name: "unknown IPv6 keeps the AAAA", desired: nas,
			addrs:    map[Family]Target{IPv4: {State: StateKnown, Addr: newIP4}, IPv6: {State: StateUnknown}},
			observed: []Record{rec("a", "A", newIP4.String(), marker), rec("b", "AAAA", joined, marker)}},
		{name: "takeover creates the joined AAAA", desired: nas, addrs: prefix("2001:db8:1234:5600::7"),
			observed: []Record{rec("c", "CNAME", "myhome.duckdns.org", "")},
			want: []step{{ActionDelete, "CNAME", "myhome.duckdns.org", ""},
				{ActionCreate, "A", "", newIP4.String()}, {ActionCreate, "AAAA", "", joined}}},
		{name: "a name without a host id gets the detected address", desired: DesiredName{Zone: zone, Name: home},
			addrs: prefix("2001:db8:1234:5600::7"), observed: []Record{rec("a", "A", newIP4.String(), marker)},
			want: []step{{ActionCreate, "AAAA", "", "2001:db8:1234:5600::7"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Plan(Desired{Names: []DesiredName{tt.desired}, Addrs: tt.addrs}, tt.observed, sync)
			assertSteps(t, got.Changes, tt.want)
			assertWarnings(t, got.Warnings, nil)
		})
	}
}

func TestPlanIPv6HostLeavesSharedTargets(t *testing.T) {
	addrs := map[Family]Target{IPv6: {State: StateKnown, Addr: newIP6}}
	names := []DesiredName{{Zone: zone, Name: home, IPv6Host: host("::5", 64)}, {Zone: zone, Name: "www.example.com"}}
	got := Plan(Desired{Names: names, Addrs: addrs}, nil, Policy{Mode: ModeSync, Marker: marker})
	contents := map[string]string{}
	for _, c := range got.Changes {
		contents[c.Name] = c.After.Content
	}
	if contents[home] != "2001:db8::5" || contents["www.example.com"] != newIP6.String() || addrs[IPv6].Addr != newIP6 {
		t.Errorf("contents = %v, addrs = %v", contents, addrs)
	}
}
