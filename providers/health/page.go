package health

import (
	"bytes"
	"net/http"
	"regexp"
	"strconv"
)

// What the classifier reads in an answer's body: whether it is a
// Cloudflare challenge, whether it is one of Cloudflare's own error pages
// (and which), and the Cloudflare error code (1xxx) it carries. Every
// function here is pure and reads at most the bytes it is given.

// challengeMarkers are texts only a Cloudflare challenge page holds: the
// title of the interstitial ("Just a moment..."), the old "I'm Under
// Attack" page's words and form fields, the challenge scripts' options
// and paths, and the old captcha page's fields. Matched ignoring case.
var challengeMarkers = []string{
	"<title>just a moment...</title>",
	"checking your browser before accessing",
	"jschl_vc", "jschl-answer", "jschl_answer",
	"_cf_chl_opt",
	"/cdn-cgi/challenge-platform/h/",
	"cf_chl_prog", "cf-chl-widget",
	"cf_captcha_kind", "cf-captcha-container",
}

// blockMarkers are the words of a Cloudflare block page, which shares its
// title ("Attention Required! | Cloudflare") with the old captcha page.
var blockMarkers = []string{"you have been blocked", "access denied", "you are being rate limited"}

// isChallenge reports whether an answer is a Cloudflare challenge: marked
// cf-mitigated: challenge, or its body holds a challenge marker, or it is
// titled "Attention Required! | Cloudflare" without a block page's words.
// A challenge page may hold a decoy error code: no code is read from it.
func isChallenge(h http.Header, body []byte) bool {
	if headerHas(h, "Cf-Mitigated", "challenge") {
		return true
	}
	lower := bytes.ToLower(body)
	if containsAny(lower, challengeMarkers) {
		return true
	}
	return bytes.Contains(lower, []byte("attention required! | cloudflare")) && !containsAny(lower, blockMarkers)
}

// errorPageMarkers are texts of Cloudflare's own HTML error pages (1xxx,
// 5xx): their stylesheet, element classes and footer. Matched ignoring
// case.
var errorPageMarkers = []string{
	"/cdn-cgi/styles/cf.errors.css", "/cdn-cgi/styles/main.css",
	`id="cf-wrapper"`, `id="cf-error-details"`, `class="cf-error-code"`,
	"cloudflare ray id:", "| cloudflare</title>", "/5xx-error-landing",
	"used cloudflare to restrict access</title>", "/cloudflare-1xxx-errors/error-",
}

// isErrorPage reports whether body is one of Cloudflare's own error pages
// in any of its forms: the plain text "error code: N" sent to non-browser
// clients, the JSON document (with "cloudflare_error": true, or typed by
// the 1xxx error's documentation URL), or the HTML page.
func isErrorPage(body []byte) bool {
	if plainCodeRE.Match(body) || jsonErrorRE.Match(body) {
		return true
	}
	return containsAny(bytes.ToLower(body), errorPageMarkers)
}

// plainCodeRE is the whole body of Cloudflare's plain text error answer.
var plainCodeRE = regexp.MustCompile(`^\s*error code: \d+\s*$`)

// jsonErrorRE marks Cloudflare's JSON error document.
var jsonErrorRE = regexp.MustCompile(`"cloudflare_error"\s*:\s*true`)

// jsonCodeRE finds the code of Cloudflare's JSON error document.
var jsonCodeRE = regexp.MustCompile(`"error_code"\s*:\s*(1\d{3})\b`)

// errorCodeRE finds a Cloudflare error code in a page: "error code: 1016"
// (plain text), "Error 1016", `<span class="cf-error-code">1016</span>`
// or `Error</span> <span>1020</span>` (HTML), the page's feedback script's
// "errorCode:1015", or "1016: Origin DNS error".
var errorCodeRE = regexp.MustCompile(`(?i)(?:error[ _]?code"?\s*:?\s*|error\s+|cf-error-code"?>\s*|` +
	`>error</span>\s*<span[^>]*>\s*)(1\d{3})\b|\b(1\d{3}):\s*[a-z]`)

// errorCode returns the first Cloudflare error code (1000-1999) in body,
// in any of the forms of errorCodeRE or JSON's "error_code": N, else the
// code of a page named after its error (see namedCodes), else 0.
func errorCode(body []byte) int {
	if m := jsonCodeRE.FindSubmatch(body); m != nil {
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	if m := errorCodeRE.FindSubmatch(body); m != nil {
		digits := m[1]
		if len(digits) == 0 {
			digits = m[2]
		}
		n, _ := strconv.Atoi(string(digits))
		return n
	}
	lower := bytes.ToLower(body)
	for _, nc := range namedCodes {
		if bytes.Contains(lower, []byte(nc.name)) {
			return nc.code
		}
	}
	return 0
}

// namedCodes are the titles of Cloudflare's 1xxx pages that name their
// error without the code in the part of the page an answer may keep
// ("Argo Tunnel error" is the 1033 page's title before Cloudflare Tunnel
// was renamed).
var namedCodes = []struct {
	name string
	code int
}{
	{"<title>origin dns error |", 1016},
	{"<title>argo tunnel error |", 1033},
	{"<title>cloudflare tunnel error |", 1033},
}

// cloudflareCode is the Cloudflare error code an answer through Cloudflare
// carries: read from Cloudflare's own error page, or from any 530 (a
// status only Cloudflare's edge sends); 0 for a challenge and for a page
// that is the origin's (whose "Error 1045" is the origin's own business).
func cloudflareCode(status int, challenge bool, body []byte) int {
	if challenge || (status != 530 && !isErrorPage(body)) {
		return 0
	}
	return errorCode(body)
}

// containsAny reports whether s contains one of the lower-case texts.
func containsAny(s []byte, texts []string) bool {
	for _, t := range texts {
		if bytes.Contains(s, []byte(t)) {
			return true
		}
	}
	return false
}
