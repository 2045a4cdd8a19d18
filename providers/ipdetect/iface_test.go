package ipdetect

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

// loopbackName returns the name of the loopback interface, skipping the
// test when there is none.
func loopbackName(t *testing.T) string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Skipf("interfaces: %v", err)
	}
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 {
			return ifi.Name
		}
	}
	t.Skip("no loopback interface")
	return ""
}

func TestIfaceSourceLoopback(t *testing.T) {
	lo := loopbackName(t)
	for _, f := range controller.Families {
		t.Run(f.String(), func(t *testing.T) {
			s, err := ParseSource("iface:" + lo)
			if err != nil {
				t.Fatal(err)
			}
			addr, err := s.Lookup(context.Background(), f)
			if err != nil {
				if f == controller.IPv6 && strings.Contains(err.Error(), "has no ipv6 address") {
					t.Skip("loopback has no IPv6 address")
				}
				t.Fatal(err)
			}
			if !addr.IsLoopback() || !f.Matches(addr) {
				t.Fatalf("Lookup = %v, want a loopback %s address", addr, f)
			}
			wantErr(t, Validate(addr, f, false), "loopback")
			wantErr(t, Validate(addr, f, true), "")
		})
	}
}

func TestIfaceSourceMissing(t *testing.T) {
	s, err := ParseSource("iface:nosuchif0")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Lookup(context.Background(), controller.IPv4)
	wantErr(t, err, "iface:nosuchif0: interface nosuchif0: ")
}

func TestPickIfaceAddr(t *testing.T) {
	addrs := func(ss ...string) []netip.Addr {
		out := make([]netip.Addr, len(ss))
		for i, s := range ss {
			out[i] = netip.MustParseAddr(s)
		}
		return out
	}
	tests := []struct {
		name  string
		addrs []netip.Addr
		f     controller.Family
		want  string // "" means none
	}{
		{"public first", addrs("10.0.0.2", "203.0.113.7", "203.0.113.8"), controller.IPv4, "203.0.113.7"},
		{"private over loopback", addrs("127.0.0.1", "192.168.1.2"), controller.IPv4, "192.168.1.2"},
		{"cgnat is private", addrs("100.64.1.1", "198.51.100.4"), controller.IPv4, "198.51.100.4"},
		{"v6 skips link-local", addrs("fe80::1", "fd00::2", "2001:db8::7"), controller.IPv6, "2001:db8::7"},
		{"v6 ula over link-local", addrs("fe80::1", "fd00::2"), controller.IPv6, "fd00::2"},
		{"loopback as last resort", addrs("::1"), controller.IPv6, "::1"},
		{"family filter", addrs("203.0.113.7"), controller.IPv6, ""},
		{"multicast never", addrs("224.0.0.1"), controller.IPv4, ""},
		{"empty", nil, controller.IPv4, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := pickIfaceAddr(tt.addrs, tt.f)
			if tt.want == "" {
				if ok {
					t.Fatalf("picked %v, want none", got)
				}
				return
			}
			if !ok || got != netip.MustParseAddr(tt.want) {
				t.Fatalf("picked %v (%v), want %s", got, ok, tt.want)
			}
		})
	}
}

func TestIfaceAddrsUnmapsIPv4(t *testing.T) {
	got := ifaceAddrs([]net.Addr{
		&net.IPNet{IP: net.ParseIP("203.0.113.7"), Mask: net.CIDRMask(24, 32)},
		&net.IPAddr{IP: net.ParseIP("2001:db8::7")},
	})
	if len(got) != 2 || !got[0].Is4() || got[1] != netip.MustParseAddr("2001:db8::7") {
		t.Fatalf("ifaceAddrs = %v", got)
	}
}
