package health

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// Classify diagnoses one answer of Cloudflare's edge: its status, headers
// and (the start of) its body. It expects 200, the default of a check
// without ExpectStatus. It is pure, never panics, and always returns a
// class of the edge (never a transport class such as timeout), the status,
// the Cloudflare error code (1xxx) of the edge's own error page (0 for
// none: a challenge's or the origin's page carries none) and a one-line
// explanation; failures come with a hint.
func Classify(status int, h http.Header, body []byte) controller.Diagnosis {
	return classify(status, h, body, defaultExpect)
}

// answer is an edge answer with the facts the classifier looks at.
type answer struct {
	status     int
	header     http.Header
	body       []byte
	viaCF      bool // server: cloudflare or a cf-ray header
	challenge  bool // a Cloudflare challenge (see isChallenge)
	errorPage  bool // one of Cloudflare's own error pages (see isErrorPage)
	code       int  // the Cloudflare error code (see cloudflareCode), or 0
	expect     []int
	isExpected bool
}

// classify is Classify for the statuses of expect. Server: cloudflare and
// cf-ray say that an answer came through Cloudflare, not who made it: the
// edge adds them to the origin's own answers too. The first rule that
// matches wins: a challenge, then an answer that did not come through
// Cloudflare, then Cloudflare's own error pages (1016, 1033, 520-526,
// blocks), then the expected statuses, then the other 5xx (the origin's,
// or Cloudflare's page about the origin's 502/504), then anything else.
// The diagnosis carries the status and the Cloudflare error code read.
func classify(status int, h http.Header, body []byte, expect []int) controller.Diagnosis {
	a := newAnswer(status, h, body, expect)
	d := a.diagnose()
	d.Status, d.Code = status, a.code
	return d
}

// diagnose applies classify's rules to a.
func (a answer) diagnose() controller.Diagnosis {
	switch {
	case a.challenge:
		return challenged(a)
	case !a.viaCF:
		return notCloudflare(a)
	case a.originDNSError():
		return originDNSError(a)
	case a.code == 1033:
		return tunnelDown(a)
	case a.status >= 520 && a.status <= 526:
		return originFailure(a)
	case a.blocked():
		return blocked(a)
	case a.isExpected:
		return ok(a)
	case a.status >= 500 && a.status <= 599 && a.status != 530:
		return originError(a)
	}
	return unexpected(a)
}

// newAnswer reads the facts of an answer. A challenge's codes are decoys,
// and an answer that did not come through Cloudflare carries no
// Cloudflare code: both read as 0.
func newAnswer(status int, h http.Header, body []byte, expect []int) answer {
	a := answer{
		status: status, header: h, body: body, expect: expect,
		viaCF:     cloudflareServer(h.Get("Server")) || strings.TrimSpace(h.Get("Cf-Ray")) != "",
		challenge: challengeStatus(status) && isChallenge(h, body),
		errorPage: isErrorPage(body), isExpected: expected(status, expect),
	}
	if a.viaCF {
		a.code = cloudflareCode(status, a.challenge, body)
	}
	return a
}

// cloudflareServer reports whether a Server header is Cloudflare's:
// "cloudflare", or "cloudflare-nginx" as the edge sent it until 2016.
func cloudflareServer(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return v == "cloudflare" || v == "cloudflare-nginx"
}

// challengeStatus reports whether Cloudflare challenges with status: 403,
// 429 or 503 (the old "I'm Under Attack" page).
func challengeStatus(status int) bool {
	switch status {
	case http.StatusForbidden, http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	}
	return false
}

// originDNSError: a 530 whose page says 1016 or "origin DNS error", or a
// 5xx whose cf-error-type header mentions dns or 1016.
func (a answer) originDNSError() bool {
	if a.status < 500 || a.status > 599 {
		return false
	}
	if headerHas(a.header, "Cf-Error-Type", "dns") || headerHas(a.header, "Cf-Error-Type", "1016") {
		return true
	}
	return a.status == 530 && (a.code == 1016 || containsFold(a.body, "origin dns error"))
}

// blocked: a Cloudflare block page (403, or 429 for rate limiting 1015):
// a block code, or Cloudflare's own error page in a block page's words.
// The origin's own "Access denied" is not one.
func (a answer) blocked() bool {
	if a.status != http.StatusForbidden && a.status != http.StatusTooManyRequests {
		return false
	}
	if _, ok := blockCodes[a.code]; ok {
		return true
	}
	return a.errorPage && containsAny(bytes.ToLower(a.body), blockMarkers)
}

// headerHas reports whether a value of header name contains word, ignoring
// case.
func headerHas(h http.Header, name, word string) bool {
	for _, v := range h.Values(name) {
		if strings.Contains(strings.ToLower(v), word) {
			return true
		}
	}
	return false
}

// containsFold reports whether body contains the lower-case ASCII text
// word, ignoring case.
func containsFold(body []byte, word string) bool {
	return strings.Contains(strings.ToLower(string(body)), word)
}
