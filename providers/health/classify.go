package health

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// Classify diagnoses one answer of Cloudflare's edge: its status, headers
// and (the start of) its body. It expects 200, the default of a check
// without ExpectStatus. It is pure, never panics, and always returns a
// class of the edge (never a transport class such as timeout), the status
// and a one-line explanation; failures come with a hint.
func Classify(status int, h http.Header, body []byte) controller.Diagnosis {
	return classify(status, h, body, defaultExpect)
}

// answer is an edge answer with the facts the classifier looks at.
type answer struct {
	status     int
	header     http.Header
	body       []byte
	viaServer  bool // server: cloudflare
	viaCF      bool // server: cloudflare or a cf-ray header
	code       int  // the Cloudflare error code (1xxx) in the page, or 0
	expect     []int
	isExpected bool
}

// classify is Classify for the statuses of expect. The first rule that
// matches wins: a challenge or a page that did not go through Cloudflare
// before anything else, then Cloudflare's own error pages, then the
// expected statuses, then the origin's own errors.
func classify(status int, h http.Header, body []byte, expect []int) controller.Diagnosis {
	a := newAnswer(status, h, body, expect)
	var d controller.Diagnosis
	switch {
	case a.challenged():
		d = challenged(a)
	case !a.viaCF:
		d = notCloudflare(a)
	case a.originDNSError():
		d = originDNSError(a)
	case a.status >= 520 && a.status <= 526:
		d = originFailure(a)
	case a.blocked():
		d = blocked(a)
	case a.isExpected:
		d = ok(a)
	case a.status >= 500 && a.status <= 599 && !a.viaServer:
		d = originError(a)
	default:
		d = unexpected(a)
	}
	d.Status = status
	return d
}

func newAnswer(status int, h http.Header, body []byte, expect []int) answer {
	server := strings.EqualFold(strings.TrimSpace(h.Get("Server")), "cloudflare")
	return answer{
		status: status, header: h, body: body, expect: expect,
		viaServer: server, viaCF: server || strings.TrimSpace(h.Get("Cf-Ray")) != "",
		code: errorCode(body), isExpected: expected(status, expect),
	}
}

// challenged: a 403, 429 or 503 marked cf-mitigated: challenge.
func (a answer) challenged() bool {
	switch a.status {
	case http.StatusForbidden, http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return headerHas(a.header, "Cf-Mitigated", "challenge")
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

// blocked: a Cloudflare block page (403, or 429 for rate limiting 1015).
func (a answer) blocked() bool {
	if !a.viaServer || (a.status != http.StatusForbidden && a.status != http.StatusTooManyRequests) {
		return false
	}
	if _, ok := blockCodes[a.code]; ok {
		return true
	}
	return containsFold(a.body, "access denied") || containsFold(a.body, "you have been blocked")
}

// errorCodeRE finds a Cloudflare error code in a page: "error code: 1016"
// (plain text), "Error 1016", `<span class="cf-error-code">1016</span>`
// (HTML) or "1016: Origin DNS error".
var errorCodeRE = regexp.MustCompile(`(?i)(?:error code:?\s*|error\s+|cf-error-code"?>\s*)(1\d{3})\b|\b(1\d{3}):\s*[a-z]`)

// errorCode returns the first Cloudflare error code (1000-1999) in body,
// or 0.
func errorCode(body []byte) int {
	m := errorCodeRE.FindSubmatch(body)
	if m == nil {
		return 0
	}
	digits := m[1]
	if len(digits) == 0 {
		digits = m[2]
	}
	n, _ := strconv.Atoi(string(digits))
	return n
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
