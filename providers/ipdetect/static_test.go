package ipdetect

import (
	"context"
	"net/netip"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestStaticSource(t *testing.T) {
	s, err := ParseSource("static:203.0.113.7")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Lookup(context.Background(), controller.IPv4)
	if err != nil || got != netip.MustParseAddr("203.0.113.7") {
		t.Fatalf("Lookup = %v, %v", got, err)
	}
	_, err = s.Lookup(context.Background(), controller.IPv6)
	wantErr(t, err, "static:203.0.113.7: static address 203.0.113.7 is not ipv6")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Lookup(ctx, controller.IPv4)
	wantErr(t, err, "canceled")
}

func TestStaticSourceCheckConfig(t *testing.T) {
	tests := []struct {
		spec         string
		f            controller.Family
		allowPrivate bool
		err          string
	}{
		{"static:2001:db8::7", controller.IPv6, false, ""},
		{"static:10.0.0.1", controller.IPv6, false, "static address 10.0.0.1 is not ipv6"},
		{"static:10.0.0.1", controller.IPv4, false, "static address: 10.0.0.1 is a private address"},
		{"static:10.0.0.1", controller.IPv4, true, ""},
		{"static:104.16.0.1", controller.IPv4, true, "Cloudflare"},
	}
	for _, tt := range tests {
		s, err := ParseSource(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.(configChecker).checkConfig(tt.f, tt.allowPrivate), tt.err)
	}
}
