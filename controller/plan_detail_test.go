package controller

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTakeoverRecordInheritsAndExplains(t *testing.T) {
	cname := rec("c", "CNAME", "myhome.duckdns.org", "")
	cname.Proxied, cname.Tags = true, []string{"env:home"}
	got := Plan(Desired{Names: []DesiredName{{Zone: zone, Name: home, TakeoverCNAME: true}}, Addrs: v4only(StateKnown)},
		[]Record{cname}, Policy{Mode: ModeSync, Marker: marker})
	if len(got.Changes) != 2 {
		t.Fatalf("changes = %+v", got.Changes)
	}
	a := got.Changes[1].After
	if want := marker + "; was CNAME myhome.duckdns.org"; a.Comment != want {
		t.Errorf("comment = %q, want %q", a.Comment, want)
	}
	if !a.Proxied || a.TTL != 1 || !slices.Equal(a.Tags, cname.Tags) || a.ZoneID != zone.ID {
		t.Errorf("new record %+v does not inherit proxied/ttl/tags/zone of the CNAME", a)
	}
}

// A family added beside a proxied record is proxied too when the config
// leaves proxied unset: an unproxied AAAA beside a proxied A would publish
// the origin's address. A set proxied still wins.
func TestNewRecordFollowsProxiedNeighbour(t *testing.T) {
	a := rec("a", "A", newIP4.String(), marker)
	a.Proxied = true
	for _, tt := range []struct {
		name    string
		proxied *bool
		want    bool
	}{{"unset", nil, true}, {"set false", boolp(false), false}, {"set true", boolp(true), true}} {
		got := Plan(Desired{Names: []DesiredName{{Zone: zone, Name: home, Proxied: tt.proxied}}, Addrs: dual()},
			[]Record{a}, Policy{Mode: ModeSync, Marker: marker})
		i := slices.IndexFunc(got.Changes, func(c Change) bool { return c.Action == ActionCreate && c.Type == TypeAAAA })
		if i < 0 || got.Changes[i].After.Proxied != tt.want {
			t.Errorf("proxied %s: changes %+v, want a create of AAAA with proxied %v", tt.name, got.Changes, tt.want)
		}
	}
}

func TestTakeoverCommentIsClipped(t *testing.T) {
	long := strings.Repeat("verylonglabel.", 10) + "duckdns.org"
	c := takeoverComment(marker, long)
	if n := utf8.RuneCountInString(c); n != MaxCommentLen {
		t.Fatalf("comment has %d characters, want %d: %q", n, MaxCommentLen, c)
	}
	if !strings.HasPrefix(c, marker+"; was CNAME verylonglabel.") || !strings.HasSuffix(c, "...") {
		t.Errorf("clipped comment = %q", c)
	}
}

func TestUpdateKeepsCommentAndTags(t *testing.T) {
	r := rec("a", "A", oldIP4, "note; "+marker)
	r.Tags, r.TTL = []string{"a:b"}, 120
	got := Plan(Desired{Names: []DesiredName{{Zone: zone, Name: home}}, Addrs: v4only(StateKnown)},
		[]Record{r}, Policy{Mode: ModeSync, Marker: marker})
	a := got.Changes[0].After
	if a.ID != "a" || a.Comment != r.Comment || !slices.Equal(a.Tags, r.Tags) || a.TTL != 120 || a.Content != newIP4.String() {
		t.Errorf("updated record = %+v, want same id/comment/tags/ttl and new content", a)
	}
}

func TestAdoptionPrefixesMarker(t *testing.T) {
	tests := []struct{ comment, want string }{
		{"", marker},
		{"set by hand", marker + "; set by hand"},
		{strings.Repeat("x", 99), marker + "; " + strings.Repeat("x", 100-len(marker)-2-3) + "..."},
	}
	for _, tt := range tests {
		if got := withMarker(tt.comment, marker); got != tt.want {
			t.Errorf("withMarker(%q) = %q, want %q", tt.comment, got, tt.want)
		}
	}
}

func TestPlanIsSortedByZoneNameAction(t *testing.T) {
	z2 := Zone{ID: "z2", Name: "a-zone.net"}
	names := []DesiredName{{Zone: zone, Name: "b.example.com", TakeoverCNAME: true}, {Zone: z2, Name: "x.a-zone.net"}}
	obs := []Record{{ID: "c", ZoneID: zone.ID, Name: "b.example.com", Type: "CNAME", Content: "t.example.net"}}
	got := Plan(Desired{Names: names, Addrs: v4only(StateKnown)}, obs, Policy{Mode: ModeSync, Marker: marker})
	var order []string
	for _, c := range got.Changes {
		order = append(order, fmt.Sprintf("%s/%s/%s", c.Zone.Name, c.Name, c.Action))
	}
	want := []string{"a-zone.net/x.a-zone.net/create", "example.com/b.example.com/delete", "example.com/b.example.com/create"}
	if !slices.Equal(order, want) {
		t.Errorf("order = %v, want %v", order, want)
	}
}

// TestPlanConverges applies every plan of the table in memory and checks
// that planning again finds nothing to do: a pass is idempotent.
func TestPlanConverges(t *testing.T) {
	policies := []Policy{{Mode: ModeSync, Marker: marker}, {Mode: ModeUpsertOnly, Marker: marker}, {Mode: ModeCreateOnly, Marker: marker}}
	observed := [][]Record{
		nil,
		{rec("a", "A", oldIP4, "")},
		{rec("a", "A", oldIP4, marker), rec("b", "A", "198.51.100.2", marker)},
		{rec("c", "CNAME", "myhome.duckdns.org", "")},
		{rec("6", "AAAA", "2001:db8::1", marker)},
		{rec("a", "A", oldIP4, marker), rec("u", "A", newIP4.String(), "set by hand")},
	}
	for _, p := range policies {
		for i, obs := range observed {
			d := Desired{Names: []DesiredName{{Zone: zone, Name: home, TakeoverCNAME: true, Proxied: boolp(true)}}, Addrs: dual()}
			first := Plan(d, obs, p)
			after := applyInMemory(obs, first.Changes)
			if second := Plan(d, after, p); !second.Empty() {
				t.Errorf("%s case %d: second plan not empty: %+v", p.Mode, i, second.Changes)
			}
		}
	}
}

func applyInMemory(recs []Record, changes []Change) []Record {
	out := slices.Clone(recs)
	for i, c := range changes {
		switch c.Action {
		case ActionDelete:
			out = slices.DeleteFunc(out, func(r Record) bool { return r.ID == c.Before.ID })
		case ActionUpdate:
			for j := range out {
				if out[j].ID == c.After.ID {
					out[j] = *c.After
				}
			}
		case ActionCreate:
			r := *c.After
			r.ID = fmt.Sprintf("new%d", i)
			out = append(out, r)
		}
	}
	return out
}
