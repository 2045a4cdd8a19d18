package sim

import (
	"bufio"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare/corpus"
	"github.com/flarewarden/flarewarden/providers/health"
	"github.com/flarewarden/flarewarden/providers/nettest"
)

// rayRE is the form of a real cf-ray: 16 hex digits, "-", the colo.
var rayRE = regexp.MustCompile(`^[0-9a-f]{16}-[A-Z]{3}$`)

// edgeKind is one kind of answer the simulated edge gives: the status,
// health class and Cloudflare error code the corpus samples of the same
// kind have, and how to provoke it.
type edgeKind struct {
	name   string
	status int
	class  controller.Class
	code   int
	host   string                      // the site asked for
	path   string                      // the path asked for (the conformance origin answers by path)
	setup  func(*testing.T, *confEdge) // makes the edge answer this kind
	opts   []Option
}

// edgeKinds are every kind of answer the simulated edge gives.
var edgeKinds = []edgeKind{
	{name: "origin 200", status: 200, class: controller.ClassOK, host: "www.example.com", path: "/200"},
	{name: "origin 404", status: 404, class: controller.ClassUnexpected, host: "www.example.com", path: "/404"},
	{name: "origin 503", status: 503, class: controller.ClassOriginError, host: "www.example.com", path: "/503"},
	{name: "origin 502", status: 502, class: controller.ClassOriginError, host: "www.example.com", path: "/502"},
	{name: "origin 504", status: 504, class: controller.ClassOriginError, host: "www.example.com", path: "/504"},
	{name: "no record 1001", status: 409, class: controller.ClassUnexpected, code: 1001, host: "nope.example.com"},
	{name: "origin dns 1016", status: 530, class: controller.ClassOriginDNSError, code: 1016, host: "lost.example.com"},
	{name: "origin closes 520", status: 520, class: controller.ClassOriginError, host: "www.example.com",
		setup: func(t *testing.T, e *confEdge) { e.s.SetOrigin(originIP, fakeOrigin(t, closeAfterRequest)) }},
	{name: "origin refuses 521", status: 521, class: controller.ClassOriginDown, host: "www.example.com",
		setup: func(t *testing.T, e *confEdge) { e.s.SetOrigin(originIP, nettest.ClosedPort(t)) }},
	{name: "connection timeout 522", status: 522, class: controller.ClassOriginTimeout, host: "www.example.com",
		opts:  []Option{WithOriginTimeout(300 * time.Millisecond)},
		setup: func(t *testing.T, e *confEdge) { e.s.SetOrigin(originIP, connectTimeoutAddr(t)) }},
	{name: "no route 523", status: 523, class: controller.ClassOriginUnreachable, host: "lost-origin.example.com"},
	{name: "answer timeout 524", status: 524, class: controller.ClassOriginTimeout, host: "www.example.com",
		opts:  []Option{WithOriginTimeout(300 * time.Millisecond)},
		setup: func(t *testing.T, e *confEdge) { e.s.SetOrigin(originIP, fakeOrigin(t, holdUntilEnd(t))) }},
	{name: "challenge", status: 403, class: controller.ClassChallenged, host: "www.example.com",
		setup: func(t *testing.T, e *confEdge) {
			if err := e.s.SetSecurityLevel(testZone, "under_attack"); err != nil {
				t.Fatal(err)
			}
		}},
	{name: "block 1020", status: 403, class: controller.ClassBlocked, code: 1020, host: "www.example.com",
		setup: func(t *testing.T, e *confEdge) {
			if _, err := e.s.AddRule(testZone, Rule{Action: "block", Expression: "ip.src eq 198.51.100.50", Enabled: true}); err != nil {
				t.Fatal(err)
			}
		}},
}

// TestEdgeMatchesCorpus holds the simulated edge to the real captures
// (testdata/cloudflare/edge): for each kind of answer it gives, every
// sample of the same status, class and code is asked for in the sample's
// form (a HEAD for an empty body, a non-browser GET for a plain text one,
// a browser GET for a page), and the simulated answer must have the
// sample's status, server: cloudflare with a cf-ray of the real form, the
// sample's cf-mitigated and content type when it has them, no other
// Cloudflare header (Cf-*) than the kind's samples show, and classify as
// the sample does.
func TestEdgeMatchesCorpus(t *testing.T) {
	samples, err := corpus.LoadEdge()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range edgeKinds {
		t.Run(k.name, func(t *testing.T) {
			matched := samplesOfKind(samples, k)
			if len(matched) == 0 {
				t.Skipf("no corpus sample of HTTP %d, class %s, code %d backs this answer", k.status, k.class, k.code)
			}
			e := newConfEdge(t, k)
			seen := cfHeaders(matched)
			for _, s := range matched {
				t.Run(s.Name, func(t *testing.T) {
					a := e.ask(t, k, s)
					checkLikeSample(t, a, s)
					checkCFHeadersSeen(t, a, seen)
				})
			}
		})
	}
}

// samplesOfKind are the samples of k's status, class and code.
func samplesOfKind(samples []corpus.Edge, k edgeKind) []corpus.Edge {
	var out []corpus.Edge
	for _, s := range samples {
		if s.Response.Status == k.status && s.Expect.Class == string(k.class) && s.Expect.Code == k.code {
			out = append(out, s)
		}
	}
	return out
}

// checkLikeSample compares the simulated answer a with the sample s.
func checkLikeSample(t *testing.T, a edgeAnswer, s corpus.Edge) {
	t.Helper()
	want := s.Response.Header()
	if a.status != s.Response.Status {
		t.Errorf("status %d, want %d", a.status, s.Response.Status)
	}
	if strings.EqualFold(want.Get("Server"), "cloudflare") && a.header.Get("Server") != "cloudflare" {
		t.Errorf("server %q, want cloudflare", a.header.Get("Server"))
	}
	if ray := a.header.Get("Cf-Ray"); !rayRE.MatchString(ray) {
		t.Errorf("cf-ray %q is not 16 hex digits, '-' and a colo", ray)
	}
	if m := want.Get("Cf-Mitigated"); m != "" && !strings.EqualFold(a.header.Get("Cf-Mitigated"), m) {
		t.Errorf("cf-mitigated %q, want %q", a.header.Get("Cf-Mitigated"), m)
	}
	if ct := want.Get("Content-Type"); ct != "" && mediaType(a.header.Get("Content-Type")) != mediaType(ct) {
		t.Errorf("content-type %q, want %q", a.header.Get("Content-Type"), ct)
	}
	d := health.Classify(a.status, a.header, []byte(a.body))
	if string(d.Class) != s.Expect.Class || d.Code != s.Expect.Code {
		t.Errorf("classified %s code %d (%s), want %s code %d; body %q",
			d.Class, d.Code, d.Explanation, s.Expect.Class, s.Expect.Code, clipBody(a.body))
	}
}

// cfHeaders are the names of the Cloudflare headers (Cf-*) the samples
// carry, canonical.
func cfHeaders(samples []corpus.Edge) map[string]bool {
	seen := map[string]bool{}
	for _, s := range samples {
		for name := range s.Response.Header() {
			if strings.HasPrefix(name, "Cf-") {
				seen[name] = true
			}
		}
	}
	return seen
}

// checkCFHeadersSeen fails for a Cloudflare header (Cf-*, but the cf-ray)
// of the simulated answer that no sample of its kind carries: a header the
// real edge was never seen to send is a guess.
func checkCFHeadersSeen(t *testing.T, a edgeAnswer, seen map[string]bool) {
	t.Helper()
	for name := range a.header {
		if strings.HasPrefix(name, "Cf-") && name != "Cf-Ray" && !seen[name] {
			t.Errorf("header %s: no sample of this kind carries it", name)
		}
	}
}

// mediaType is the lower-case media type of a content type, "" when none.
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

func clipBody(b string) string {
	if len(b) > 300 {
		return b[:300] + "..."
	}
	return b
}

// confEdge is a simulated edge whose origin answers by path: /200 a page,
// /404, /502, /503 and /504 the errors an nginx origin sends, in the
// content type of the query's "type" (text/html without one).
type confEdge struct {
	s   *Server
	url string
}

// newConfEdge serves zone example.com with www (A, proxied, to the
// origin), lost (a CNAME to a name without records) and lost-origin (A to
// an unmapped address), set up for kind k.
func newConfEdge(t *testing.T, k edgeKind) *confEdge {
	t.Helper()
	origin := httptest.NewServer(http.HandlerFunc(confOrigin))
	t.Cleanup(origin.Close)
	e := &confEdge{s: New(append([]Option{WithOrigins(map[string]string{originIP: origin.Listener.Addr().String()})}, k.opts...)...)}
	e.s.AddZone(testZone)
	for _, r := range []Record{
		{Name: "www", Type: "A", Content: originIP, Proxied: true},
		{Name: "lost", Type: "CNAME", Content: "gone.example.com", Proxied: true},
		{Name: "lost-origin", Type: "A", Content: unmappedIP, Proxied: true},
	} {
		if _, err := e.s.AddRecord(testZone, r); err != nil {
			t.Fatal(err)
		}
	}
	if k.setup != nil {
		k.setup(t, e)
	}
	edge := httptest.NewServer(e.s.Edge())
	t.Cleanup(edge.Close)
	e.url = edge.URL
	return e
}

// confOrigin answers the status its path names, with the headers and page
// of a typical origin.
func confOrigin(w http.ResponseWriter, r *http.Request) {
	status := http.StatusOK
	if _, err := fmt.Sscanf(r.URL.Path, "/%d", &status); err != nil || status < 200 || status > 599 {
		status = http.StatusOK
	}
	ct := r.URL.Query().Get("type")
	if ct == "" {
		ct = "text/html"
	}
	w.Header().Set("Server", "nginx/1.24.0")
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><h1>%[1]d %[2]s</h1><hr><center>nginx/1.24.0</center></body></html>",
		status, http.StatusText(status))
}

// ask requests k's answer from the edge in sample s's form, as the
// visitor 198.51.100.50.
func (e *confEdge) ask(t *testing.T, k edgeKind, s corpus.Edge) edgeAnswer {
	t.Helper()
	method, accept := sampleForm(s.Response)
	target := e.url + k.path
	if ct := s.Response.Header().Get("Content-Type"); k.path != "" && ct != "" {
		target += "?type=" + url.QueryEscape(ct) // the origin answers in the sample's content type
	}
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = k.host
	req.Header.Set(edgeClientHeader, "198.51.100.50")
	req.Header.Set("User-Agent", "flarewarden-conformance")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, k.host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return edgeAnswer{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// sampleForm is how a sample's answer was asked for, as it shows: a HEAD
// when it has no body; a non-browser client for the plain text "error
// code: N" (or a text/plain content type), a JSON client for a JSON
// document, else a browser (an HTML page, or its headers only).
func sampleForm(r corpus.Response) (method, accept string) {
	method = http.MethodGet
	b := strings.TrimSpace(r.Body)
	if b == "" {
		method = http.MethodHead
	}
	switch ct := mediaType(r.Header().Get("Content-Type")); {
	case strings.HasPrefix(b, "error code:") || ct == "text/plain":
		return method, ""
	case strings.HasPrefix(b, "{") || ct == "application/json":
		return method, "application/json"
	}
	return method, "text/html,application/xhtml+xml"
}

// closeAfterRequest plays an origin that reads the request and hangs up.
func closeAfterRequest(c net.Conn) {
	_, _ = http.ReadRequest(bufio.NewReader(c))
}

// holdUntilEnd plays an origin that accepts and never answers, until the
// test ends.
func holdUntilEnd(t *testing.T) func(net.Conn) {
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	return func(net.Conn) { <-hold }
}
