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
</head><body><h1><span data-translate="error">Error</span><span>1020</span></h1></body></html>`

// classifyCase is a recorded edge answer and its expected diagnosis.
type classifyCase struct {
	name    string
	status  int
	header  http.Header
	body    string
	expect  []int // nil: Classify's default (200)
	want    controller.Class
	explain []string // parts of the explanation
	absent  string   // must not appear in the explanation
}

var classifyCases = []classifyCase{
	{name: "ok", status: 200, header: cf(), body: "ok", want: controller.ClassOK},
	{name: "ok with only cf-ray", status: 200, header: hdr("Cf-Ray", "8f0c-AMS", "Server", "nginx"), want: controller.ClassOK},
	{name: "ok server case", status: 200, header: hdr("Server", "CloudFlare"), want: controller.ClassOK},
	{name: "204 expected", status: 204, header: cf(), expect: []int{200, 204}, want: controller.ClassOK},
	{name: "200 not through cloudflare", status: 200, header: hdr("Server", "nginx"), body: "ok",
		want: controller.ClassNotCloudflare, explain: []string{"not proxied"}},
	{name: "200 without headers", status: 200, header: hdr(), want: controller.ClassNotCloudflare},
	{name: "530 1016 plain", status: 530, header: cf(), body: "error code: 1016",
		want: controller.ClassOriginDNSError, explain: []string{"1016", "CNAME"}},
	{name: "530 1016 html", status: 530, header: cf("Content-Type", "text/html"), body: cloudflare1016HTML,
		want: controller.ClassOriginDNSError},
	{name: "530 Error 1016", status: 530, header: cf(), body: "<h1>Error 1016</h1>", want: controller.ClassOriginDNSError},
	{name: "530 1016: Origin DNS error", status: 530, header: cf(), body: "1016: Origin DNS error",
		want: controller.ClassOriginDNSError},
	{name: "530 cf-error-type dns", status: 530, header: cf("Cf-Error-Type", "origin-dns"),
		want: controller.ClassOriginDNSError},
	{name: "530 cf-error-type 1016", status: 530, header: cf("Cf-Error-Type", "1016"), body: "<html></html>",
		want: controller.ClassOriginDNSError},
	{name: "530 1033 tunnel", status: 530, header: cf(), body: "error code: 1033",
		want: controller.ClassUnexpected, explain: []string{"530", "1033", "Tunnel"}},
	{name: "530 1001", status: 530, header: cf(), body: "Error 1001", want: controller.ClassUnexpected,
		explain: []string{"1001"}},
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
	{name: "502 from the edge", status: 502, header: cf(), want: controller.ClassUnexpected},
	{name: "503 without cf-mitigated", status: 503, header: cf(), body: "maintenance",
		want: controller.ClassUnexpected, explain: []string{"503"}},
	{name: "503 from origin", status: 503, header: hdr("Server", "Apache", "Cf-Ray", "8f0c-AMS"),
		want: controller.ClassOriginError},
	{name: "403 challenge", status: 403, header: cf("Cf-Mitigated", "challenge"), body: "<title>Just a moment...</title>",
		want: controller.ClassChallenged, explain: []string{"challenge"}},
	{name: "429 challenge", status: 429, header: cf("Cf-Mitigated", "Challenge"), want: controller.ClassChallenged},
	{name: "503 challenge", status: 503, header: cf("Cf-Mitigated", "challenge"), want: controller.ClassChallenged},
	{name: "challenge header on 200", status: 200, header: cf("Cf-Mitigated", "challenge"), want: controller.ClassOK},
	{name: "403 block 1020", status: 403, header: cf(), body: "error code: 1020", want: controller.ClassBlocked,
		explain: []string{"1020"}},
	{name: "403 block html", status: 403, header: cf(), body: cloudflare1020HTML, want: controller.ClassBlocked},
	{name: "403 block Error 1020 access denied", status: 403, header: cf(), body: "Error 1020 Access denied",
		want: controller.ClassBlocked},
	{name: "403 you have been blocked", status: 403, header: cf(), body: "Sorry, you have been blocked",
		want: controller.ClassBlocked},
	{name: "429 rate limited 1015", status: 429, header: cf(), body: "error code: 1015", want: controller.ClassBlocked,
		explain: []string{"rate limited"}},
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
