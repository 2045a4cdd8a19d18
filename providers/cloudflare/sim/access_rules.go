package sim

import (
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AccessRule is a zone IP Access Rule. Over HTTP it is rendered as the
// API's object: {id, paused, modified_on, allowed_modes, mode, notes,
// configuration: {target, value}, created_on, scope: {id, name, type: "zone"}}.
type AccessRule struct {
	ID     string // 32 lower-hex chars
	Mode   string // block, challenge, whitelist, js_challenge or managed_challenge
	Target string // configuration.target: ip, ip6, ip_range, asn or country
	// Value is configuration.value in canonical form: an address as
	// netip prints it, a masked prefix, "AS<number>", an upper-case country.
	Value      string
	Notes      string
	CreatedOn  time.Time
	ModifiedOn time.Time
}

// accessModes are the modes of an access rule (all of them are "allowed").
var accessModes = []string{"block", "challenge", "whitelist", "js_challenge", "managed_challenge"}

// accessTargets canonicalise a configuration value per target; ok is false
// when the value is invalid for the target.
var accessTargets = map[string]func(string) (string, bool){
	"ip":       accessAddr(netip.Addr.Is4),
	"ip6":      accessAddr(func(a netip.Addr) bool { return a.Is6() && !a.Is4In6() }),
	"ip_range": accessRange,
	"asn":      accessASN,
	"country":  accessCountry,
}

func accessAddr(family func(netip.Addr) bool) func(string) (string, bool) {
	return func(v string) (string, bool) {
		a, err := netip.ParseAddr(v)
		if err != nil || !family(a) || a.Zone() != "" {
			return "", false
		}
		return a.String(), true
	}
}

// accessRange accepts IPv4 /16 and /24 and IPv6 /32, /48 and /64 prefixes
// without host bits.
func accessRange(v string) (string, bool) {
	p, err := netip.ParsePrefix(v)
	if err != nil || p != p.Masked() {
		return "", false
	}
	bits := []int{32, 48, 64}
	if p.Addr().Is4() {
		bits = []int{16, 24}
	}
	return p.String(), slices.Contains(bits, p.Bits())
}

var asnPattern = regexp.MustCompile(`^(?i:AS)?([0-9]{1,10})$`)

func accessASN(v string) (string, bool) {
	m := asnPattern.FindStringSubmatch(v)
	if m == nil {
		return "", false
	}
	n, err := strconv.ParseUint(m[1], 10, 32)
	return "AS" + strconv.FormatUint(n, 10), err == nil
}

func accessCountry(v string) (string, bool) {
	c := strings.ToUpper(v)
	return c, len(c) == 2 && 'A' <= c[0] && c[0] <= 'Z' && 'A' <= c[1] && c[1] <= 'Z'
}

// AccessRules returns the zone's access rules in creation order: empty for
// a zone without any, nil for an unknown zone.
func (s *Server) AccessRules(zone string) []AccessRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	z := s.zoneByName(zone)
	if z == nil {
		return nil
	}
	return append([]AccessRule{}, z.accessRules...)
}

// AddAccessRule creates r in the zone, validated as by the API (mode,
// target, value, no duplicate target and value), not logged. ID, CreatedOn
// and ModifiedOn are set.
func (s *Server) AddAccessRule(zone string, r AccessRule) (AccessRule, error) {
	z, unlock, zerr := s.lockZone(zone)
	if zerr != nil {
		return AccessRule{}, zerr
	}
	defer unlock()
	out, err := s.addAccessRule(z, r, s.now())
	if err != nil {
		return AccessRule{}, err
	}
	return out, nil
}

// DeleteAccessRule removes an access rule of the zone, unlogged.
func (s *Server) DeleteAccessRule(zone, id string) error {
	z, unlock, zerr := s.lockZone(zone)
	if zerr != nil {
		return zerr
	}
	defer unlock()
	if _, err := removeAccessRule(z, id); err != nil {
		return err
	}
	return nil
}

// addAccessRule validates r and appends it to z with a new id. The caller holds s.mu.
func (s *Server) addAccessRule(z *zoneState, r AccessRule, now time.Time) (AccessRule, *apiError) {
	r, err := checkAccessRule(z, r, "")
	if err != nil {
		return AccessRule{}, err
	}
	r.ID, r.CreatedOn, r.ModifiedOn = s.nextID("access_rule"), now, now
	z.accessRules = append(z.accessRules, r)
	return r, nil
}

// checkAccessRule validates r as a rule of z other than rule self and
// returns it with its value canonical.
func checkAccessRule(z *zoneState, r AccessRule, self string) (AccessRule, *apiError) {
	if !slices.Contains(accessModes, r.Mode) {
		return AccessRule{}, errAccessInvalid("invalid mode received: %s", r.Mode)
	}
	canon, known := accessTargets[r.Target]
	if !known {
		return AccessRule{}, errAccessInvalid("unsupported target received: %s", r.Target)
	}
	v, ok := canon(strings.TrimSpace(r.Value))
	if !ok {
		what := r.Target // "invalid ip provided" for ip, ip6 and ip_range
		if strings.HasPrefix(what, "ip") {
			what = "ip"
		}
		return AccessRule{}, errAccessInvalid("invalid %s provided", what)
	}
	r.Value = v
	for _, o := range z.accessRules {
		if o.ID != self && o.Target == r.Target && o.Value == r.Value {
			return AccessRule{}, newError(http.StatusBadRequest, codeAccessDuplicate, "firewallaccessrules.api.duplicate_of_existing")
		}
	}
	return r, nil
}

// accessRuleIndex finds access rule id in z: 404, code 10001 if absent.
func accessRuleIndex(z *zoneState, id string) (int, *apiError) {
	if i := slices.IndexFunc(z.accessRules, func(r AccessRule) bool { return r.ID == id }); i >= 0 {
		return i, nil
	}
	return 0, newError(http.StatusNotFound, codeAccessNotFound, "firewallaccessrules.api.not_found")
}

// removeAccessRule deletes access rule id from z and returns it.
func removeAccessRule(z *zoneState, id string) (AccessRule, *apiError) {
	i, err := accessRuleIndex(z, id)
	if err != nil {
		return AccessRule{}, err
	}
	r := z.accessRules[i]
	z.accessRules = slices.Delete(z.accessRules, i, i+1)
	return r, nil
}

func errAccessInvalid(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, codeAccessInvalid, "firewallaccessrules.api.validation_error:"+format, args...)
}
