package ipdetect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/flarewarden/flarewarden/controller"
)

// ifaceSource reads an address of a local interface ("iface:NAME").
type ifaceSource struct {
	name  string
	iface string
}

func newIfaceSource(name, arg string) (Source, error) {
	if arg == "" {
		return nil, errors.New(`iface source needs an interface name ("iface:eth0")`)
	}
	return &ifaceSource{name: name, iface: arg}, nil
}

// Name returns the spec as configured.
func (s *ifaceSource) Name() string { return s.name }

// Lookup returns the best address of family f on the interface: the first
// public global unicast one, else the first private global unicast one,
// else the first other unicast one (loopback, link-local), which Validate
// then rejects with a precise reason unless private addresses are allowed.
func (s *ifaceSource) Lookup(ctx context.Context, f controller.Family) (netip.Addr, error) {
	if err := ctx.Err(); err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	ifi, err := net.InterfaceByName(s.iface)
	if err != nil {
		return netip.Addr{}, sourceError(s.name, fmt.Errorf("interface %s: %w", s.iface, err))
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return netip.Addr{}, sourceError(s.name, fmt.Errorf("interface %s: %w", s.iface, err))
	}
	addr, ok := pickIfaceAddr(ifaceAddrs(addrs), f)
	if !ok {
		return netip.Addr{}, sourceError(s.name, fmt.Errorf("interface %s has no %s address", s.iface, f))
	}
	return addr, nil
}

// ifaceAddrs converts interface addresses to netip addresses (IPv4 unmapped).
func ifaceAddrs(addrs []net.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		var ip net.IP
		switch v := a.(type) {
		case *net.IPNet:
			ip = v.IP
		case *net.IPAddr:
			ip = v.IP
		}
		if na, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, na.Unmap())
		}
	}
	return out
}

// pickIfaceAddr returns the best-ranked address of family f, the first of
// equal rank; multicast and unspecified addresses are never picked.
func pickIfaceAddr(addrs []netip.Addr, f controller.Family) (netip.Addr, bool) {
	var best netip.Addr
	bestRank := 3
	for _, a := range addrs {
		if r := ifaceRank(a, f); r < bestRank {
			best, bestRank = a, r
		}
	}
	return best, bestRank < 3
}

// ifaceRank: 0 public, 1 private or CGNAT, 2 loopback or link-local, 3 unusable.
func ifaceRank(a netip.Addr, f controller.Family) int {
	switch {
	case checkShape(a, f) != nil:
		return 3
	case localKind(a) == "" && a.IsGlobalUnicast():
		return 0
	case a.IsGlobalUnicast():
		return 1
	case localKind(a) != "":
		return 2
	}
	return 3
}
