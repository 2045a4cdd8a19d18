// Package sources resolves the source lists of WAF rules: IP addresses,
// CIDRs, hostnames (resolved on every pass, A and AAAA), "self" (the
// detected public addresses) and "self_prefix" (their delegated IPv6
// prefix).
package sources

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/flarewarden/flarewarden/controller/waf"
)

// Self is the source that stands for the detected public address(es).
const Self = "self"

// SelfPrefix is the source that stands for the delegated IPv6 prefix of the
// detected address (detect.ipv6.prefix_length bits): every LAN host of the
// site, not only this one.
const SelfPrefix = "self_prefix"

// Kind is what a source spec denotes.
type Kind int

// Source kinds.
const (
	KindPrefix     Kind = iota // an address or a CIDR
	KindHost                   // a hostname
	KindSelf                   // the detected addresses
	KindSelfPrefix             // the delegated IPv6 prefix of the detected address
	KindName                   // host:NAME, the addresses the plan gives a managed name
)

// HostPrefix starts the source that stands for a managed name's addresses
// as flarewarden computes them ("host:nas.example.com"): its record's
// address, the delegated prefix joined to its ipv6_host included.
const HostPrefix = "host:"

// Spec is a parsed source.
type Spec struct {
	Raw    string
	Kind   Kind
	Prefix netip.Prefix // KindPrefix only
	Host   string       // KindHost and KindName only
}

var hostRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}\.?$`)

// Broadest prefixes accepted without allow_broad.
const (
	minBitsV4 = 16
	minBitsV6 = 32
)

// Parse checks one source. CIDRs broader than /16 (IPv4) or /32 (IPv6) are
// refused unless allowBroad; 0.0.0.0/0 and ::/0 are always refused: a rule
// matching every client would exempt the whole internet.
func Parse(raw string, allowBroad bool) (Spec, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return Spec{}, errors.New("empty source")
	case strings.EqualFold(s, Self):
		return Spec{Raw: s, Kind: KindSelf}, nil
	case strings.EqualFold(s, SelfPrefix):
		return Spec{Raw: s, Kind: KindSelfPrefix}, nil
	case len(s) > len(HostPrefix) && strings.EqualFold(s[:len(HostPrefix)], HostPrefix):
		name := strings.TrimSuffix(strings.ToLower(s[len(HostPrefix):]), ".")
		if !hostRE.MatchString(name) {
			return Spec{}, fmt.Errorf("%q: %q is not a DNS name", s, name)
		}
		return Spec{Raw: s, Kind: KindName, Host: name}, nil
	}
	if p, err := waf.ParsePrefixOrAddr(s); err == nil {
		return Spec{Raw: s, Kind: KindPrefix, Prefix: p}, checkBreadth(p, allowBroad)
	} else if strings.ContainsAny(s, ":/") || isNumeric(s) {
		return Spec{}, fmt.Errorf("%q is not a valid address or CIDR", s)
	}
	host := strings.TrimSuffix(strings.ToLower(s), ".")
	if !hostRE.MatchString(host) {
		return Spec{}, fmt.Errorf("%q is not an address, a CIDR, a hostname or %q", s, Self)
	}
	return Spec{Raw: s, Kind: KindHost, Host: host}, nil
}

func checkBreadth(p netip.Prefix, allowBroad bool) error {
	if p.Bits() == 0 {
		return fmt.Errorf("%s matches every address: never allowed", p)
	}
	minBits := minBitsV4
	if p.Addr().Is6() {
		minBits = minBitsV6
	}
	if p.Bits() < minBits && !allowBroad {
		return fmt.Errorf("%s is broader than /%d: set allow_broad: true if you really mean it", p, minBits)
	}
	return nil
}

// isNumeric reports whether s looks like a dotted number (a mistyped IPv4).
func isNumeric(s string) bool {
	return strings.Trim(s, "0123456789.") == ""
}
