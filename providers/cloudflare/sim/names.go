package sim

import (
	"net/http"
	"strings"
)

// qualifyName resolves a record name against the zone apex: "@" and the
// zone name itself are the apex; a name ending in ".<zone>" is already
// qualified; a name with a trailing dot is absolute and must lie inside
// the zone; any other name is relative to the zone. The result is a lower
// case FQDN without trailing dot; an empty, malformed or out-of-zone name
// is a 400 (code 9000).
func qualifyName(name, zone string) (string, *apiError) {
	n := strings.ToLower(strings.TrimSpace(name))
	absolute := strings.HasSuffix(n, ".")
	n = strings.TrimSuffix(n, ".")
	switch {
	case n == "@" || n == zone:
		return zone, nil
	case strings.HasSuffix(n, "."+zone):
	case absolute || n == "":
		return "", errBadName()
	default:
		n += "." + zone
	}
	if !validHostname(n, true) {
		return "", errBadName()
	}
	return n, nil
}

func errBadName() *apiError {
	return newError(http.StatusBadRequest, codeBadName, "DNS name is invalid.")
}

// validHostname reports whether h (lower case, no trailing dot) is a
// syntactically valid DNS name; wildcard allows "*" as the first label.
func validHostname(h string, wildcard bool) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for i, label := range strings.Split(h, ".") {
		if label == "*" && wildcard && i == 0 {
			continue
		}
		if !validLabel(label) {
			return false
		}
	}
	return true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, c := range l {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
