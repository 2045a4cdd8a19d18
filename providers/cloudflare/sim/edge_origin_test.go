package sim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/providers/nettest"
	"github.com/flarewarden/flarewarden/providers/sources/dnstest"
)

// Origin addresses of originEdge's records.
const (
	originIP   = "203.0.113.7"  // www, and what the DDNS target resolves to
	directIP   = "203.0.113.9"  // direct (DNS only)
	unmappedIP = "203.0.113.66" // lost-origin: mapped to nothing
)

// originWorld is a simulator whose edge contacts a real origin on loopback.
type originWorld struct {
	t       *testing.T
	s       *Server
	dns     *dnstest.Server
	origin  *httptest.Server
	hits    atomic.Int64 // requests the origin received
	edgeURL string
}

// newOriginWorld serves zone example.com with records www (A, proxied),
// home (CNAME to myhome.duckdns.org, resolved by a local DNS server),
// alias (CNAME to www), lost (CNAME to a name without records), direct (A,
// not proxied) and lost-origin (A to an unmapped address); the origin
// answers with JSON naming the method, host and path it received.
func newOriginWorld(t *testing.T, opts ...Option) *originWorld {
	t.Helper()
	w := &originWorld{t: t, dns: dnstest.New(t)}
	w.origin = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.hits.Add(1)
		rw.Header().Set("Content-Type", "application/json")
		rw.Header().Set("X-Origin", "yes")
		rw.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(rw, `{"method":%q,"host":%q,"path":%q,"client":%q}`, r.Method, r.Host, r.URL.RequestURI(), r.Header.Get("Cf-Connecting-Ip"))
	}))
	t.Cleanup(w.origin.Close)
	w.dns.Set("myhome.duckdns.org", originIP)
	origins := map[string]string{originIP: w.origin.Listener.Addr().String(), directIP: w.origin.Listener.Addr().String()}
	w.s = New(append([]Option{WithOrigins(origins), WithResolver(dnsResolver(w.dns.Addr))}, opts...)...)
	w.s.AddZone(testZone)
	for _, r := range []Record{
		{Name: "www", Type: "A", Content: originIP, Proxied: true},
		{Name: "home", Type: "CNAME", Content: "myhome.duckdns.org", Proxied: true},
		{Name: "alias", Type: "CNAME", Content: "www.example.com", Proxied: true},
		{Name: "lost", Type: "CNAME", Content: "gone.example.com", Proxied: true},
		{Name: "direct", Type: "A", Content: directIP},
		{Name: "lost-origin", Type: "A", Content: unmappedIP, Proxied: true},
	} {
		if _, err := w.s.AddRecord(testZone, r); err != nil {
			t.Fatal(err)
		}
	}
	edge := httptest.NewServer(w.s.Edge())
	t.Cleanup(edge.Close)
	w.edgeURL = edge.URL
	return w
}

// dnsResolver resolves with the DNS server at addr only.
func dnsResolver(addr string) func(ctx context.Context, host string) ([]netip.Addr, error) {
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	return func(ctx context.Context, host string) ([]netip.Addr, error) { return r.LookupNetIP(ctx, "ip", host) }
}

// edgeAnswer is an edge answer read in full.
type edgeAnswer struct {
	status int
	header http.Header
	body   string
}

// get asks the edge for path at host as the visitor 198.51.100.50; err is
// a failed connection.
func (w *originWorld) get(host, path string) (edgeAnswer, error) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.edgeURL+path, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Host = host
	req.Header.Set(edgeClientHeader, "198.51.100.50")
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return edgeAnswer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return edgeAnswer{}, err
	}
	return edgeAnswer{status: resp.StatusCode, header: resp.Header, body: string(body)}, nil
}

// mustGet is get that fails the test on a failed connection.
func (w *originWorld) mustGet(host string) edgeAnswer {
	w.t.Helper()
	a, err := w.get(host, "/healthz?x=1")
	if err != nil {
		w.t.Fatalf("GET %s: %v", host, err)
	}
	return a
}

// checkEdge asserts an answer of the edge: status, a body part, and the
// edge's headers.
func checkEdge(t *testing.T, a edgeAnswer, status int, body string) {
	t.Helper()
	if a.status != status || !strings.Contains(a.body, body) {
		t.Errorf("answer %d %q, want %d with %q", a.status, a.body, status, body)
	}
	if a.header.Get("Server") != "cloudflare" || a.header.Get("Cf-Ray") == "" {
		t.Errorf("edge headers missing: %v", a.header)
	}
}

func TestEdgeRelaysTheOrigin(t *testing.T) {
	w := newOriginWorld(t)
	for _, host := range []string{"www.example.com", "home.example.com", "alias.example.com"} {
		a := w.mustGet(host)
		want := fmt.Sprintf(`{"method":"GET","host":%q,"path":"/healthz?x=1","client":"198.51.100.50"}`, host)
		checkEdge(t, a, http.StatusAccepted, want)
		if a.header.Get("Content-Type") != "application/json" || a.header.Get("X-Origin") != "yes" {
			t.Errorf("%s: headers = %v, want the origin's headers relayed", host, a.header)
		}
	}
	if w.hits.Load() != 3 {
		t.Errorf("origin hits = %d, want 3", w.hits.Load())
	}
}

func TestEdgeOriginDNSError(t *testing.T) {
	w := newOriginWorld(t)
	w.dns.Set("myhome.duckdns.org") // the DDNS provider is down
	for _, host := range []string{"home.example.com", "lost.example.com"} {
		a := w.mustGet(host)
		checkEdge(t, a, 530, "error code: 1016")
		if a.header.Get("Cf-Error-Type") != "" {
			t.Errorf("%s: cf-error-type = %q, a header no real capture shows", host, a.header.Get("Cf-Error-Type"))
		}
	}
	if err := w.s.SetSecurityLevel(testZone, "under_attack"); err != nil {
		t.Fatal(err)
	}
	// The WAF answers first: the origin is looked up only for a request it lets through.
	checkEdge(t, w.mustGet("home.example.com"), http.StatusForbidden, "Just a moment")
	if w.hits.Load() != 0 {
		t.Errorf("origin hits = %d, want 0", w.hits.Load())
	}
}

func TestEdgeOriginDNSErrorWithoutResolver(t *testing.T) {
	s := New(WithOrigins(nil))
	s.AddZone(testZone)
	if _, err := s.AddRecord(testZone, Record{Name: "home", Type: "CNAME", Content: "myhome.duckdns.org", Proxied: true}); err != nil {
		t.Fatal(err)
	}
	if status, reason := s.EdgeDecision("home.example.com", netip.MustParseAddr("192.0.2.1")); status != 530 || !strings.Contains(reason, "1016") {
		t.Errorf("EdgeDecision = %d %q, want 530 error 1016", status, reason)
	}
}

func TestEdgeChallengeComesBeforeTheOrigin(t *testing.T) {
	w := newOriginWorld(t)
	if err := w.s.SetSecurityLevel(testZone, "under_attack"); err != nil {
		t.Fatal(err)
	}
	a := w.mustGet("www.example.com")
	checkEdge(t, a, http.StatusForbidden, "Just a moment")
	if a.header.Get("Cf-Mitigated") != "challenge" || w.hits.Load() != 0 {
		t.Errorf("cf-mitigated = %q, origin hits = %d: want a challenge and no origin request", a.header.Get("Cf-Mitigated"), w.hits.Load())
	}
	if _, err := w.s.AddRule(testZone, skipRule("(ip.src in {198.51.100.50})", `{"products":["securityLevel"]}`)); err != nil {
		t.Fatal(err)
	}
	checkEdge(t, w.mustGet("www.example.com"), http.StatusAccepted, `"method":"GET"`)
}

func TestEdgeOriginUnreachable(t *testing.T) {
	w := newOriginWorld(t)
	checkEdge(t, w.mustGet("lost-origin.example.com"), 523, "error code: 523")
	w.s.SetOrigin(unmappedIP, w.origin.Listener.Addr().String())
	checkEdge(t, w.mustGet("lost-origin.example.com"), http.StatusAccepted, `"method":"GET"`)
	w.s.SetOrigin(unmappedIP, "")
	checkEdge(t, w.mustGet("lost-origin.example.com"), 523, "error code: 523")
}

func TestEdgeOriginRefused(t *testing.T) {
	w := newOriginWorld(t)
	w.s.SetOrigin(originIP, nettest.ClosedPort(t))
	checkEdge(t, w.mustGet("www.example.com"), 521, "error code: 521")
	checkEdge(t, w.mustGet("home.example.com"), 521, "error code: 521")
}

func TestEdgeOriginClosesWithoutAnswer(t *testing.T) {
	w := newOriginWorld(t)
	w.s.SetOrigin(originIP, fakeOrigin(t, func(c net.Conn) {
		_, _ = http.ReadRequest(bufio.NewReader(c))
		_ = c.Close()
	}))
	checkEdge(t, w.mustGet("www.example.com"), 520, "error code: 520")
}

func TestEdgeOriginAnswerTimeout(t *testing.T) {
	w := newOriginWorld(t, WithOriginTimeout(100*time.Millisecond))
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	w.s.SetOrigin(originIP, fakeOrigin(t, func(net.Conn) { <-hold }))
	start := time.Now()
	checkEdge(t, w.mustGet("www.example.com"), 524, "error code: 524")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("524 took %s with a 100ms origin timeout", d)
	}
}

func TestEdgeNotProxiedTalksToTheOrigin(t *testing.T) {
	w := newOriginWorld(t)
	a := w.mustGet("direct.example.com")
	if a.status != http.StatusAccepted || !strings.Contains(a.body, `"host":"direct.example.com"`) {
		t.Errorf("answer %d %q, want the origin's", a.status, a.body)
	}
	if a.header.Get("Server") == "cloudflare" || a.header.Get("Cf-Ray") != "" || a.header.Get("X-Origin") != "yes" {
		t.Errorf("headers = %v, want the origin's, without the edge's", a.header)
	}
	if status, reason := w.s.EdgeDecision("direct.example.com", netip.MustParseAddr("192.0.2.1")); status != 200 || !strings.Contains(reason, "dns only") {
		t.Errorf("EdgeDecision = %d %q, want 200 dns only", status, reason)
	}
	w.s.SetOrigin(directIP, nettest.ClosedPort(t))
	if a, err := w.get("direct.example.com", "/"); err == nil {
		t.Errorf("origin down, DNS only: got %d %q, want a failed connection", a.status, a.body)
	}
}

// fakeOrigin serves each connection with serve until the test ends and
// returns its address.
func fakeOrigin(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func TestEdgeOriginBadGatewayIsTheEdgesPage(t *testing.T) {
	w := newOriginWorld(t)
	w.s.SetOrigin(originIP, fakeOrigin(t, func(c net.Conn) {
		_, _ = http.ReadRequest(bufio.NewReader(c))
		_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\nContent-Length: 3\r\n\r\nbad")
	}))
	a := w.mustGet("www.example.com")
	checkEdge(t, a, http.StatusBadGateway, "error code: 502")
	if strings.Contains(a.body, "bad") || a.header.Get("Content-Type") != "text/plain; charset=UTF-8" {
		t.Errorf("answer %q (%v), want the edge's own page", a.body, a.header)
	}
}

func TestEdgeErrorPagesForBrowsers(t *testing.T) {
	w := newOriginWorld(t)
	w.s.SetOrigin(originIP, nettest.ClosedPort(t))
	for host, want := range map[string][]string{
		"www.example.com":  {"<title>www.example.com | 521: Web server is down</title>", `id="cf-error-details"`, "Error code 521"},
		"lost.example.com": {"<title>Origin DNS error | lost.example.com | Cloudflare</title>", `<span class="cf-error-code">1016</span>`},
		"nope.example.com": {"<title>DNS resolution error | nope.example.com | Cloudflare</title>", `<span class="cf-error-code">1001</span>`},
	} {
		req, err := http.NewRequest(http.MethodGet, w.edgeURL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Accept", "text/html,*/*")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.Header.Get("Content-Type") != "text/html; charset=UTF-8" || !rayRE.MatchString(resp.Header.Get("Cf-Ray")) {
			t.Errorf("%s: headers %v", host, resp.Header)
		}
		for _, part := range append(want, "Cloudflare Ray ID: <strong>"+resp.Header.Get("Cf-Ray")) {
			if !strings.Contains(string(body), part) {
				t.Errorf("%s: page %q lacks %q", host, body, part)
			}
		}
	}
}
