package health

import (
	"testing"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/sources/dnstest"
)

func TestProbeDNS(t *testing.T) {
	dns := dnstest.New(t)
	dns.Set("v4.duckdns.example", "203.0.113.10")
	dns.Set("v6.duckdns.example", "2001:db8::10")
	p := newProber(t, Options{DNSServer: dns.Addr, Checks: []Check{edgeCheck("127.0.0.1:1")}})
	c := &p.checks[0]
	for _, tc := range []struct {
		name     string
		cnames   map[string]string
		want     *controller.DNSResult
		wantErr  bool
		resolved bool
	}{
		{name: "not a CNAME", cnames: map[string]string{"other.example.test": "v4.duckdns.example"}},
		{name: "no CNAMEs"},
		{name: "empty target", cnames: map[string]string{"app.example.test": ""}},
		{name: "A", cnames: map[string]string{"app.example.test": "v4.duckdns.example"},
			want: &controller.DNSResult{Name: "app.example.test", Target: "v4.duckdns.example", Resolved: true}},
		{name: "AAAA only", cnames: map[string]string{"app.example.test": "V6.DuckDNS.example."},
			want: &controller.DNSResult{Name: "app.example.test", Target: "v6.duckdns.example", Resolved: true}},
		{name: "key case and dot", cnames: map[string]string{"APP.example.test.": "v4.duckdns.example"},
			want: &controller.DNSResult{Name: "app.example.test", Target: "v4.duckdns.example", Resolved: true}},
		{name: "SERVFAIL", cnames: map[string]string{"app.example.test": "gone.duckdns.example"},
			want: &controller.DNSResult{Name: "app.example.test", Target: "gone.duckdns.example"}, wantErr: true},
		{name: "invalid", cnames: map[string]string{"app.example.test": "x.invalid"},
			want: &controller.DNSResult{Name: "app.example.test", Target: "x.invalid"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := p.probeDNS(t.Context(), c, tc.cnames)
			if tc.want == nil {
				if got != nil {
					t.Fatalf("got %+v, want none", got)
				}
				return
			}
			if got == nil {
				t.Fatal("no result")
			}
			if (got.Err != "") != tc.wantErr {
				t.Fatalf("error %q, want one: %v", got.Err, tc.wantErr)
			}
			got.Err = ""
			if *got != *tc.want {
				t.Fatalf("got %+v, want %+v", *got, *tc.want)
			}
		})
	}
}
