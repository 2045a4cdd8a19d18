package ipdetect

import (
	"context"
	"net/http"
	"net/netip"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

// TestTransportForcesFamily shows that a source asks over the family being
// detected: a server reachable only over IPv4 cannot answer for IPv6 and
// the other way round.
func TestTransportForcesFamily(t *testing.T) {
	ctx := context.Background()
	v4 := newServer(t, textHandler(200, "203.0.113.7"))
	v6 := newServer6(t, textHandler(200, "2001:db8::7"))
	tests := []struct {
		url  string
		f    controller.Family
		want string // "" means the dial must fail
	}{
		{v4.URL, controller.IPv4, "203.0.113.7"},
		{v4.URL, controller.IPv6, ""},
		{v6.URL, controller.IPv6, "2001:db8::7"},
		{v6.URL, controller.IPv4, ""},
	}
	for _, tt := range tests {
		t.Run(tt.url+"/"+tt.f.String(), func(t *testing.T) {
			s, err := ParseSource("url:" + tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Lookup(ctx, tt.f)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Lookup over %s reached %s: %v", tt.f, tt.url, got)
				}
				return
			}
			if err != nil || got != netip.MustParseAddr(tt.want) {
				t.Fatalf("Lookup = %v, %v", got, err)
			}
		})
	}
}

func TestFamilyTransportHasNoProxy(t *testing.T) {
	for _, f := range controller.Families {
		tr, ok := familyTransport(f, Bind{}).(*http.Transport)
		if !ok || tr.Proxy != nil || tr.DialContext == nil {
			t.Fatalf("%s transport: %#v", f, tr)
		}
	}
	if familyNetwork("udp", controller.IPv4) != "udp4" || familyNetwork("tcp", controller.IPv6) != "tcp6" {
		t.Fatal("familyNetwork")
	}
}
