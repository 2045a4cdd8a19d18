package ipdetect

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/flarewarden/flarewarden/controller"
)

// cgnat is the shared address space of carrier-grade NAT (RFC 6598).
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Validate reports why addr cannot be this host's public address of family
// f, or nil if it can. It always rejects an invalid address, a zone, the
// wrong family (including IPv4-mapped IPv6 addresses), the unspecified and
// multicast addresses, any other address that is not global unicast (such
// as the IPv4 broadcast address), and any address inside
// Cloudflare's published ranges (such an answer came from a Cloudflare proxy
// or WARP). Loopback, link-local, private (RFC 1918, fc00::/7) and CGNAT
// (100.64.0.0/10) addresses are rejected unless allowPrivate is set.
// Documentation ranges (203.0.113.0/24, 2001:db8::/32, ...) are accepted.
func Validate(addr netip.Addr, f controller.Family, allowPrivate bool) error {
	if err := checkShape(addr, f); err != nil {
		return err
	}
	if p, ok := cloudflareRange(addr); ok {
		return fmt.Errorf("%s is in Cloudflare's range %s: a Cloudflare proxy or WARP answered, not this host", addr, p)
	}
	if kind := localKind(addr); kind != "" {
		if allowPrivate {
			return nil
		}
		return fmt.Errorf("%s is a %s address (set allow_private to accept it)", addr, kind)
	}
	if !addr.IsGlobalUnicast() {
		return fmt.Errorf("%s is not a global unicast address", addr)
	}
	return nil
}

// checkShape rejects what is never a host address of family f, whatever
// the policy.
func checkShape(addr netip.Addr, f controller.Family) error {
	switch {
	case !addr.IsValid():
		return errors.New("no address")
	case addr.Zone() != "":
		return fmt.Errorf("%s has a zone", addr)
	case addr.Is4In6():
		return fmt.Errorf("%s is an IPv4-mapped IPv6 address, not %s", addr, f)
	case !f.Matches(addr):
		return fmt.Errorf("%s is not %s", addr, f)
	case addr.IsUnspecified():
		return fmt.Errorf("%s is the unspecified address", addr)
	case addr.IsMulticast():
		return fmt.Errorf("%s is a multicast address", addr)
	}
	return nil
}

// localKind names the non-public class of addr that allowPrivate lets
// through, or returns "" for any other address.
func localKind(addr netip.Addr) string {
	switch {
	case addr.IsLoopback():
		return "loopback"
	case addr.IsLinkLocalUnicast():
		return "link-local"
	case addr.IsPrivate():
		return "private"
	case cgnat.Contains(addr):
		return "CGNAT (100.64.0.0/10)"
	}
	return ""
}
