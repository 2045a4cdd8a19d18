package ipdetect

import (
	"net/netip"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestValidate(t *testing.T) {
	v4, v6 := controller.IPv4, controller.IPv6
	tests := []struct {
		addr         string
		f            controller.Family
		allowPrivate bool
		want         string // error substring; "" means accepted
	}{
		{"203.0.113.7", v4, false, ""},
		{"198.51.100.9", v4, false, ""},
		{"8.8.8.8", v4, false, ""},
		{"2001:db8::1", v6, false, ""},
		{"2a00:1450::1", v6, false, ""},
		{"10.0.0.1", v4, false, "10.0.0.1 is a private address"},
		{"172.16.5.4", v4, false, "private"},
		{"192.168.1.1", v4, false, "private"},
		{"fd00::2", v6, false, "private"},
		{"100.64.0.1", v4, false, "CGNAT"},
		{"100.127.255.255", v4, false, "CGNAT"},
		{"100.63.255.255", v4, false, ""},
		{"100.128.0.0", v4, false, ""},
		{"127.0.0.1", v4, false, "loopback"},
		{"::1", v6, false, "loopback"},
		{"169.254.1.1", v4, false, "link-local"},
		{"fe80::1", v6, false, "link-local"},
		{"0.0.0.0", v4, false, "unspecified"},
		{"::", v6, false, "unspecified"},
		{"224.0.0.1", v4, false, "multicast"},
		{"ff02::1", v6, false, "multicast"},
		{"255.255.255.255", v4, false, "not a global unicast"},
		{"104.16.0.1", v4, false, "Cloudflare's range 104.16.0.0/13"},
		{"172.64.1.1", v4, false, "Cloudflare"},
		{"162.159.200.1", v4, false, "Cloudflare"},
		{"104.15.255.255", v4, false, ""},
		{"104.28.0.1", v4, false, ""},
		{"2606:4700:4700::1111", v6, false, "Cloudflare's range 2606:4700::/32"},
		{"2a06:98c7:ffff::1", v6, false, "Cloudflare"},
		{"2a06:98c8::1", v6, false, ""},
		{"203.0.113.7", v6, false, "203.0.113.7 is not ipv6"},
		{"2001:db8::1", v4, false, "2001:db8::1 is not ipv4"},
		{"::ffff:203.0.113.7", v4, false, "IPv4-mapped"},
		{"::ffff:203.0.113.7", v6, false, "IPv4-mapped"},
		{"fe80::1%eth0", v6, true, "zone"},
		// allowPrivate relaxes only the local classes.
		{"10.0.0.1", v4, true, ""},
		{"fd00::2", v6, true, ""},
		{"100.64.0.1", v4, true, ""},
		{"127.0.0.1", v4, true, ""},
		{"::1", v6, true, ""},
		{"fe80::1", v6, true, ""},
		{"104.16.0.1", v4, true, "Cloudflare"},
		{"2606:4700::1", v6, true, "Cloudflare"},
		{"224.0.0.1", v4, true, "multicast"},
		{"0.0.0.0", v4, true, "unspecified"},
		{"203.0.113.7", v6, true, "not ipv6"},
	}
	for _, tt := range tests {
		err := Validate(netip.MustParseAddr(tt.addr), tt.f, tt.allowPrivate)
		t.Run(tt.addr+"/"+tt.f.String(), func(t *testing.T) { wantErr(t, err, tt.want) })
	}
	t.Run("zero", func(t *testing.T) { wantErr(t, Validate(netip.Addr{}, v4, true), "no address") })
}

func TestValidateRejectsEveryCloudflareRange(t *testing.T) {
	if len(cloudflareRanges) != 22 {
		t.Fatalf("%d Cloudflare ranges, want 15 IPv4 + 7 IPv6", len(cloudflareRanges))
	}
	for _, p := range cloudflareRanges {
		f := controller.IPv4
		if p.Addr().Is6() {
			f = controller.IPv6
		}
		first, last := p.Masked().Addr(), lastAddr(p)
		for _, a := range []netip.Addr{first, last} {
			wantErr(t, Validate(a, f, true), "Cloudflare's range "+p.String())
		}
		if next := last.Next(); next.IsValid() {
			if _, in := cloudflareRange(next); in && !p.Contains(next) {
				continue // adjacent published range
			}
			if err := Validate(next, f, false); err != nil {
				t.Errorf("%s (just after %s): %v", next, p, err)
			}
		}
	}
}

// lastAddr returns the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
