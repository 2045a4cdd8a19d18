package waf

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// SortPrefixes sorts prefixes (IPv4 before IPv6, then by address and
// length), masks them, and removes duplicates and prefixes contained in
// another one of the set.
func SortPrefixes(ps []netip.Prefix) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(ps))
	for _, p := range ps {
		if p.IsValid() {
			out = append(out, p.Masked())
		}
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	out = slices.Compact(out)
	return slices.DeleteFunc(out, func(p netip.Prefix) bool { return coveredByOther(out, p) })
}

// coveredByOther reports whether a shorter prefix of the set contains p.
func coveredByOther(set []netip.Prefix, p netip.Prefix) bool {
	for _, q := range set {
		if q.Bits() < p.Bits() && q.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// formatPrefix renders a single address without its /32 or /128.
func formatPrefix(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

// SkipExpression builds the rule expression matching the source addresses:
// "(ip.src in {203.0.113.7 2001:db8::/64})". The prefixes must be sorted
// and non-empty: an empty set has no safe expression (the caller keeps the
// existing rule instead).
func SkipExpression(ps []netip.Prefix) string {
	return "(ip.src in {" + strings.Join(prefixStrings(ps), " ") + "})"
}

// ParseSkipExpression reads back an expression of the form SkipExpression
// writes. It reports false for any other expression.
func ParseSkipExpression(expr string) ([]netip.Prefix, bool) {
	inner, ok := strings.CutPrefix(strings.TrimSpace(expr), "(ip.src in {")
	if !ok {
		return nil, false
	}
	inner, ok = strings.CutSuffix(inner, "})")
	if !ok {
		return nil, false
	}
	var out []netip.Prefix
	for _, f := range strings.Fields(inner) {
		p, err := ParsePrefixOrAddr(f)
		if err != nil {
			return nil, false
		}
		out = append(out, p)
	}
	return out, len(out) > 0
}

// ParsePrefixOrAddr parses "203.0.113.7" as a /32 (an IPv6 address as a
// /128) and "198.51.100.0/28" as that prefix, masked.
func ParsePrefixOrAddr(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return controller.PrefixOf(a.Unmap()), nil
}

// Covers reports whether every prefix of want lies inside some prefix of have.
func Covers(have, want []netip.Prefix) bool {
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h netip.Prefix) bool { return h.Bits() <= w.Bits() && h.Contains(w.Addr()) }) {
			return false
		}
	}
	return true
}
