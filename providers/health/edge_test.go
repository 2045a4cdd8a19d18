package health

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/nettest"
	"github.com/flarewarden/flarewarden/providers/sources/dnstest"
)

// captured is what a test server saw of the last request.
type captured struct {
	mu         sync.Mutex
	host, path string
	sni        string
	header     http.Header
}

// handler records each request, then answers with next.
func (c *captured) handler(next http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.host, c.path, c.header = r.Host, r.URL.RequestURI(), r.Header.Clone()
		if r.TLS != nil {
			c.sni = r.TLS.ServerName
		}
		c.mu.Unlock()
		next.ServeHTTP(w, r)
	}
}

func (c *captured) get() (host, path, sni string, h http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.host, c.path, c.sni, c.header
}

func TestProbeEdgeOK(t *testing.T) {
	var seen captured
	srv := newServer(t, seen.handler(answerHandler(200, cf(), "ok")))
	c := edgeCheck(addrOf(srv))
	c.Headers = map[string]string{"Authorization": "Bearer s3cret", "X-Probe": "1"}
	r := probeOne(t, c, controller.ProbeInput{})
	wantClass(t, r.Edge, controller.ClassOK)
	if r.Check != "app" || r.Host != "app.example.test" || r.Edge.Status != 200 || r.At.IsZero() {
		t.Fatalf("result %+v", r)
	}
	if r.Origin != nil || r.DNS != nil || !r.Healthy() {
		t.Fatalf("origin %v, dns %v, healthy %v", r.Origin, r.DNS, r.Healthy())
	}
	host, path, _, h := seen.get()
	if host != "app.example.test" || path != "/health" {
		t.Fatalf("request to %s%s", host, path)
	}
	if h.Get("Authorization") != "Bearer s3cret" || h.Get("X-Probe") != "1" || h.Get("User-Agent") != userAgent {
		t.Fatalf("headers %v", h)
	}
}

func TestProbeEdgeURLHostIsLowerCase(t *testing.T) {
	srv := newServer(t, answerHandler(200, cf(), "ok"))
	c := edgeCheck(addrOf(srv))
	c.URL = "http://App.Example.TEST/"
	if r := probeOne(t, c, controller.ProbeInput{}); r.Host != "app.example.test" {
		t.Fatalf("host %q", r.Host)
	}
}

func TestProbeEdgeRedirectNotFollowed(t *testing.T) {
	var hits captured
	redirect := answerHandler(301, cf("Location", "http://app.example.test/elsewhere?token=s3cret"), "")
	srv := newServer(t, hits.handler(redirect))
	c := edgeCheck(addrOf(srv))
	r := probeOne(t, c, controller.ProbeInput{})
	wantClass(t, r.Edge, controller.ClassUnexpected)
	wantContains(t, r.Edge.Explanation, "redirect to http://app.example.test/elsewhere")
	if strings.Contains(r.Edge.Explanation, "s3cret") {
		t.Fatalf("explanation leaks the query: %s", r.Edge.Explanation)
	}
	if _, path, _, _ := hits.get(); path != "/health" {
		t.Fatalf("the redirect was followed to %s", path)
	}
	c.ExpectStatus = []int{200, 301}
	wantClass(t, probeOne(t, c, controller.ProbeInput{}).Edge, controller.ClassOK)
}

func TestProbeEdge1016WithCNAME(t *testing.T) {
	dns := dnstest.New(t)
	srv := newServer(t, answerHandler(530, cf(), "error code: 1016"))
	p := newProber(t, Options{DNSServer: dns.Addr, Checks: []Check{edgeCheck(addrOf(srv))}})
	in := controller.ProbeInput{CNAMEs: map[string]string{"App.Example.Test.": "myhome.duckdns.org"}}

	t.Run("target resolves", func(t *testing.T) {
		dns.Set("myhome.duckdns.org", "203.0.113.10")
		r := p.Probe(t.Context(), in)[0]
		wantClass(t, r.Edge, controller.ClassOriginDNSError)
		wantContains(t, r.Edge.Explanation, "error 1016", "the record is a CNAME to myhome.duckdns.org, which did not resolve",
			"for Cloudflare (it resolves from here)")
		wantContains(t, r.Edge.Hint, "unless its takeover_cname is false")
		want := controller.DNSResult{Name: "app.example.test", Target: "myhome.duckdns.org", Resolved: true}
		if r.DNS == nil || *r.DNS != want {
			t.Fatalf("dns %+v, want %+v", r.DNS, want)
		}
		if r.Class() != controller.ClassOriginDNSError {
			t.Fatalf("class %s", r.Class())
		}
	})
	t.Run("target does not resolve", func(t *testing.T) {
		dns.Set("myhome.duckdns.org")
		r := p.Probe(t.Context(), in)[0]
		wantClass(t, r.Edge, controller.ClassOriginDNSError)
		if r.DNS == nil || r.DNS.Resolved || r.DNS.Err == "" {
			t.Fatalf("dns %+v", r.DNS)
		}
		if r.Class() != controller.ClassDDNSTargetDown {
			t.Fatalf("class %s, want %s", r.Class(), controller.ClassDDNSTargetDown)
		}
		if strings.Contains(r.Edge.Explanation, "resolves from here") {
			t.Fatalf("explanation %q", r.Edge.Explanation)
		}
	})
}

// A CNAME target that stops resolving after this host looked it up but
// before the edge answered 1016 is looked up again: ddns_target_down.
func TestProbeEdge1016TargetDiesDuringProbe(t *testing.T) {
	dns := dnstest.New(t)
	dns.Set("myhome.duckdns.org", "203.0.113.10")
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for deadline := time.Now().Add(2 * time.Second); dns.Queries() < 2 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond) // until the A and AAAA lookups are answered
		}
		dns.Set("myhome.duckdns.org")
		answerHandler(530, cf(), "error code: 1016")(w, r)
	}))
	p := newProber(t, Options{DNSServer: dns.Addr, Checks: []Check{edgeCheck(addrOf(srv))}})
	in := controller.ProbeInput{CNAMEs: map[string]string{"app.example.test": "myhome.duckdns.org"}}
	r := p.Probe(t.Context(), in)[0]
	if r.Class() != controller.ClassDDNSTargetDown || r.DNS.Resolved {
		t.Fatalf("class %s, dns %+v: the target was not looked up again after the 1016", r.Class(), r.DNS)
	}
}

func TestProbeEdgeNotCloudflare(t *testing.T) {
	srv := newServer(t, answerHandler(200, hdr("Server", "nginx"), "hello"))
	r := probeOne(t, edgeCheck(addrOf(srv)), controller.ProbeInput{})
	wantClass(t, r.Edge, controller.ClassNotCloudflare)
	if r.Healthy() {
		t.Fatal("healthy without Cloudflare")
	}
}

func TestProbeEdgeRefusedIsNotCloudflare(t *testing.T) {
	c := edgeCheck(nettest.ClosedPort(t))
	c.Headers = map[string]string{"Authorization": "Bearer s3cret"}
	r := probeOne(t, c, controller.ProbeInput{})
	wantClass(t, r.Edge, controller.ClassNotCloudflare)
	wantContains(t, r.Edge.Explanation, "connection refused")
	if strings.Contains(r.Edge.Explanation, "s3cret") {
		t.Fatalf("explanation leaks a header: %s", r.Edge.Explanation)
	}
}

func TestProbeEdgeTimeout(t *testing.T) {
	c := edgeCheck(silentListener(t))
	c.Timeout = 200 * time.Millisecond
	start := time.Now()
	r := probeOne(t, c, controller.ProbeInput{})
	wantClass(t, r.Edge, controller.ClassTimeout)
	wantContains(t, r.Edge.Explanation, "200ms")
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %s", d)
	}
}

func TestProbeEdgeTLSUntrusted(t *testing.T) {
	srv := httptest.NewTLSServer(answerHandler(200, cf(), "ok"))
	t.Cleanup(srv.Close)
	c := edgeCheck(addrOf(srv))
	c.URL = "https://app.example.test/"
	r := probeOne(t, c, controller.ProbeInput{})
	wantClass(t, r.Edge, controller.ClassTLS)
	wantContains(t, r.Edge.Explanation, "x509")
}

func TestProbeEdgeTLSPlainServer(t *testing.T) {
	srv := newServer(t, answerHandler(200, cf(), "ok"))
	c := edgeCheck(addrOf(srv))
	c.URL = "https://app.example.test/"
	wantClass(t, probeOne(t, c, controller.ProbeInput{}).Edge, controller.ClassTLS)
}

func TestProbeEdgeTLSPinnedKeepsSNI(t *testing.T) {
	var seen captured
	srv := httptest.NewTLSServer(seen.handler(answerHandler(200, cf(), "ok")))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	c := edgeCheck(addrOf(srv))
	c.URL = "https://example.com/status" // a name in httptest's certificate
	r := probeOne(t, c, controller.ProbeInput{}, func(p *Prober) { p.edgeRoots = roots })
	wantClass(t, r.Edge, controller.ClassOK)
	if host, path, sni, _ := seen.get(); host != "example.com" || sni != "example.com" || path != "/status" {
		t.Fatalf("host %q, sni %q, path %q", host, sni, path)
	}
}

func TestProbeEdgeDNSInvalid(t *testing.T) {
	c := Check{Name: "app", URL: "https://nowhere.invalid/", Timeout: testTimeout}
	r := probeOne(t, c, controller.ProbeInput{})
	wantClass(t, r.Edge, controller.ClassDNS)
	wantContains(t, r.Edge.Explanation, "nowhere.invalid does not resolve")
}

func TestProbeEdgeDNSResolver(t *testing.T) {
	dns := dnstest.New(t)
	srv := newServer(t, answerHandler(200, cf(), "ok"))
	_, port, _ := strings.Cut(addrOf(srv), ":")
	local := func(p *Prober) { p.hostResolver = newResolver(dns.Addr) }

	c := Check{Name: "app", URL: "http://down.example.test:" + port + "/", Timeout: testTimeout}
	wantClass(t, probeOne(t, c, controller.ProbeInput{}, local).Edge, controller.ClassDNS)

	dns.Set("up.example.test", "127.0.0.1")
	c.URL = "http://up.example.test:" + port + "/"
	wantClass(t, probeOne(t, c, controller.ProbeInput{}, local).Edge, controller.ClassOK)
}
