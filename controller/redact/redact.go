// Package redact is flarewarden's one way to show a URL that may embed a
// secret (a ping key in a path, a token in a query, user information):
// its scheme and host, then "/…" when anything else was cut. Logs, errors,
// /status, metrics labels, the effective config and notifications all
// show URLs through it, so a URL looks the same wherever it appears.
package redact

import (
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// Invalid is what URL shows for a string that is not a URL with a scheme
// and a host.
const Invalid = "[invalid URL]"

// URL returns the scheme and host of raw, followed by "/…" when it had
// user information, a path, a query or a fragment:
// "https://user:pw@hc-ping.com/uuid?x" shows as "https://hc-ping.com/…".
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return Invalid
	}
	out := u.Scheme + "://" + u.Host
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		out += "/…"
	}
	return out
}

// Label shows a source name ("url:https://ip.example/x?k=v",
// "doh:https://dns.example/dns-query", "cloudflare-trace"): a URL in it is
// shown as URL shows it, what comes before the URL is kept. A name
// without a URL is returned as is.
func Label(name string) string {
	i := strings.Index(name, "://")
	if i < 0 {
		return name
	}
	start := strings.LastIndexAny(name[:i], ":") + 1
	return name[:start] + URL(name[start:])
}

// urlRE matches a URL up to the end of a JSON string or white space. A
// match may run on past the URL: see splitAnswer.
var urlRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"\\]+`)

// Text shows every URL in s as URL does. What a detection reason puts
// after a source's label (its answer, "=ADDRESS", and the "," before the
// next answer) is kept.
func Text(s []byte) []byte {
	return urlRE.ReplaceAllFunc(s, func(m []byte) []byte {
		u, tail := splitAnswer(string(m))
		return []byte(URL(u) + tail)
	})
}

// splitAnswer splits a urlRE match into the URL and what follows it in a
// detection reason: "url:https://ip.example=203.0.113.9, dns=..." matches
// "https://ip.example=203.0.113.9,". The answer is split off only when it
// follows the authority directly and is an address: a "=" in a path, a
// query or user information stays in the URL, which is cut.
func splitAnswer(m string) (u, tail string) {
	u = strings.TrimRight(m, ",;")
	tail = m[len(u):]
	i := strings.LastIndexByte(u, '=')
	if i < 0 {
		return u, tail
	}
	if _, err := netip.ParseAddr(u[i+1:]); err != nil {
		return u, tail
	}
	authority := u[:i]
	if j := strings.Index(authority, "://"); j < 0 || strings.ContainsAny(authority[j+3:], "/?#") {
		return u, tail
	}
	return authority, u[i:] + tail
}
