package config

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/sources"
)

var (
	ruleNameRE = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)
	setNameRE  = regexp.MustCompile(`^[a-z0-9_-]{1,40}$`)
	listNameRE = regexp.MustCompile(`^[a-z0-9_]{1,50}$`)
	accountRE  = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

func (w WAF) validate(add adder) {
	if w.Resolver != "" {
		if _, _, err := net.SplitHostPort(w.Resolver); err != nil {
			add("waf.resolver", "%q is not host:port", w.Resolver)
		}
	}
	seen := map[string]int{}
	for i, r := range w.SkipRules {
		field := fmt.Sprintf("waf.skip_rules[%d]", i)
		checkName(field, r.Name, ruleNameRE, "lower-case letters, digits and _", seen, i, add)
		checkZones(field, r.Zones, add)
		r.Sources.validate(field, nil, add)
		r.Skip.validate(field+".skip", add)
	}
	seen = map[string]int{}
	for i, a := range w.AccessRules {
		field := fmt.Sprintf("waf.access_rules[%d]", i)
		checkName(field, a.Name, setNameRE, "lower-case letters, digits, _ and -", seen, i, add)
		checkZones(field, a.Zones, add)
		a.Sources.validate(field, checkAccessTarget, add)
		if p := a.IPv6Prefix; p != 0 && p != 32 && p != 48 && p != 64 && p != 128 {
			add(field+".ipv6_prefix", "IP Access Rules take IPv6 /32, /48 or /64 ranges, not /%d", p)
		}
	}
	seen = map[string]int{}
	for i, l := range w.IPLists {
		field := fmt.Sprintf("waf.ip_lists[%d]", i)
		checkName(field, l.Name, listNameRE, "lower-case letters, digits and _", seen, i, add)
		if !accountRE.MatchString(l.AccountID) {
			add(field+".account_id", "%q is not a 32-character hex account id", l.AccountID)
		}
		l.Sources.validate(field, checkListTarget, add)
		if p := l.IPv6Prefix; p != 0 && p != 128 && (p < minListBitsV6 || p > maxListBitsV6) {
			add(field+".ipv6_prefix", "IP lists take IPv6 ranges of /%d to /%d (or single addresses), not /%d", minListBitsV6, maxListBitsV6, p)
		}
	}
}

func checkName(field, name string, re *regexp.Regexp, chars string, seen map[string]int, i int, add adder) {
	if !re.MatchString(name) {
		add(field+".name", "%q must be %s", name, chars)
		return
	}
	if j, dup := seen[name]; dup {
		add(field+".name", "%s is already used by entry %d", name, j)
	}
	seen[name] = i
}

func checkZones(field string, zones []string, add adder) {
	for j, z := range zones {
		if !hostnameRE.MatchString(controller.NormalizeName(z)) {
			add(fmt.Sprintf("%s.zones[%d]", field, j), "%q is not a zone name", z)
		}
	}
}

// validate checks every source of an entry; extra, when set, adds a check
// of the parsed source.
func (s Sources) validate(field string, extra func(sources.Spec) error, add adder) {
	if len(s.Sources) == 0 {
		add(field+".sources", "list at least one IP, CIDR, hostname or self")
	}
	for j, raw := range s.Sources {
		sp, err := sources.Parse(raw, s.AllowBroad)
		if err == nil && extra != nil {
			err = extra(sp)
		}
		if err != nil {
			add(fmt.Sprintf("%s.sources[%d]", field, j), "%v", err)
		}
	}
	if p := s.IPv6Prefix; p != 0 && (p > 128 || (p < 32 && !s.AllowBroad)) {
		add(field+".ipv6_prefix", "%d must be between 32 and 128", p)
	}
}

// checkAccessTarget refuses ranges IP Access Rules cannot hold.
func checkAccessTarget(sp sources.Spec) error {
	if sp.Kind != sources.KindPrefix || sp.Prefix.IsSingleIP() {
		return nil
	}
	bits, v6 := sp.Prefix.Bits(), sp.Prefix.Addr().Is6()
	if (!v6 && bits != 16 && bits != 24) || (v6 && bits != 32 && bits != 48 && bits != 64) {
		return fmt.Errorf("%s: IP Access Rules take IPv4 /16 or /24 and IPv6 /32, /48 or /64 ranges only", sp.Prefix)
	}
	return nil
}

// The IPv6 ranges an IP list takes: Cloudflare refuses others with 10035
// (testdata/cloudflare/api/400-10035-list-item-ipv6-cidr.yaml).
const (
	minListBitsV6 = 12
	maxListBitsV6 = 64
)

// checkListTarget refuses IPv6 ranges IP lists cannot hold.
func checkListTarget(sp sources.Spec) error {
	if sp.Kind != sources.KindPrefix || sp.Prefix.IsSingleIP() || !sp.Prefix.Addr().Is6() {
		return nil
	}
	if bits := sp.Prefix.Bits(); bits < minListBitsV6 || bits > maxListBitsV6 {
		return fmt.Errorf("%s: IP lists take IPv6 ranges of /%d to /%d (or single addresses)", sp.Prefix, minListBitsV6, maxListBitsV6)
	}
	return nil
}

func (s *Skip) validate(field string, add adder) {
	if s.Ruleset != "" && s.Ruleset != "current" {
		add(field+".ruleset", "%q: only \"current\" (the remaining custom rules) can be skipped", s.Ruleset)
	}
	checkNames(field+".phases", s.Phases, controller.SkipPhases, add)
	checkNames(field+".products", s.Products, controller.SkipProducts, add)
	if s.Ruleset == "" && len(s.Phases) == 0 && len(s.Products) == 0 {
		add(field, "skip at least one of ruleset, phases, products")
	}
}

// checkNames accepts only the exact spellings of allowed; a case-only
// mismatch gets a hint (the API rejects the SDK's lower-case products).
func checkNames(field string, got, allowed []string, add adder) {
	for j, g := range got {
		if slices.Contains(allowed, g) {
			continue
		}
		f := fmt.Sprintf("%s[%d]", field, j)
		if k := slices.IndexFunc(allowed, func(a string) bool { return strings.EqualFold(a, g) }); k >= 0 {
			add(f, "%q must be spelled %q exactly (the API rejects other spellings)", g, allowed[k])
			continue
		}
		add(f, "%q is not one of %s", g, strings.Join(allowed, ", "))
	}
}
