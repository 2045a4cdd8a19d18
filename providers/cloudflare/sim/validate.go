package sim

import (
	"net/http"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// maxCommentLength is the Free plan's limit on a record comment.
const maxCommentLength = 100

// maxTextLength bounds TXT content.
const maxTextLength = 2048

// typeSpec describes a supported record type.
type typeSpec struct {
	proxiable bool
	// content validates content for a record named name and returns its
	// canonical form; ok is false when it is invalid.
	content func(content, name string) (canonical string, ok bool)
	// invalid is the 9005 message for invalid content.
	invalid string
}

// recordTypes are the record types the simulator supports.
var recordTypes = map[string]typeSpec{
	"A":     {proxiable: true, content: ipContent(netip.Addr.Is4), invalid: "Content for A record must be a valid IPv4 address."},
	"AAAA":  {proxiable: true, content: ipContent(netip.Addr.Is6), invalid: "Content for AAAA record must be a valid IPv6 address."},
	"CNAME": {proxiable: true, content: targetContent, invalid: "Content for CNAME record is invalid."},
	"NS":    {content: targetContent, invalid: "Content for NS record is invalid."},
	"TXT":   {content: textContent, invalid: "Content for TXT record is invalid."},
}

// ipContent accepts an address for which family (netip.Addr.Is4 or Is6)
// holds and returns it in canonical form (IPv6 compressed, lower case).
func ipContent(family func(netip.Addr) bool) func(string, string) (string, bool) {
	return func(content, _ string) (string, bool) {
		a, err := netip.ParseAddr(strings.TrimSpace(content))
		if err != nil || !family(a) || a.Zone() != "" {
			return "", false
		}
		return a.String(), true
	}
}

// targetContent accepts a host name other than the record's own name.
func targetContent(content, name string) (string, bool) {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(content)), ".")
	return h, validHostname(h, false) && h != name
}

func textContent(content, _ string) (string, bool) {
	return content, content != "" && len(content) <= maxTextLength
}

// validate checks r as a record of zone z (ignoring the record self, which
// r replaces) and returns it normalised: type upper case, name qualified,
// content canonical, proxiable set, TTL forced to 1 when
// proxied (as the API does), tags a fresh non-nil slice.
func validate(z *zoneState, r Record, self string) (Record, *apiError) {
	r.Type = strings.ToUpper(strings.TrimSpace(r.Type))
	spec, ok := recordTypes[r.Type]
	if !ok {
		return Record{}, newError(http.StatusBadRequest, codeBadType, "Invalid or unsupported DNS record type %q.", r.Type)
	}
	name, err := qualifyName(r.Name, z.zone.Name)
	if err != nil {
		return Record{}, err
	}
	content, ok := spec.content(r.Content, name)
	if !ok {
		return Record{}, newError(http.StatusBadRequest, codeBadContent, "%s", spec.invalid)
	}
	if err := checkFields(r, spec); err != nil {
		return Record{}, err
	}
	r.Name, r.Content, r.Proxiable = name, content, spec.proxiable
	if r.Proxied {
		r.TTL = 1
	}
	r.Tags = append([]string{}, r.Tags...) // never nil, never the caller's array
	if err := conflicts(z, r, self); err != nil {
		return Record{}, err
	}
	return r, nil
}

// checkFields validates TTL, proxied and comment.
func checkFields(r Record, spec typeSpec) *apiError {
	switch {
	case r.TTL != 1 && (r.TTL < 60 || r.TTL > 86400):
		return newError(http.StatusBadRequest, codeBadTTL, "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.")
	case r.Proxied && !spec.proxiable:
		return newError(http.StatusBadRequest, codeNotProxiable, "This record type cannot be proxied.")
	case utf8.RuneCountInString(r.Comment) > maxCommentLength:
		return newError(http.StatusBadRequest, codeCommentTooLong,
			"Comment is too long: at most %d characters are allowed.", maxCommentLength)
	}
	return nil
}

// conflicts reports what stops r from joining z's other records: a CNAME
// beside an A, AAAA or CNAME (81053), an A or AAAA beside a CNAME (81054),
// or an identical name, type and content (81058).
func conflicts(z *zoneState, r Record, self string) *apiError {
	identical := false
	for id, o := range z.records {
		if id == self || o.Name != r.Name {
			continue
		}
		switch {
		case r.Type == "CNAME" && (o.Type == "A" || o.Type == "AAAA" || o.Type == "CNAME"):
			return newError(http.StatusBadRequest, codeHostTaken, "An A, AAAA, or CNAME record with that host already exists.")
		case (r.Type == "A" || r.Type == "AAAA") && o.Type == "CNAME":
			return newError(http.StatusBadRequest, codeCNAMEExists, "A CNAME record with that host already exists.")
		case o.Type == r.Type && strings.EqualFold(o.Content, r.Content):
			identical = true
		}
	}
	if identical {
		return newError(http.StatusBadRequest, codeIdentical, "An identical record already exists.")
	}
	return nil
}
