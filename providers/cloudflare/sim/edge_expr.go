package sim

import (
	"net/netip"
	"strings"
)

// ipExpression parses the rule expressions the simulated edge understands:
//
//	ip.src in {203.0.113.7 2001:db8::/64 ...}
//	ip.src eq 203.0.113.7        (also ==)
//
// each possibly wrapped in parentheses. It returns the addresses and
// prefixes listed; ok is false for any other expression (which then never
// matches at the edge) and for a malformed address.
func ipExpression(expr string) (prefixes []netip.Prefix, ok bool) {
	e := unwrap(strings.TrimSpace(expr))
	rest, found := strings.CutPrefix(e, "ip.src")
	if !found || rest == "" || rest[0] != ' ' && rest[0] != '\t' {
		return nil, false
	}
	op, operand, _ := strings.Cut(strings.TrimSpace(rest), " ")
	operand = strings.TrimSpace(operand)
	switch op {
	case "in":
		if !strings.HasPrefix(operand, "{") || !strings.HasSuffix(operand, "}") {
			return nil, false
		}
		return parsePrefixes(strings.Fields(operand[1 : len(operand)-1]))
	case "eq", "==":
		if strings.ContainsAny(operand, " \t{}/") {
			return nil, false
		}
		return parsePrefixes([]string{operand})
	}
	return nil, false
}

// unwrap removes the parentheses that enclose all of e, however deep.
func unwrap(e string) string {
	for encloses(e) {
		e = strings.TrimSpace(e[1 : len(e)-1])
	}
	return e
}

// encloses reports whether e starts with "(" whose matching ")" ends e.
func encloses(e string) bool {
	if !strings.HasPrefix(e, "(") || !strings.HasSuffix(e, ")") {
		return false
	}
	depth := 0
	for i, c := range e {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i == len(e)-1
			}
		}
	}
	return false
}

// parsePrefixes parses addresses (as single-address prefixes) and prefixes.
func parsePrefixes(items []string) ([]netip.Prefix, bool) {
	if len(items) == 0 {
		return nil, false
	}
	out := make([]netip.Prefix, 0, len(items))
	for _, it := range items {
		if a, err := netip.ParseAddr(it); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(it)
		if err != nil {
			return nil, false
		}
		out = append(out, p.Masked())
	}
	return out, true
}

// exprMatches reports whether client matches expr (see ipExpression).
func exprMatches(expr string, client netip.Addr) bool {
	prefixes, ok := ipExpression(expr)
	if !ok {
		return false
	}
	client = client.Unmap()
	for _, p := range prefixes {
		if p.Contains(client) {
			return true
		}
	}
	return false
}
