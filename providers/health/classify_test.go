package health

import (
	"net/http"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

// cloudflare1016HTML is the start of Cloudflare's HTML page for error 1016.
const cloudflare1016HTML = `<!DOCTYPE html><html lang="en-US"><head><title>Origin DNS error | app.example.com | Cloudflare</title>
</head><body><div id="cf-wrapper"><h1><span class="cf-error-type" data-translate="error">Error</span>
<span class="cf-error-code">1016</span></h1><h2 class="cf-subheadline">Origin DNS error</h2></div></body></html>`

// cloudflare1020HTML is the start of Cloudflare's HTML page for error 1020.
const cloudflare1020HTML = `<!DOCTYPE html><html><head><title>Access denied | app.example.com used Cloudflare to restrict access</title>
</head><body><div id="cf-wrapper"><h1><span data-translate="error">Error</span><span class="cf-error-code">1020</span></h1>
<span class="cf-footer-item">Cloudflare Ray ID: <strong>8f0c1a2b3c4d5e6f</strong></span></div></body></html>`

// challengeDecoyHTML is a challenge page without cf-mitigated whose hidden
// markup holds a 1020 error code: a decoy, not the answer's code.
const challengeDecoyHTML = `<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>
<div style="display:none"><span class="cf-error-code">1020</span></div>
<script>window._cf_chl_opt={cType:'managed'};</script></body></html>`

// iuamHTML is the start of the old "I'm Under Attack" page (a 503).
const iuamHTML = `<!DOCTYPE HTML><html lang="en-US"><head><title>Just a moment...</title></head><body>
<h1>Checking your browser before accessing example.com.</h1>
<form id="challenge-form" action="/cdn-cgi/l/chk_jschl" method="get"><input type="hidden" name="jschl_vc" value="0"/></form></body></html>`

// captchaHTML is the start of the old captcha challenge page.
const captchaHTML = `<!DOCTYPE html><html lang="en-US"><head><title>Attention Required! | Cloudflare</title></head><body>
<h1>One more step</h1><form class="challenge-form" id="challenge-form"><input type="hidden" name="cf_captcha_kind" value="h"/></form>
</body></html>`

// blockedHTML is the start of Cloudflare's "you have been blocked" page,
// titled as the old captcha page is.
const blockedHTML = `<!DOCTYPE html><html lang="en-US"><head><title>Attention Required! | Cloudflare</title></head><body>
<div id="cf-wrapper"><h1>Sorry, you have been blocked</h1><h2>You are unable to access example.com</h2>
<span class="cf-footer-item">Cloudflare Ray ID: <strong>8f0c1a2b3c4d5e6f</strong></span></div></body></html>`

// branded502HTML is the start of Cloudflare's page about an origin's 502.
const branded502HTML = `<!DOCTYPE html><html lang="en-US"><head><title>app.example.com | 502: Bad gateway</title>
<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/main.css" /></head><body><div id="cf-wrapper">
<div id="cf-error-details"><h1><span class="inline-block">Bad gateway</span><span class="code-label">Error code 502</span></h1>
</div></div></body></html>`

// classifyCase is a recorded edge answer and its expected diagnosis.
type classifyCase struct {
	name    string
	status  int
	header  http.Header
	body    string
	expect  []int // nil: Classify's default (200)
	want    controller.Class
	code    int      // the Cloudflare error code read
	explain []string // parts of the explanation
	absent  string   // must not appear in the explanation
}

var classifyCases = []classifyCase{
	{name: "ok", status: 200, header: cf(), body: "ok", want: controller.ClassOK},
	{name: "ok with only cf-ray", status: 200, header: hdr("Cf-Ray", "8f0c-AMS", "Server", "nginx"), want: controller.ClassOK},
	{name: "ok server case", status: 200, header: hdr("Server", "CloudFlare"), want: controller.ClassOK},
	{name: "ok old server name", status: 200, header: hdr("Server", "cloudflare-nginx"), want: controller.ClassOK},
	{name: "200 from a server named like cloudflare", status: 200, header: hdr("Server", "cloudflare-imposter"),
		want: controller.ClassNotCloudflare},
	{name: "204 expected", status: 204, header: cf(), expect: []int{200, 204}, want: controller.ClassOK},
	{name: "200 not through cloudflare", status: 200, header: hdr("Server", "nginx"), body: "ok",
		want: controller.ClassNotCloudflare, explain: []string{"not proxied"}},
	{name: "200 without headers", status: 200, header: hdr(), want: controller.ClassNotCloudflare},
	{name: "530 1016 plain", status: 530, header: cf(), body: "error code: 1016",
		want: controller.ClassOriginDNSError, code: 1016, explain: []string{"1016", "CNAME"}},
	{name: "530 1016 html", status: 530, header: cf("Content-Type", "text/html"), body: cloudflare1016HTML,
		want: controller.ClassOriginDNSError, code: 1016},
	{name: "530 Error 1016", status: 530, header: cf(), body: "<h1>Error 1016</h1>", want: controller.ClassOriginDNSError, code: 1016},
	{name: "530 1016: Origin DNS error", status: 530, header: cf(), body: "1016: Origin DNS error",
		want: controller.ClassOriginDNSError, code: 1016},
	{name: "530 1016 by its title only", status: 530, header: cf(),
		body: "<title>Origin DNS error | app.example.com | Cloudflare</title>", want: controller.ClassOriginDNSError, code: 1016},
	{name: "530 cf-error-type dns", status: 530, header: cf("Cf-Error-Type", "origin-dns"),
		want: controller.ClassOriginDNSError},
	{name: "530 cf-error-type 1016", status: 530, header: cf("Cf-Error-Type", "1016"), body: "<html></html>",
		want: controller.ClassOriginDNSError},
	{name: "530 1033 tunnel", status: 530, header: cf(), body: "error code: 1033",
		want: controller.ClassOriginUnreachable, code: 1033, explain: []string{"1033", "cloudflared connector"}},
	{name: "530 1033 json", status: 530, header: cf(), body: `{"title":"Error 1033","error_code":1033,"cloudflare_error":true}`,
		want: controller.ClassOriginUnreachable, code: 1033},
	{name: "530 1033 argo tunnel title", status: 530, header: cf(), body: "<title>Argo Tunnel error | x | Cloudflare</title>",
		want: controller.ClassOriginUnreachable, code: 1033},
	{name: "530 1001", status: 530, header: cf(), body: "Error 1001", want: controller.ClassUnexpected,
		code: 1001, explain: []string{"1001"}},
	{name: "409 1001", status: 409, header: cf("Content-Type", "text/plain; charset=UTF-8"), body: "error code: 1001",
		want: controller.ClassUnexpected, code: 1001, explain: []string{"409", "1001", "DNS resolution error"}},
	{name: "530 without code", status: 530, header: cf(), want: controller.ClassUnexpected,
		explain: []string{"530", "without an error code"}},
	{name: "520", status: 520, header: cf(), body: "error code: 520", want: controller.ClassOriginError,
		explain: []string{"520"}},
	{name: "521", status: 521, header: cf(), body: "error code: 521", want: controller.ClassOriginDown,
		explain: []string{"521"}},
	{name: "522", status: 522, header: cf(), want: controller.ClassOriginTimeout, explain: []string{"522"}},
	{name: "523", status: 523, header: cf(), want: controller.ClassOriginUnreachable, explain: []string{"523"}},
	{name: "524", status: 524, header: cf(), want: controller.ClassOriginTimeout, explain: []string{"524"}},
	{name: "525", status: 525, header: cf(), want: controller.ClassOriginTLS, explain: []string{"525"}},
	{name: "526", status: 526, header: cf(), want: controller.ClassOriginTLS, explain: []string{"526"}},
	{name: "521 not through cloudflare", status: 521, header: hdr(), want: controller.ClassNotCloudflare},
	{name: "502 from origin", status: 502, header: hdr("Server", "nginx", "Cf-Ray", "8f0c-AMS"),
		want: controller.ClassOriginError, explain: []string{"502"}},
	{name: "500 from origin", status: 500, header: hdr("Cf-Ray", "8f0c-AMS"), want: controller.ClassOriginError},
	{name: "502 through cloudflare", status: 502, header: cf(), want: controller.ClassOriginError,
		explain: []string{"origin itself answered HTTP 502"}},
	{name: "502 cloudflare's page", status: 502, header: cf(), body: branded502HTML, want: controller.ClassOriginError,
		explain: []string{"origin answered Cloudflare HTTP 502", "its own error page"}},
	{name: "504 cloudflare's plain text", status: 504, header: cf(), body: "error code: 504", want: controller.ClassOriginError,
		explain: []string{"origin answered Cloudflare HTTP 504"}},
	{name: "503 without cf-mitigated", status: 503, header: cf(), body: "maintenance",
		want: controller.ClassOriginError, explain: []string{"503"}},
	{name: "500 with an origin's error 1045", status: 500, header: cf(), body: "ERROR 1045 (28000): Access denied for user",
		want: controller.ClassOriginError},
	{name: "503 expected", status: 503, header: cf(), expect: []int{503}, want: controller.ClassOK},
	{name: "503 from origin", status: 503, header: hdr("Server", "Apache", "Cf-Ray", "8f0c-AMS"),
		want: controller.ClassOriginError},
	{name: "403 challenge", status: 403, header: cf("Cf-Mitigated", "challenge"), body: "<title>Just a moment...</title>",
		want: controller.ClassChallenged, explain: []string{"challenge"}},
	{name: "429 challenge", status: 429, header: cf("Cf-Mitigated", "Challenge"), want: controller.ClassChallenged},
	{name: "503 challenge", status: 503, header: cf("Cf-Mitigated", "challenge"), want: controller.ClassChallenged},
	{name: "challenge with a decoy code", status: 403, header: cf(), body: challengeDecoyHTML, want: controller.ClassChallenged},
	{name: "challenge header with a decoy code", status: 403, header: cf("Cf-Mitigated", "challenge"),
		body: "error code: 1020", want: controller.ClassChallenged},
	{name: "old under attack page", status: 503, header: cf(), body: iuamHTML, want: controller.ClassChallenged},
	{name: "old captcha page", status: 403, header: cf(), body: captchaHTML, want: controller.ClassChallenged},
	{name: "challenge platform script", status: 403, header: cf(),
		body: `<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=1"></script>`, want: controller.ClassChallenged},
	{name: "challenge page on 200", status: 200, header: cf(), body: iuamHTML, want: controller.ClassOK},
	{name: "challenge header on 200", status: 200, header: cf("Cf-Mitigated", "challenge"), want: controller.ClassOK},
	{name: "403 block 1020", status: 403, header: cf(), body: "error code: 1020", want: controller.ClassBlocked,
		code: 1020, explain: []string{"1020"}},
	{name: "403 block html", status: 403, header: cf(), body: cloudflare1020HTML, want: controller.ClassBlocked, code: 1020},
	{name: "403 you have been blocked", status: 403, header: cf(), body: blockedHTML, want: controller.ClassBlocked},
	{name: "403 origin's own access denied", status: 403, header: cf(), body: "Error 1020 Access denied",
		want: controller.ClassUnexpected},
	{name: "429 rate limited 1015", status: 429, header: cf(), body: "error code: 1015", want: controller.ClassBlocked,
		code: 1015, explain: []string{"rate limited"}},
	{name: "403 origin through cloudflare", status: 403, header: hdr("Server", "nginx", "Cf-Ray", "8f0c-AMS"),
		body: "Access denied", want: controller.ClassUnexpected, explain: []string{"403"}},
	{name: "403 origin not through cloudflare", status: 403, header: hdr("Server", "nginx"), body: "Access denied",
		want: controller.ClassNotCloudflare},
	{name: "403 plain through cloudflare", status: 403, header: cf(), body: "Forbidden", want: controller.ClassUnexpected},
	{name: "404", status: 404, header: cf(), want: controller.ClassUnexpected, explain: []string{"404", "200"}},
	{name: "301 expected", status: 301, header: cf("Location", "https://app.example.com/"), expect: []int{200, 301},
		want: controller.ClassOK},
	{name: "301 unexpected", status: 301, header: cf("Location", "https://app.example.com/login?token=s3cret#x"),
		want: controller.ClassUnexpected, explain: []string{"redirect to https://app.example.com/login", "not followed"},
		absent: "s3cret"},
	{name: "302 relative", status: 302, header: cf("Location", "/login"), want: controller.ClassUnexpected,
		explain: []string{"redirect to /login"}},
	{name: "301 expected not through cloudflare", status: 301, header: hdr("Location", "https://x/"),
		expect: []int{301}, want: controller.ClassNotCloudflare},
}

func TestClassify(t *testing.T) {
	for _, tc := range classifyCases {
		t.Run(tc.name, func(t *testing.T) {
			d := classifyCaseRun(tc)
			wantClass(t, d, tc.want)
			if d.Status != tc.status {
				t.Fatalf("status %d, want %d", d.Status, tc.status)
			}
			if d.Code != tc.code {
				t.Fatalf("code %d, want %d", d.Code, tc.code)
			}
			wantContains(t, d.Explanation, tc.explain...)
			if tc.absent != "" && strings.Contains(d.Explanation+d.Hint, tc.absent) {
				t.Fatalf("%q leaks %q", d.Explanation, tc.absent)
			}
			if (d.Hint == "") != (d.Class == controller.ClassOK) {
				t.Fatalf("class %s with hint %q", d.Class, d.Hint)
			}
		})
	}
}

// classifyCaseRun classifies tc with Classify, or classify with its
// expectation.
func classifyCaseRun(tc classifyCase) controller.Diagnosis {
	if tc.expect == nil {
		return Classify(tc.status, tc.header, []byte(tc.body))
	}
	return classify(tc.status, tc.header, []byte(tc.body), tc.expect)
}

func TestClassify1016Hint(t *testing.T) {
	d := Classify(530, cf(), []byte("error code: 1016"))
	wantContains(t, d.Explanation, "Cloudflare cannot resolve the origin host (error 1016)", "DDNS provider")
	wantContains(t, d.Hint, "unless its takeover_cname is false", "with on-failure, once a health check sees the target down")
}

func TestClassifyNamedCodesHints(t *testing.T) {
	d := Classify(429, cf(), []byte("error code: 1015"))
	wantContains(t, d.Hint, "rate limiting rule", "http_ratelimit")
	d = Classify(530, cf(), []byte("error code: 1033"))
	wantContains(t, d.Explanation, "Cloudflare Tunnel", "no cloudflared connector is running")
	wantContains(t, d.Hint, "start cloudflared")
}

func TestClassifyNilHeader(t *testing.T) {
	wantClass(t, Classify(200, nil, nil), controller.ClassNotCloudflare)
	wantClass(t, Classify(0, nil, nil), controller.ClassNotCloudflare)
}

func TestErrorCode(t *testing.T) {
	for body, want := range map[string]int{
		"error code: 1016":              1016,
		"Error code 1020":               1020,
		"ERROR 1033":                    1033,
		cloudflare1016HTML:              1016,
		"1016: Origin DNS error":        1016,
		"error code: 520":               0,
		"served 10:30 today":            0,
		"order 12345 failed":            0,
		"":                              0,
		"error 2016":                    0,
		"<span>1015</span> rate limit ": 0,
		`{"error_code": 1033, "title": "Error 1020"}`:             1033,
		"<title>Argo Tunnel error | x | Cloudflare</title>":       1033,
		"<title>Cloudflare Tunnel error | x | Cloudflare</title>": 1033,
		"<title>origin dns error | x | Cloudflare</title>":        1016,
		"an origin dns error happened":                            0,
	} {
		if got := errorCode([]byte(body)); got != want {
			t.Errorf("errorCode(%q) = %d, want %d", body, got, want)
		}
	}
}

func TestLocation(t *testing.T) {
	for loc, want := range map[string]string{
		"https://a.example/x?token=1#f": " to https://a.example/x",
		"/login?next=/":                 " to /login",
		"//a.example/p":                 " to //a.example/p",
		"":                              "",
		"?only=query":                   "",
		"https://a.example/\x7f":        "",
		"https://a.example/" + strings.Repeat("a", 200): " to https://a.example/" + strings.Repeat("a", 82) + "...",
	} {
		if got := location(loc); got != want {
			t.Errorf("location(%q) = %q, want %q", loc, got, want)
		}
	}
}
