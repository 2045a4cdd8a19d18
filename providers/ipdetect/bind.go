package ipdetect

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// Bind sends a detector's sources out through one uplink.
//
// Address makes every connection come from that address, which must be
// one of this host's: a lookup fails while it is not. Interface binds every
// socket to that interface (SO_BINDTODEVICE), so it leaves through it
// whatever route the main table prefers; it needs Linux, and a lookup fails
// while the interface is missing. Either way, HTTP connections are kept
// between detections as an unbound detector keeps them: one made before
// the uplink went down fails its lookup by timeout.
type Bind struct {
	Interface string     // SO_BINDTODEVICE (Linux); "" = none
	Address   netip.Addr // source address; zero = none
}

// check validates b for cfg. At most one of Interface and Address may be
// set. An Interface must be a valid interface name (it need not exist yet:
// an uplink may come up later, and until then its lookups fail); it needs
// Linux. Errors name the field ("bind.address: ...").
func (b Bind) check(cfg Config) error {
	switch {
	case b.Interface != "" && b.Address.IsValid():
		return fmt.Errorf("bind: set interface (%q) or address (%s), not both", b.Interface, b.Address)
	case b.Interface != "":
		if err := checkInterface(b.Interface); err != nil {
			return fmt.Errorf("bind.interface: %w", err)
		}
	case b.Address.IsValid():
		if err := b.checkAddress(cfg); err != nil {
			return fmt.Errorf("bind.address: %w", err)
		}
	}
	return nil
}

// checkAddress requires an Address that can be a connection's source (a
// zone is allowed) and that the family it is not of is disabled: its
// sources could not go out through it.
func (b Bind) checkAddress(cfg Config) error {
	f, name := addrFamily(b.Address)
	if err := checkShape(b.Address.WithZone(""), f); err != nil {
		return err
	}
	other, on := controller.IPv6, cfg.V6.Enabled
	if f == controller.IPv6 {
		other, on = controller.IPv4, cfg.V4.Enabled
	}
	if on {
		return fmt.Errorf("%s is %s, %s sources cannot go out through it", b.Address, name, other)
	}
	return nil
}

// addrFamily returns the family of a (an IPv4-mapped address is IPv6) and
// its name in prose: "IPv4" or "IPv6".
func addrFamily(a netip.Addr) (controller.Family, string) {
	if a.Is4() {
		return controller.IPv4, "IPv4"
	}
	return controller.IPv6, "IPv6"
}

// DialContext connects to addr over network ("tcp", "tcp4", ...) through
// b, within ctx: the health probes reach Cloudflare's edge through an
// uplink with it.
func (b Bind) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return b.dialer(network, 0).DialContext(ctx, network, addr)
}

// dialer returns a dialer for network ("tcp4", "udp6", ...) that goes out
// through b and gives up connecting after timeout. It is the only place
// sources' dialers are made.
func (b Bind) dialer(network string, timeout time.Duration) *net.Dialer {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if b.Address.IsValid() {
		ap := netip.AddrPortFrom(b.Address, 0)
		if strings.HasPrefix(network, "udp") {
			d.LocalAddr = net.UDPAddrFromAddrPort(ap)
		} else {
			d.LocalAddr = net.TCPAddrFromAddrPort(ap)
		}
	}
	if b.Interface != "" {
		d.Control = bindToDevice(b.Interface)
	}
	return d
}
