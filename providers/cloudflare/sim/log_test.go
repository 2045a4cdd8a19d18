package sim

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestRequestLog(t *testing.T) {
	h := newHarness(t)
	body := `{"name":"a","type":"A","content":"192.0.2.1"}`
	h.do(http.MethodGet, "/zones?name=example.com&per_page=50", nil).ok(t, nil)
	h.do(http.MethodPost, h.zonePath("/dns_records"), body).ok(t, nil)
	h.doAs("Bearer wrong", http.MethodDelete, h.zonePath("/dns_records/x"), nil).fails(t, 403, codeAuth)
	if _, err := h.s.AddRecord(testZone, Record{Name: "b", Type: "A", Content: "192.0.2.2"}); err != nil {
		t.Fatal(err) // Go API changes are not logged
	}

	want := []Request{
		{Method: "GET", Path: "/client/v4/zones", Query: "name=example.com&per_page=50", Status: 200},
		{Method: "POST", Path: "/client/v4" + h.zonePath("/dns_records"), Body: []byte(body), Status: 200},
		{Method: "DELETE", Path: "/client/v4" + h.zonePath("/dns_records/x"), Status: 403},
	}
	got := h.s.Requests()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Requests() =\n%v\nwant\n%v", got, want)
	}
	if w := h.s.Writes(); fmt.Sprint(w) != fmt.Sprint(want[1:]) {
		t.Errorf("Writes() = %v", w)
	}
	if dump := fmt.Sprintf("%+v", got); strings.Contains(dump, testToken) || strings.Contains(dump, "wrong") {
		t.Error("the log contains a token")
	}

	got[1].Body[0] = 'X'
	if h.s.Requests()[1].Body[0] != '{' {
		t.Error("Requests() shares memory with the log")
	}
	h.s.ResetLog()
	if n := len(h.s.Requests()); n != 0 {
		t.Errorf("%d entries after ResetLog", n)
	}
	h.do(http.MethodGet, "/zones", nil).ok(t, nil)
	if n := len(h.s.Requests()); n != 1 {
		t.Errorf("%d entries after one more request", n)
	}
}
