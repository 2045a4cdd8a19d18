package sim

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

// maxCNAMEHops bounds a CNAME chain inside the simulated zones.
const maxCNAMEHops = 8

// edgeRoute is where DNS sends a visitor of a hostname, as far as the
// simulated zones tell: an origin address, or a CNAME target outside them
// that is still to be resolved, or a broken chain.
type edgeRoute struct {
	found    bool       // the name has an A, AAAA or CNAME record
	proxied  bool       // one of those records is proxied
	addr     netip.Addr // the origin address, when the chain ends in an A or AAAA
	external string     // the CNAME target outside the simulated zones, to resolve
	broken   string     // why the chain inside the simulated zones leads nowhere
}

// route follows host's records through the simulated zones and returns
// the route with the zone holding host (nil when none does), so a caller
// looks neither up again. The caller holds s.mu; host is normalised (see
// edgeHost).
func (s *Server) route(host string) (edgeRoute, *zoneState) {
	zone := s.zoneForHost(host)
	if zone == nil {
		return edgeRoute{}, nil
	}
	recs := routingRecords(zone, host)
	if len(recs) == 0 {
		return edgeRoute{}, zone
	}
	rt := edgeRoute{found: true, proxied: slices.ContainsFunc(recs, func(r Record) bool { return r.Proxied })}
	return s.follow(rt, zone, host, recs), zone
}

// follow completes rt by walking the CNAME chain from name, whose routing
// records in z are recs, through the simulated zones. The caller holds
// s.mu.
func (s *Server) follow(rt edgeRoute, z *zoneState, name string, recs []Record) edgeRoute {
	host := name
	for range maxCNAMEHops {
		if z == nil {
			rt.external = name
			return rt
		}
		next, addr, ok := hop(recs)
		switch {
		case !ok:
			rt.broken = fmt.Sprintf("CNAME target %s has no A, AAAA or CNAME record", name)
			return rt
		case addr.IsValid():
			rt.addr = addr
			return rt
		}
		name = normalizeZoneName(next)
		if z = s.zoneForHost(name); z != nil {
			recs = routingRecords(z, name)
		}
	}
	rt.broken = fmt.Sprintf("CNAME chain of %s is longer than %d", host, maxCNAMEHops)
	return rt
}

// hop reads one name's routing records: its first A or AAAA address, else
// its CNAME target; ok is false when it has neither.
func hop(recs []Record) (target string, addr netip.Addr, ok bool) {
	for _, r := range recs {
		if r.Type == "A" || r.Type == "AAAA" {
			if a, err := netip.ParseAddr(r.Content); err == nil {
				return "", a.Unmap(), true
			}
		}
	}
	for _, r := range recs {
		if r.Type == "CNAME" {
			return r.Content, netip.Addr{}, true
		}
	}
	return "", netip.Addr{}, false
}

// routingRecords lists z's A, AAAA and CNAME records named host.
func routingRecords(z *zoneState, host string) []Record {
	return slices.DeleteFunc(recordsNamed(z, host), func(r Record) bool { return !proxiedType(r) })
}

// resolves reports whether the edge resolves CNAME targets outside the
// simulated zones: with a resolver, or once origins are configured (then
// without a resolver every such target is an origin DNS error). The caller
// holds s.mu.
func (s *Server) resolves() bool {
	return s.resolver != nil || s.originsSet
}

// errNoResolver is the origin DNS error of an edge without a resolver.
var errNoResolver = errors.New("no resolver configured")

// resolveTarget resolves a CNAME target outside the simulated zones with
// the resolver, bounded by the origin timeout, and returns its first
// address. It must be called without s.mu.
func (s *Server) resolveTarget(ctx context.Context, host string) (netip.Addr, error) {
	if s.resolver == nil {
		return netip.Addr{}, errNoResolver
	}
	ctx, cancel := context.WithTimeout(ctx, s.originTimeout)
	defer cancel()
	addrs, err := s.resolver(ctx, host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("resolve %s: %w", host, err)
	}
	for _, a := range addrs {
		if a.IsValid() {
			return a.Unmap(), nil
		}
	}
	return netip.Addr{}, fmt.Errorf("resolve %s: no address", host)
}
