package controller

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
)

const marker = "managed-by=flarewarden"

var (
	zone   = Zone{ID: "z1", Name: "example.com"}
	home   = "home.example.com"
	newIP4 = netip.MustParseAddr("203.0.113.7")
	oldIP4 = "198.51.100.1"
	newIP6 = netip.MustParseAddr("2001:db8::7")
)

func boolp(b bool) *bool { return &b }
func intp(i int) *int    { return &i }

func rec(id, typ, content, comment string) Record {
	return Record{ID: id, ZoneID: zone.ID, Name: home, Type: typ, Content: content, TTL: 1, Comment: comment}
}

func v4only(state AddressState) map[Family]Target {
	t := Target{State: state}
	if state == StateKnown {
		t.Addr = newIP4
	}
	return map[Family]Target{IPv4: t, IPv6: {State: StateDisabled}}
}

func dual() map[Family]Target {
	return map[Family]Target{IPv4: {State: StateKnown, Addr: newIP4}, IPv6: {State: StateKnown, Addr: newIP6}}
}

// step is an expected change, compared by action, type, old and new content.
type step struct {
	action   Action
	typ, old string
	new      string
}

func TestPlan(t *testing.T) {
	sync := Policy{Mode: ModeSync, Marker: marker}
	name := DesiredName{Zone: zone, Name: home, TakeoverCNAME: true}
	tests := []struct {
		name     string
		desired  DesiredName
		addrs    map[Family]Target
		observed []Record
		policy   Policy
		want     []step
		warnings []string
	}{
		{name: "nothing to do", desired: name, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("a", "A", newIP4.String(), marker)}},
		{name: "IPv6 spelled otherwise is the same address", desired: name, addrs: dual(), policy: sync,
			observed: []Record{rec("a", "A", newIP4.String(), marker), rec("b", "AAAA", "2001:DB8:0:0::7", marker)}},
		{name: "create missing A", desired: name, addrs: v4only(StateKnown), policy: sync,
			want: []step{{ActionCreate, "A", "", newIP4.String()}}},
		{name: "create A and AAAA", desired: name, addrs: dual(), policy: sync,
			want: []step{{ActionCreate, "A", "", newIP4.String()}, {ActionCreate, "AAAA", "", newIP6.String()}}},
		{name: "update in place", desired: name, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("a", "A", oldIP4, marker)},
			want:     []step{{ActionUpdate, "A", oldIP4, newIP4.String()}}},
		{name: "takeover CNAME", desired: name, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("c", "CNAME", "myhome.duckdns.org", "")},
			want:     []step{{ActionDelete, "CNAME", "myhome.duckdns.org", ""}, {ActionCreate, "A", "", newIP4.String()}}},
		{name: "takeover CNAME dual stack", desired: name, addrs: dual(), policy: sync,
			observed: []Record{rec("c", "CNAME", "myhome.duckdns.org", "")},
			want: []step{{ActionDelete, "CNAME", "myhome.duckdns.org", ""},
				{ActionCreate, "A", "", newIP4.String()}, {ActionCreate, "AAAA", "", newIP6.String()}}},
		{name: "takeover off keeps CNAME", desired: DesiredName{Zone: zone, Name: home}, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("c", "CNAME", "myhome.duckdns.org", "")},
			warnings: []string{"takeover_cname is off"}},
		{name: "takeover on failure keeps CNAME until a check fails", desired: DesiredName{Zone: zone, Name: home, TakeoverOnFailure: true},
			addrs: v4only(StateKnown), policy: sync, observed: []Record{rec("c", "CNAME", "myhome.duckdns.org", "")},
			warnings: []string{"takeover_cname is on-failure and no health check has seen the target down"}},
		{name: "takeover waits for unknown family", desired: name,
			addrs:    map[Family]Target{IPv4: {State: StateKnown, Addr: newIP4}, IPv6: {State: StateUnknown}},
			observed: []Record{rec("c", "CNAME", "myhome.duckdns.org", "")}, policy: sync,
			warnings: []string{"ipv6 address is unknown"}},
		{name: "takeover needs sync", desired: name, addrs: v4only(StateKnown),
			policy:   Policy{Mode: ModeUpsertOnly, Marker: marker},
			observed: []Record{rec("c", "CNAME", "myhome.duckdns.org", "")},
			warnings: []string{"takeover needs sync"}},
		{name: "unowned record at another name untouched", desired: name, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{
				{ID: "w", ZoneID: zone.ID, Name: "www.example.com", Type: "A", Content: oldIP4, TTL: 1},
				rec("a", "A", newIP4.String(), marker)}},
		{name: "unowned record of another type untouched", desired: name, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("t", "TXT", "v=spf1 -all", ""), rec("a", "A", newIP4.String(), marker)}},
		{name: "same name in another zone untouched", desired: name, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{{ID: "o", ZoneID: "other", Name: home, Type: "A", Content: oldIP4, Comment: marker},
				rec("a", "A", newIP4.String(), marker)}},
		{name: "adopt unowned record at configured name", desired: name, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("a", "A", oldIP4, "set by hand")},
			want:     []step{{ActionUpdate, "A", oldIP4, newIP4.String()}}},
		{name: "owned duplicates deleted", desired: name, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("a", "A", oldIP4, marker), rec("b", "A", newIP4.String(), marker), rec("c", "A", "198.51.100.2", marker)},
			want:     []step{{ActionDelete, "A", oldIP4, ""}, {ActionDelete, "A", "198.51.100.2", ""}}},
		{name: "unowned duplicate kept with a warning", desired: name, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("a", "A", newIP4.String(), marker), rec("b", "A", oldIP4, "other server")},
			warnings: []string{"unowned duplicate A record " + oldIP4}},
		{name: "unknown family keeps records", desired: name, addrs: v4only(StateUnknown), policy: sync,
			observed: []Record{rec("a", "A", oldIP4, marker)}},
		{name: "unknown family creates nothing", desired: name, addrs: v4only(StateUnknown), policy: sync},
		{name: "disabled family deletes owned records under sync", desired: name, addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("a", "A", newIP4.String(), marker), rec("6", "AAAA", "2001:db8::1", marker), rec("u", "AAAA", "2001:db8::2", "")},
			want:     []step{{ActionDelete, "AAAA", "2001:db8::1", ""}}},
		{name: "upsert-only updates but never deletes", desired: name, addrs: v4only(StateKnown),
			policy:   Policy{Mode: ModeUpsertOnly, Marker: marker},
			observed: []Record{rec("a", "A", oldIP4, marker), rec("b", "A", "198.51.100.2", marker)},
			want:     []step{{ActionUpdate, "A", oldIP4, newIP4.String()}},
			warnings: []string{"policy upsert-only does not delete"}},
		{name: "create-only creates", desired: name, addrs: v4only(StateKnown),
			policy: Policy{Mode: ModeCreateOnly, Marker: marker},
			want:   []step{{ActionCreate, "A", "", newIP4.String()}}},
		{name: "create-only never updates", desired: name, addrs: v4only(StateKnown),
			policy:   Policy{Mode: ModeCreateOnly, Marker: marker},
			observed: []Record{rec("a", "A", oldIP4, marker)},
			warnings: []string{"policy create-only leaves it"}},
		{name: "proxied drift reverted", desired: DesiredName{Zone: zone, Name: home, Proxied: boolp(true)},
			addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("a", "A", newIP4.String(), marker)},
			want:     []step{{ActionUpdate, "A", newIP4.String(), newIP4.String()}}},
		{name: "ttl of a proxied record is not compared", desired: DesiredName{Zone: zone, Name: home, TTL: intp(300)},
			addrs: v4only(StateKnown), policy: sync,
			observed: []Record{{ID: "a", ZoneID: zone.ID, Name: home, Type: "A", Content: newIP4.String(), Proxied: true, TTL: 1, Comment: marker}}},
		{name: "ttl drift reverted", desired: DesiredName{Zone: zone, Name: home, TTL: intp(300)},
			addrs: v4only(StateKnown), policy: sync,
			observed: []Record{rec("a", "A", newIP4.String(), marker)},
			want:     []step{{ActionUpdate, "A", newIP4.String(), newIP4.String()}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Plan(Desired{Names: []DesiredName{tt.desired}, Addrs: tt.addrs}, tt.observed, tt.policy)
			assertSteps(t, got.Changes, tt.want)
			assertWarnings(t, got.Warnings, tt.warnings)
		})
	}
}

func assertSteps(t *testing.T, got []Change, want []step) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d changes %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i, w := range want {
		g := got[i]
		if g.Action != w.action || g.Type != w.typ || g.Old() != w.old || g.New() != w.new {
			t.Errorf("change %d = %s %s %q -> %q, want %s %s %q -> %q",
				i, g.Action, g.Type, g.Old(), g.New(), w.action, w.typ, w.old, w.new)
		}
	}
}

func assertWarnings(t *testing.T, got []Warning, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got warnings %+v, want %d matching %q", got, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(got[i].Message, w) {
			t.Errorf("warning %d = %q, want it to contain %q", i, got[i].Message, w)
		}
	}
}

// TestPlanUnownedRecordAlreadyHasTheAddress covers an unowned record that
// already carries the wanted address at the name: no record may be given
// that content again (Cloudflare answers 81058 and refuses the zone's
// whole batch), whatever the policy.
func TestPlanUnownedRecordAlreadyHasTheAddress(t *testing.T) {
	served := rec("u", "A", newIP4.String(), "set by hand")
	stale := rec("a", "A", oldIP4, marker)
	tests := []struct {
		name       string
		mode       Mode
		observed   []Record
		want       []step
		deleteWhy  string
		warnings   []string
		warnedName string
	}{
		{name: "sync deletes the owned stale record and adopts", mode: ModeSync, observed: []Record{stale, served},
			want:      []step{{ActionDelete, "A", oldIP4, ""}, {ActionUpdate, "A", newIP4.String(), newIP4.String()}},
			deleteWhy: "stale duplicate: unowned A record already has " + newIP4.String()},
		{name: "upsert-only keeps the owned stale record", mode: ModeUpsertOnly, observed: []Record{stale, served},
			want:     []step{{ActionUpdate, "A", newIP4.String(), newIP4.String()}},
			warnings: []string{"owned A record " + oldIP4 + " kept (stale duplicate: unowned A record already has " + newIP4.String()}},
		{name: "create-only changes nothing", mode: ModeCreateOnly, observed: []Record{stale, served},
			warnings: []string{"policy create-only leaves it", "owned A record " + oldIP4 + " kept (stale duplicate"}},
		{name: "sync creates no copy, adopts", mode: ModeSync, observed: []Record{served},
			want: []step{{ActionUpdate, "A", newIP4.String(), newIP4.String()}}},
		{name: "upsert-only creates no copy, adopts", mode: ModeUpsertOnly, observed: []Record{served},
			want: []step{{ActionUpdate, "A", newIP4.String(), newIP4.String()}}},
		{name: "create-only creates no copy", mode: ModeCreateOnly, observed: []Record{served},
			warnings: []string{"policy create-only leaves it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Plan(Desired{Names: []DesiredName{{Zone: zone, Name: home}}, Addrs: v4only(StateKnown)},
				tt.observed, Policy{Mode: tt.mode, Marker: marker})
			assertSteps(t, got.Changes, tt.want)
			assertWarnings(t, got.Warnings, tt.warnings)
			for _, c := range got.Changes {
				if c.New() == newIP4.String() && (c.Before == nil || c.Before.ID != served.ID) {
					t.Errorf("%s gives %s a copy of the unowned record's content", c.Action, c.Old())
				}
				if c.Action == ActionDelete && c.Reason != tt.deleteWhy {
					t.Errorf("delete reason = %q, want %q", c.Reason, tt.deleteWhy)
				}
			}
			for _, w := range got.Warnings {
				if w.Name != home {
					t.Errorf("warning %q names %q, want %q", w.Message, w.Name, home)
				}
			}
		})
	}
}

func TestEmptyPlanJSONHasAnEmptyChangesList(t *testing.T) {
	out, err := json.Marshal(PlanResult{})
	if err != nil || string(out) != `{"changes":[]}` {
		t.Fatalf("json = %s, %v; want {\"changes\":[]}", out, err)
	}
}
