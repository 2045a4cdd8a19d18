package health

import (
	"net/http"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare/corpus"
)

// classifiable are the classes an edge answer can get.
var classifiable = map[controller.Class]bool{
	controller.ClassOK: true, controller.ClassOriginDNSError: true, controller.ClassOriginDown: true,
	controller.ClassOriginTimeout: true, controller.ClassOriginUnreachable: true, controller.ClassOriginTLS: true,
	controller.ClassOriginError: true, controller.ClassChallenged: true, controller.ClassBlocked: true,
	controller.ClassNotCloudflare: true, controller.ClassUnexpected: true,
}

// encodeHeader writes h as "Name: value" lines, for a fuzz seed.
func encodeHeader(h http.Header) string {
	var b strings.Builder
	for name, values := range h {
		for _, v := range values {
			b.WriteString(name + ": " + v + "\n")
		}
	}
	return b.String()
}

// decodeHeader parses "Name: value" lines; other lines are skipped.
func decodeHeader(s string) http.Header {
	h := http.Header{}
	for line := range strings.SplitSeq(s, "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok {
			h.Add(name, strings.TrimSpace(value))
		}
	}
	return h
}

func FuzzClassify(f *testing.F) {
	for _, tc := range classifyCases {
		expect := 200
		if len(tc.expect) > 0 {
			expect = tc.expect[len(tc.expect)-1]
		}
		f.Add(tc.status, encodeHeader(tc.header), []byte(tc.body), expect)
	}
	samples, err := corpus.LoadEdge()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range samples {
		f.Add(s.Response.Status, encodeHeader(s.Response.Header()), []byte(s.Response.Body), 200)
	}
	f.Add(-1, "Server: cloudflare\nLocation: \r\n", []byte{0xff, 0xfe}, 0)
	f.Add(530, "cf-ray: x\ncf-error-type: DNS\n", []byte("error code: 1016"), 530)
	f.Fuzz(func(t *testing.T, status int, header string, body []byte, expect int) {
		h := decodeHeader(header)
		checkDiagnosis(t, classify(status, h, body, []int{expect}), status, h, expect)
		checkDiagnosis(t, Classify(status, h, body), status, h, 200)
	})
}

// checkDiagnosis enforces what Classify promises about any answer.
func checkDiagnosis(t *testing.T, d controller.Diagnosis, status int, h http.Header, expect int) {
	t.Helper()
	switch {
	case !classifiable[d.Class]:
		t.Fatalf("class %q is not an edge class", d.Class)
	case d.Status != status:
		t.Fatalf("status %d, want %d", d.Status, status)
	case d.Explanation == "" || strings.ContainsAny(d.Explanation, "\r\n"):
		t.Fatalf("explanation %q is empty or not one line", d.Explanation)
	case d.Class == controller.ClassOK && status != expect:
		t.Fatalf("ok for status %d, expected %d", status, expect)
	case d.Class == controller.ClassOK && h.Get("Server") == "" && h.Get("Cf-Ray") == "":
		t.Fatalf("ok without going through Cloudflare: %v", h)
	case d.Class != controller.ClassOK && d.Hint == "":
		t.Fatalf("class %q without a hint", d.Class)
	}
}
