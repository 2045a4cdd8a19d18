package notify

import (
	"net/url"
	"slices"
	"strings"
)

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
