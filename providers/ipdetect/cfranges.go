package ipdetect

import "net/netip"

// cloudflareRanges are the address ranges Cloudflare publishes for its own
// network. An answer inside them came from Cloudflare's edge, a Cloudflare
// proxy or WARP, never from this host, so Validate always rejects it.
var cloudflareRanges = mustPrefixes(
	// IPv4
	"173.245.48.0/20",
	"103.21.244.0/22",
	"103.22.200.0/22",
	"103.31.4.0/22",
	"141.101.64.0/18",
	"108.162.192.0/18",
	"190.93.240.0/20",
	"188.114.96.0/20",
	"197.234.240.0/22",
	"198.41.128.0/17",
	"162.158.0.0/15",
	"104.16.0.0/13",
	"104.24.0.0/14",
	"172.64.0.0/13",
	"131.0.72.0/22",
	// IPv6
	"2400:cb00::/32",
	"2606:4700::/32",
	"2803:f800::/32",
	"2405:b500::/32",
	"2405:8100::/32",
	"2a06:98c0::/29",
	"2c0f:f248::/32",
)

// mustPrefixes parses constant prefixes; it panics only on a typo in this
// file, which the tests catch.
func mustPrefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

// cloudflareRange returns the published Cloudflare range that contains addr.
func cloudflareRange(addr netip.Addr) (netip.Prefix, bool) {
	for _, p := range cloudflareRanges {
		if p.Contains(addr) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}
