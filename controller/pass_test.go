package controller

import (
	"context"
	"errors"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"
)

type fakeDetector Detection

func (f fakeDetector) Detect(context.Context) Detection { return Detection(f) }

type fakeDNS struct {
	zones   []Zone
	records map[string][]Record
	listErr map[string]error
	applied map[string][]Change
}

func (f *fakeDNS) Zones(context.Context) ([]Zone, error) { return f.zones, nil }
func (f *fakeDNS) Records(_ context.Context, z Zone) ([]Record, error) {
	return f.records[z.ID], f.listErr[z.ID]
}
func (f *fakeDNS) Apply(_ context.Context, z Zone, cs []Change) error {
	if f.applied == nil {
		f.applied = map[string][]Change{}
	}
	f.applied[z.ID] = append(f.applied[z.ID], cs...)
	return nil
}

func newTestReconciler(dns *fakeDNS, names ...NameSpec) *Reconciler {
	det := Detection{V4: FamilyResult{State: StateKnown, Addr: netip.MustParseAddr("203.0.113.7")}, V6: FamilyResult{State: StateDisabled}}
	return &Reconciler{Detector: fakeDetector(det), DNS: dns, Names: names,
		Policy: Policy{Mode: ModeSync, Marker: marker}, Log: zap.NewNop()}
}

func TestRunOnceListFailureWritesNothingInThatZone(t *testing.T) {
	a, b := Zone{ID: "za", Name: "a.com"}, Zone{ID: "zb", Name: "b.com"}
	dns := &fakeDNS{zones: []Zone{a, b}, listErr: map[string]error{"za": errors.New("malformed answer")}}
	r := newTestReconciler(dns, NameSpec{Field: "records[0]", Name: "h.a.com"}, NameSpec{Field: "records[1]", Name: "h.b.com"})
	rep, err := r.RunOnce(context.Background(), PassOptions{})
	if err == nil || !strings.Contains(err.Error(), "list dns records in zone a.com") {
		t.Fatalf("err = %v, want the a.com listing error", err)
	}
	if len(dns.applied["za"]) != 0 || len(dns.applied["zb"]) != 1 {
		t.Errorf("applied = %+v, want nothing in a.com and one create in b.com", dns.applied)
	}
	if len(rep.Failed) != 1 || rep.Failed[0] != "a.com" {
		t.Errorf("failed zones = %v", rep.Failed)
	}
}

func TestRunOnceDryRunWritesNothing(t *testing.T) {
	dns := &fakeDNS{zones: []Zone{{ID: "z", Name: "example.com"}}}
	r := newTestReconciler(dns, NameSpec{Field: "records[0]", Name: "home.example.com"})
	rep, err := r.RunOnce(context.Background(), PassOptions{DryRun: true})
	if err != nil || len(rep.Plan.Changes) != 1 || len(dns.applied) != 0 {
		t.Fatalf("err=%v plan=%+v applied=%+v", err, rep.Plan.Changes, dns.applied)
	}
}

func TestMatchZones(t *testing.T) {
	zones := []Zone{{ID: "1", Name: "example.com"}, {ID: "2", Name: "lab.example.com"}}
	tests := []struct {
		spec    NameSpec
		zoneID  string
		wantErr string
	}{
		{spec: NameSpec{Name: "Home.Example.com."}, zoneID: "1"},
		{spec: NameSpec{Name: "x.lab.example.com"}, zoneID: "2"},
		{spec: NameSpec{Name: "lab.example.com"}, zoneID: "2"},
		{spec: NameSpec{Name: "x.lab.example.com", Zone: "example.com"}, zoneID: "1"},
		{spec: NameSpec{Field: "records[1]", Name: "home.example.org"}, wantErr: "records[1].name: home.example.org is not inside any zone"},
		{spec: NameSpec{Field: "records[2]", Name: "a.example.com", Zone: "lab.example.com"}, wantErr: "records[2].name: a.example.com is not inside its zone"},
		{spec: NameSpec{Field: "records[3]", Name: "a.example.net", Zone: "example.net"}, wantErr: "records[3].zone: zone example.net is not visible"},
	}
	for _, tt := range tests {
		got, errs := MatchZones([]NameSpec{tt.spec}, zones)
		if tt.wantErr != "" {
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.wantErr) {
				t.Errorf("%s: errs = %v, want %q", tt.spec.Name, errs, tt.wantErr)
			}
			continue
		}
		if len(errs) != 0 || len(got) != 1 || got[0].Zone.ID != tt.zoneID {
			t.Errorf("%s: got %+v %v, want zone %s", tt.spec.Name, got, errs, tt.zoneID)
		}
	}
}

// An on-failure name keeps its CNAME, with a warning that says why, until a
// pass is asked to take it over.
func TestRunOnceTakeoverOnFailure(t *testing.T) {
	cname := Record{ID: "c1", ZoneID: "z", Name: "home.example.com", Type: TypeCNAME, Content: "myhome.duckdns.org"}
	dns := &fakeDNS{zones: []Zone{{ID: "z", Name: "example.com"}}, records: map[string][]Record{"z": {cname}}}
	r := newTestReconciler(dns, NameSpec{Field: "records[0]", Name: "Home.Example.com", TakeoverOnFailure: true})
	rep, err := r.RunOnce(context.Background(), PassOptions{DryRun: true})
	if err != nil || len(rep.Plan.Changes) != 0 || len(rep.Plan.Warnings) != 1 ||
		!strings.Contains(rep.Plan.Warnings[0].Message, "takeover_cname is on-failure") {
		t.Fatalf("without a failure: err=%v plan=%+v", err, rep.Plan)
	}
	rep, err = r.RunOnce(context.Background(), PassOptions{DryRun: true, Takeover: map[string]bool{"home.example.com": true}})
	if err != nil || len(rep.Plan.Changes) != 2 || rep.Plan.Changes[0].Action != ActionDelete || len(rep.Plan.Warnings) != 0 {
		t.Fatalf("asked to take over: err=%v plan=%+v", err, rep.Plan)
	}
}

// The report names every zone seen and the zone of every managed name, a
// pinned one and one whose zone could not be listed included.
func TestRunOnceReportsZones(t *testing.T) {
	a, lab, b := Zone{ID: "za", Name: "a.com"}, Zone{ID: "zl", Name: "lab.a.com"}, Zone{ID: "zb", Name: "b.com"}
	dns := &fakeDNS{zones: []Zone{a, lab, b}, listErr: map[string]error{"zb": errors.New("timeout")}}
	r := newTestReconciler(dns, NameSpec{Field: "records[0]", Name: "x.lab.a.com", Zone: "a.com"},
		NameSpec{Field: "records[1]", Name: "H.b.com"})
	rep, _ := r.RunOnce(context.Background(), PassOptions{DryRun: true})
	if !slices.Equal(rep.Zones, []string{"a.com", "lab.a.com", "b.com"}) {
		t.Errorf("zones = %v", rep.Zones)
	}
	if want := map[string]string{"x.lab.a.com": "a.com", "h.b.com": "b.com"}; !maps.Equal(rep.NameZones, want) {
		t.Errorf("name zones = %v, want %v", rep.NameZones, want)
	}
}
