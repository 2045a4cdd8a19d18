package notify

import (
	"net/url"
	"slices"
	"strings"
)

// invalidURL is what Redact returns for a string that is not a URL with a
// host.
const invalidURL = "[invalid URL]"

// Redact returns the scheme and host of rawURL, followed by "/…" when the
// URL had a path, query or fragment: "https://hc-ping.com/…". User info is
// dropped. A string that does not parse as a URL with a host gives
// "[invalid URL]". The result is safe to log: ping keys, push tokens and
// webhook secrets live in the parts it leaves out.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return invalidURL
	}
	out := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		out += "/…"
	}
	return out
}

// minSecret is the shortest string scrub hides: shorter ones would mangle
// ordinary words and numbers, and are not worth guessing anyway.
const minSecret = 6

// scrubber hides a target's secrets in text from elsewhere (transport
// errors), as a last line of defence behind never formatting them.
type scrubber []string

// newScrubber collects the secret parts of u and the header values.
func newScrubber(u *url.URL, headers map[string]string) scrubber {
	s := scrubber{u.String(), u.EscapedPath(), u.Path, u.RawQuery, u.Fragment}
	if u.User != nil {
		s = append(s, u.User.String())
	}
	s = append(s, strings.Split(u.Path, "/")...)
	for _, vs := range u.Query() {
		s = append(s, vs...)
	}
	for _, v := range headers {
		s = append(s, v)
	}
	return s
}

// scrub replaces every secret of s found in text by "…", longest first so
// that a whole URL goes before its parts.
func (s scrubber) scrub(text string) string {
	for _, secret := range s.longestFirst() {
		if len(secret) >= minSecret {
			text = strings.ReplaceAll(text, secret, "…")
		}
	}
	return text
}

// longestFirst returns the secrets sorted by decreasing length.
func (s scrubber) longestFirst() []string {
	out := append([]string(nil), s...)
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}
