package sim

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestAddRecordValidatesLikeTheAPI(t *testing.T) {
	s := New()
	s.AddZone(testZone)
	if _, err := s.AddRecord(testZone, Record{Name: "home", Type: "CNAME", Content: "x.example.net"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rec  Record
		want string
	}{
		{"A onto CNAME", Record{Name: "home", Type: "A", Content: "192.0.2.1"}, "81054"},
		{"bad content", Record{Name: "a", Type: "AAAA", Content: "192.0.2.1"}, "9005"},
		{"bad TTL", Record{Name: "a", Type: "A", Content: "192.0.2.1", TTL: 30}, "9021"},
		{"malformed id", Record{ID: "xyz", Name: "a", Type: "A", Content: "192.0.2.1"}, "malformed"},
	}
	for _, tt := range tests {
		if _, err := s.AddRecord(testZone, tt.rec); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := s.AddRecord("missing.org", Record{Name: "a", Type: "A", Content: "192.0.2.1"}); err == nil {
		t.Error("unknown zone: no error")
	}
}

func TestAddRecordExplicitID(t *testing.T) {
	s := New()
	s.AddZone("a.com")
	s.AddZone("b.com")
	const id = "00000000000000000000000000000001"
	r, err := s.AddRecord("a.com", Record{ID: id, Name: "x", Type: "A", Content: "192.0.2.1"})
	if err != nil || r.ID != id {
		t.Fatalf("AddRecord = %+v, %v", r, err)
	}
	if _, err := s.AddRecord("b.com", Record{ID: id, Name: "x", Type: "A", Content: "192.0.2.1"}); err == nil {
		t.Error("an id used in another zone was accepted")
	}
}

func TestUpdateRecord(t *testing.T) {
	s := New(WithClock(tickingClock()))
	s.AddZone(testZone)
	r, err := s.AddRecord(testZone, Record{Name: "www", Type: "A", Content: "192.0.2.1", Tags: []string{"a:1"}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.UpdateRecord(testZone, r.ID, func(rec *Record) {
		rec.Content, rec.ID, rec.Tags[0] = "192.0.2.2", "ignored", "b:2"
	})
	if err != nil {
		t.Fatal(err)
	}
	got := s.Records(testZone)[0]
	if got.ID != r.ID || got.Content != "192.0.2.2" || !got.ModifiedOn.After(r.ModifiedOn) || !got.CreatedOn.Equal(r.CreatedOn) {
		t.Errorf("after update: %+v (before %+v)", got, r)
	}
	if r.Tags[0] != "a:1" {
		t.Error("mutate changed the caller's earlier copy")
	}
	if err := s.UpdateRecord(testZone, r.ID, func(rec *Record) { rec.TTL = 5 }); err == nil || !strings.Contains(err.Error(), "9021") {
		t.Errorf("invalid dashboard edit: %v", err)
	}
	if s.Records(testZone)[0].TTL != 1 {
		t.Error("invalid edit was stored")
	}
	if err := s.UpdateRecord(testZone, r.ID, nil); err != nil {
		t.Errorf("nil mutate: %v", err)
	}
	if err := s.UpdateRecord(testZone, "nope", func(*Record) {}); err == nil {
		t.Error("unknown id: no error")
	}
	if len(s.Requests()) != 0 {
		t.Error("dashboard edits were logged")
	}
}

func TestDeleteRecordAndSnapshots(t *testing.T) {
	s := New()
	s.AddZone(testZone)
	tags := []string{"t:1"}
	a, _ := s.AddRecord(testZone, Record{Name: "a", Type: "A", Content: "192.0.2.1", Tags: tags})
	tags[0] = "caller"
	snap := s.Records(testZone)
	snap[0].Tags[0] = "changed"
	if s.Records(testZone)[0].Tags[0] != "t:1" {
		t.Error("the store shares tag slices with AddRecord's caller or Records()")
	}
	if err := s.DeleteRecord(testZone, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRecord(testZone, a.ID); err == nil {
		t.Error("second delete: no error")
	}
	if got := s.Records(testZone); got == nil || len(got) != 0 {
		t.Errorf("Records of an empty zone = %#v, want empty non-nil", got)
	}
	if s.Records("missing.org") != nil {
		t.Error("Records of an unknown zone is not nil")
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t)
	var wg sync.WaitGroup
	statuses := make(chan int, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"name":"n%d","type":"A","content":"192.0.2.1"}`, i)
			req, _ := http.NewRequest(http.MethodPost, h.base+h.zonePath("/dns_records"), strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
			_ = h.s.Records(testZone)
			_ = h.s.Requests()
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusOK {
			t.Errorf("concurrent create answered %d", st)
		}
	}
	if n := len(h.s.Records(testZone)); n != 20 {
		t.Errorf("%d records, want 20", n)
	}
}
