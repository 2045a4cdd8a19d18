package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/redact"
)

// envFamilies maps the domain lists and the providers to the managed
// names and the detect section. A family is on when its provider is not
// none and names use it, as in favonia; flarewarden manages every name in
// each family that is on, so two families on must list the same names.
func envFamilies(env Env) ([]string, map[string]any, []error) {
	all, errs := envDomains(env, EnvDomains)
	detect := map[string]any{}
	names := map[string][]string{}
	for _, f := range []struct{ key, domains, provider string }{
		{"ipv4", EnvIP4Domains, EnvIP4Provider}, {"ipv6", EnvIP6Domains, EnvIP6Provider},
	} {
		own, ownErrs := envDomains(env, f.domains)
		errs = append(errs, ownErrs...)
		src, off, err := envProvider(f.provider, envValue(env, f.provider))
		switch {
		case err != nil:
			errs = append(errs, err)
		case off && len(own) > 0:
			errs = append(errs, fmt.Errorf("%s: set, but %s=none stops managing the family: drop one", f.domains, f.provider))
		}
		on := !off && len(all)+len(own) > 0
		fam := map[string]any{"enabled": on}
		if on && src != "" {
			fam["sources"] = []string{src}
		}
		detect[f.key] = fam
		if on {
			names[f.key] = union(all, own)
		}
	}
	errs = append(errs, sameNames(names["ipv4"], names["ipv6"])...)
	return cmpOr(names["ipv4"], names["ipv6"]), detect, errs
}

// envDomains reads a list of names separated by commas or white space, as
// favonia reads DOMAINS, normalized, each once.
func envDomains(env Env, key string) ([]string, []error) {
	var out []string
	var errs []error
	for _, n := range strings.FieldsFunc(envValue(env, key), isListSep) {
		if strings.ContainsAny(n, "{}") {
			errs = append(errs, fmt.Errorf("%s: %q: per-domain options (hostid6) are not supported", key, n))
			continue
		}
		n = controller.NormalizeName(n)
		switch {
		case !hostnameRE.MatchString(n):
			errs = append(errs, fmt.Errorf("%s: %q is not a valid DNS name (write an internationalized name in its xn-- form)", key, n))
		case !slices.Contains(out, n):
			out = append(out, n)
		}
	}
	return out, errs
}

func isListSep(r rune) bool { return r == ',' || unicode.IsSpace(r) }

// sameNames refuses two families on (neither nil) with different names.
func sameNames(v4, v6 []string) []error {
	if v4 == nil || v6 == nil {
		return nil
	}
	var errs []error
	for _, d := range []struct {
		own, other         []string
		key, fam, provider string
	}{
		{v4, v6, EnvIP4Domains, "IPv6", EnvIP6Provider}, {v6, v4, EnvIP6Domains, "IPv4", EnvIP4Provider},
	} {
		for _, n := range d.own {
			if !slices.Contains(d.other, n) {
				errs = append(errs, fmt.Errorf("%s: %s: flarewarden manages each name in every family that is on, %s too: "+
					"list it in %s, or set %s=none", d.key, n, d.fam, EnvDomains, d.provider))
			}
		}
	}
	return errs
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, n := range b {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func cmpOr(a, b []string) []string {
	if a != nil {
		return a
	}
	return b
}

// envProvider maps favonia's IP4_PROVIDER or IP6_PROVIDER to an IP source
// ("" for flarewarden's default sources), or off for none.
func envProvider(key, v string) (src string, off bool, err error) {
	kind, arg, _ := strings.Cut(v, ":")
	kind, arg = strings.TrimSpace(kind), strings.TrimSpace(arg)
	switch {
	case v == "":
		return "", false, nil
	case kind == "none" && arg == "":
		return "", true, nil
	case kind == "cloudflare.trace" && arg == "":
		return "cloudflare-trace", false, nil
	case kind == "cloudflare.doh" && arg == "":
		return "cloudflare-doh", false, nil
	case kind == "url" && arg != "":
		return "url:" + arg, false, nil
	case kind == "local.iface" && arg != "":
		return "iface:" + arg, false, nil
	case kind == "static" && arg != "":
		src, err := staticSource(key, arg)
		return src, false, err
	}
	if hint, ok := providerRefused[kind]; ok {
		return "", false, fmt.Errorf("%s: %s is not supported: %s", key, kind, hint)
	}
	return "", false, fmt.Errorf("%s: %q is not a provider: want cloudflare.trace, cloudflare.doh, url:URL, "+
		"local.iface:NAME, static:IP or none", key, redact.Label(v))
}

// providerRefused are favonia's providers flarewarden has no equivalent
// for, and favonia's spellings it does not take.
var providerRefused = map[string]string{
	"local":            "flarewarden reads a named interface: use local.iface:NAME",
	"url.via4":         "flarewarden asks a URL over the family it detects: use url:URL",
	"url.via6":         "flarewarden asks a URL over the family it detects: use url:URL",
	"static.empty":     "flarewarden never empties records from detection",
	"file":             "use static:IP or url:URL",
	"ipify":            "use url:https://api.ipify.org (IPv4) or url:https://api6.ipify.org (IPv6)",
	"cloudflare":       "use cloudflare.trace or cloudflare.doh",
	"cloudflare.trace": "it takes no URL: use cloudflare.trace",
	"cloudflare.doh":   "it takes no URL: use cloudflare.doh",
}

// staticSource maps favonia's static:IP[,IP] (addresses or CIDR) to one
// static: source.
func staticSource(key, arg string) (string, error) {
	ips := strings.FieldsFunc(arg, isListSep)
	if len(ips) != 1 {
		return "", fmt.Errorf("%s: static: takes one address in flarewarden (one record per family)", key)
	}
	if p, err := netip.ParsePrefix(ips[0]); err == nil {
		return "static:" + p.Addr().String(), nil
	}
	if _, err := netip.ParseAddr(ips[0]); err != nil {
		return "", fmt.Errorf("%s: static: %q is not an IP address", key, ips[0])
	}
	return "static:" + ips[0], nil
}
