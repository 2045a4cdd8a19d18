package sources

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/waf"
)

// Resolver resolves source lists. It remembers the last addresses of every
// hostname it resolved, so a host that fails to resolve keeps them (the
// memory is the process's: after a restart, a host that never resolved
// makes its set unknown, and rules built from it are left as they are).
// It is safe for concurrent use.
type Resolver struct {
	lookup    func(ctx context.Context, host string) ([]netip.Addr, error)
	timeout   time.Duration
	delegated int // bits of the delegated IPv6 prefix, for self_prefix
	mu        sync.Mutex
	last      map[string][]netip.Addr
}

// Options configure a Resolver.
type Options struct {
	// Server is a DNS server "host:port" to ask; "" uses the system resolver.
	Server string
	// Timeout bounds each hostname lookup; default 5s.
	Timeout time.Duration
	// DelegatedPrefix is how many bits of the detected IPv6 address are
	// the prefix the ISP delegated (detect.ipv6.prefix_length): what
	// self_prefix stands for. 0 means 64.
	DelegatedPrefix int
}

// New returns a Resolver.
func New(o Options) *Resolver {
	res := net.DefaultResolver
	if o.Server != "" {
		server := o.Server
		res = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		}}
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.DelegatedPrefix <= 0 {
		o.DelegatedPrefix = 64
	}
	return &Resolver{
		lookup:    func(ctx context.Context, host string) ([]netip.Addr, error) { return res.LookupNetIP(ctx, "ip", host) },
		timeout:   o.Timeout,
		delegated: o.DelegatedPrefix,
		last:      map[string][]netip.Addr{},
	}
}

// Resolve resolves the specs (already checked with Parse) into one set.
// "self" takes the known families of the detection, "host:NAME" the
// addresses the plan gives NAME; v6Bits, when between 1 and 127, widens
// IPv6 addresses of hostnames, self and host:NAME to that prefix (e.g.
// 64). The set is Unknown when any source cannot be trusted.
func (r *Resolver) Resolve(ctx context.Context, specs []Spec, in controller.SourceInput, v6Bits int) controller.SourceSet {
	var set controller.SourceSet
	var unknown []string
	var all []netip.Prefix
	for _, s := range specs {
		res, why := r.resolveOne(ctx, s, in, v6Bits)
		if why != "" {
			unknown = append(unknown, why)
		}
		set.Sources = append(set.Sources, res)
		all = append(all, res.Prefixes...)
	}
	set.Prefixes = waf.SortPrefixes(all)
	set.Unknown = strings.Join(unknown, "; ")
	return set
}

func (r *Resolver) resolveOne(ctx context.Context, s Spec, in controller.SourceInput, v6Bits int) (controller.SourceResult, string) {
	res := controller.SourceResult{Source: s.Raw}
	switch s.Kind {
	case KindPrefix:
		res.Prefixes = []netip.Prefix{s.Prefix}
	case KindSelf:
		return selfResult(res, in.Detection, v6Bits)
	case KindSelfPrefix:
		return selfPrefixResult(res, in.Detection, r.delegated)
	case KindName:
		return nameResult(res, s.Host, in.Names, v6Bits)
	case KindHost:
		addrs, stale, err := r.host(ctx, s.Host)
		if err != nil && !stale {
			res.Err = err.Error()
			return res, fmt.Sprintf("%s did not resolve and has no last known address", s.Host)
		}
		if err != nil {
			res.Err, res.Stale = err.Error(), true
		}
		res.Prefixes = widen(addrs, v6Bits)
	}
	return res, ""
}

// host resolves a hostname, falling back to its last known addresses; stale
// reports that the fallback was used (err is then the failure).
func (r *Resolver) host(ctx context.Context, host string) (addrs []netip.Addr, stale bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	addrs, err = r.lookup(ctx, host)
	if err == nil && len(addrs) == 0 {
		err = fmt.Errorf("%s has no A or AAAA record", host)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.last[host] = addrs
		return addrs, false, nil
	}
	if prev, ok := r.last[host]; ok {
		return prev, true, fmt.Errorf("resolve %s: %w", host, err)
	}
	return nil, false, fmt.Errorf("resolve %s: %w", host, err)
}

// selfResult turns the detected addresses into prefixes; an enabled family
// whose address is unknown makes the source unknown. With uplinks, self is
// every uplink's address (this host's requests go out through any of
// them): a family is unknown only when no uplink knows it.
func selfResult(res controller.SourceResult, det controller.Detection, v6Bits int) (controller.SourceResult, string) {
	for _, f := range controller.Families {
		addrs, state := selfAddrs(det, f)
		switch state {
		case controller.StateKnown:
			res.Prefixes = append(res.Prefixes, widen(addrs, v6Bits)...)
		case controller.StateUnknown:
			res.Err = f.String() + " address unknown"
			return res, "self: " + res.Err
		}
	}
	return res, ""
}

// selfAddrs is the detected addresses of family f: the detection's, or
// with uplinks every known one of theirs.
func selfAddrs(det controller.Detection, f controller.Family) ([]netip.Addr, controller.AddressState) {
	if len(det.Uplinks) == 0 {
		r := det.Get(f)
		return []netip.Addr{r.Addr}, r.State
	}
	var addrs []netip.Addr
	state := controller.StateDisabled
	for _, u := range det.Uplinks {
		switch r := u.Get(f); r.State {
		case controller.StateKnown:
			addrs, state = append(addrs, r.Addr), controller.StateKnown
		case controller.StateUnknown:
			if state == controller.StateDisabled {
				state = controller.StateUnknown
			}
		}
	}
	return addrs, state
}

// nameResult is the addresses the plan gives the managed name; a name
// whose addresses are not all known makes the source unknown, so rules
// built from it are kept as they are.
func nameResult(res controller.SourceResult, name string, names map[string]controller.NameAddrs, v6Bits int) (controller.SourceResult, string) {
	na, ok := names[name]
	switch {
	case !ok:
		res.Err = name + " is not a managed name in this pass"
	case na.Unknown != "":
		res.Err = na.Unknown
	case len(na.Addrs) == 0:
		res.Err = name + " has no address"
	default:
		res.Prefixes = widen(na.Addrs, v6Bits)
		return res, ""
	}
	return res, HostPrefix + name + ": " + res.Err
}

// widen turns addresses into prefixes: /32 for IPv4, /128 or /v6Bits for IPv6.
func widen(addrs []netip.Addr, v6Bits int) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(addrs))
	for _, a := range addrs {
		a = a.Unmap()
		p := controller.PrefixOf(a)
		if a.Is6() && v6Bits > 0 && v6Bits < 128 {
			p = netip.PrefixFrom(a, v6Bits).Masked()
		}
		out = append(out, p)
	}
	return out
}

// selfPrefixResult is the delegated IPv6 prefix of the detected address
// (bits long); an IPv6 address that is unknown or not detected makes the
// source unknown, so rules built from it are kept as they are.
func selfPrefixResult(res controller.SourceResult, det controller.Detection, bits int) (controller.SourceResult, string) {
	switch v6 := det.Get(controller.IPv6); v6.State {
	case controller.StateKnown:
		res.Prefixes = []netip.Prefix{netip.PrefixFrom(v6.Addr, bits).Masked()}
		return res, ""
	case controller.StateUnknown:
		res.Err = "ipv6 address unknown"
	default:
		res.Err = "ipv6 is not detected (detect.ipv6)"
	}
	return res, SelfPrefix + ": " + res.Err
}
