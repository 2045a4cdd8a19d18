package ipdetect

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/cloudflare/corpus"
	"github.com/miekg/dns"
)

// The real-capture corpus (testdata/cloudflare/trace and whoami) holds
// answers of Cloudflare found in public sources, with their client
// addresses replaced by documentation addresses. Validate accepts those
// (only private, CGNAT, non-unicast and Cloudflare's own addresses are
// refused), so each sample is held to the whole of what detection does
// with an answer: the parser, then Validate with the production policy
// (allow_private off). A sample's expect.ip is the address that survives
// both; expect.error is a substring of the first error either gives.

// Minimum corpus sizes: the tests fail if samples go missing.
const (
	minTraceSamples  = 10
	minWhoamiSamples = 2
)

// documentation are the address ranges reserved for documentation
// (RFC 5737, RFC 3849), the only client addresses a sample may carry.
var documentation = mustPrefixes("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")

// warpEgress is where Cloudflare WARP's IPv4 traffic leaves its network, as
// seen in ip= of warp=on traces (104.28.157.115 in
// v4-cloudflare-com-warp-on-http3-2024). It is not in Cloudflare's
// published ranges, so Validate accepts it: only the warp= check of a
// trace refuses it. A sample may keep such an address, which is
// Cloudflare's, not a user's.
var warpEgress = netip.MustParsePrefix("104.28.0.0/16")

// isDocumentation reports whether addr is in a documentation range.
func isDocumentation(addr netip.Addr) bool {
	for _, p := range documentation {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// corpusFamily returns the family a sample was asked over.
func corpusFamily(t *testing.T, family string) controller.Family {
	t.Helper()
	switch family {
	case "ipv4":
		return controller.IPv4
	case "ipv6":
		return controller.IPv6
	}
	t.Fatalf("family %q is neither ipv4 nor ipv6", family)
	return 0
}

// detected applies production validation to a parser's result, as the
// detector does with every answer.
func detected(addr netip.Addr, err error, f controller.Family) (netip.Addr, error) {
	if err != nil {
		return netip.Addr{}, err
	}
	if err := Validate(addr, f, false); err != nil {
		return netip.Addr{}, err
	}
	return addr, nil
}

// checkExpect fails unless the outcome is the one the sample expects.
func checkExpect(t *testing.T, got netip.Addr, err error, want corpus.Detect) {
	t.Helper()
	if want.Error != "" {
		wantErr(t, err, want.Error)
		if got.IsValid() {
			t.Fatalf("error %v with address %v", err, got)
		}
		return
	}
	wantErr(t, err, "")
	if got != netip.MustParseAddr(want.IP) {
		t.Fatalf("detected %v, sample expects %s", got, want.IP)
	}
}

// checkSample checks what every sample must state: a known family and
// exactly one expectation; an expected address must be a documentation
// address of that family (no real client address in the corpus).
func checkSample(t *testing.T, name string, p corpus.Provenance, family string, want corpus.Detect) controller.Family {
	t.Helper()
	if p.Source == "" || p.Date == "" || p.Notes == "" {
		t.Fatalf("%s: source, date and notes are required", name)
	}
	f := corpusFamily(t, family)
	if (want.IP == "") == (want.Error == "") {
		t.Fatalf("%s: expect needs exactly one of ip and error, got %+v", name, want)
	}
	if want.IP != "" {
		addr, err := netip.ParseAddr(want.IP)
		if err != nil || !f.Matches(addr) || !isDocumentation(addr) {
			t.Fatalf("%s: expect.ip %q is not a documentation %s address (%v)", name, want.IP, f, err)
		}
	}
	return f
}

// checkBodyAddresses fails if a trace body's ip= holds an address that is
// neither a documentation address nor one of Cloudflare's (published, or
// its WARP egress): no real client address may enter the corpus.
func checkBodyAddresses(t *testing.T, name, body string) {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "ip=")
		if !ok {
			continue
		}
		addr, err := netip.ParseAddr(v)
		if err != nil {
			continue
		}
		if _, cf := cloudflareRange(addr); !cf && !warpEgress.Contains(addr) && !isDocumentation(addr) {
			t.Errorf("%s: ip=%s is neither a documentation address nor Cloudflare's: replace it", name, v)
		}
	}
}

func loadTraces(t testing.TB) []corpus.Trace {
	t.Helper()
	return loadCorpus(t, "trace", corpus.LoadTrace, minTraceSamples)
}

// loadCorpus loads the samples of one kind with load and fails unless
// there are at least minSamples of them.
func loadCorpus[S any](t testing.TB, kind string, load func() ([]S, error), minSamples int) []S {
	t.Helper()
	samples, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) < minSamples {
		t.Fatalf("%d %s samples, want at least %d", len(samples), kind, minSamples)
	}
	return samples
}

// TestCorpusTrace holds ParseTrace, then Validate, to every real trace
// body, with the sample's host as the host asked.
func TestCorpusTrace(t *testing.T) {
	families := map[controller.Family]int{}
	for _, s := range loadTraces(t) {
		t.Run(s.Name, func(t *testing.T) {
			f := checkSample(t, s.Name, s.Provenance, s.Family, s.Expect)
			families[f]++
			if s.Host == "" {
				t.Fatal("host is required")
			}
			checkBodyAddresses(t, s.Name, s.Body)
			addr, err := ParseTrace([]byte(s.Body), s.Host)
			got, err := detected(addr, err, f)
			checkExpect(t, got, err, s.Expect)
			if s.Expect.IP != "" {
				checkReturnedAddr(t, got)
			}
		})
	}
	if families[controller.IPv4] == 0 || families[controller.IPv6] == 0 {
		t.Errorf("the trace corpus needs samples of both families, has %v", families)
	}
}

// TestCorpusTraceLookup serves every real trace body from a loopback TLS
// server to a cloudflare-trace source configured with
// https://HOST/cdn-cgi/trace, HOST being the sample's host: the source
// must address the request to that host (the Host header the real edge
// echoes in h=) and reach the sample's outcome through the whole lookup.
func TestCorpusTraceLookup(t *testing.T) {
	for _, s := range loadTraces(t) {
		t.Run(s.Name, func(t *testing.T) {
			f := corpusFamily(t, s.Family)
			srv := newLoopbackServer(t, f, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Host != s.Host || r.URL.Path != "/cdn-cgi/trace" {
					t.Errorf("request for Host %q path %q, want %q /cdn-cgi/trace", r.Host, r.URL.Path, s.Host)
				}
				w.Header().Set("Content-Type", "text/plain")
				_, _ = w.Write([]byte(s.Body))
			}), true)
			src, err := parseSource("cloudflare-trace:https://"+s.Host+"/cdn-cgi/trace", outbound{rt: loopbackTLS(t, srv, s.Host)})
			if err != nil {
				t.Fatal(err)
			}
			addr, err := src.Lookup(context.Background(), f)
			got, err := detected(addr, err, f)
			checkExpect(t, got, err, s.Expect)
		})
	}
}

// loopbackTLS returns transports that send every connection to srv
// (after checking it is for host on port 443) and verify srv's test
// certificate, whose names include example.com.
func loopbackTLS(t *testing.T, srv *httptest.Server, host string) transportFunc {
	t.Helper()
	base, ok := srv.Client().Transport.(*http.Transport)
	if !ok {
		t.Fatalf("test server transport is %T", srv.Client().Transport)
	}
	tr := base.Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: base.TLSClientConfig.RootCAs, ServerName: "example.com", MinVersion: tls.VersionTLS12}
	want := net.JoinHostPort(strings.Trim(host, "[]"), "443")
	tr.DialContext = func(ctx context.Context, _, addr string) (net.Conn, error) {
		if addr != want {
			t.Errorf("dialled %s, want %s", addr, want)
		}
		var d net.Dialer
		return d.DialContext(ctx, "tcp", srv.Listener.Addr().String())
	}
	return func(controller.Family) http.RoundTripper { return tr }
}

// corpusReply answers q with one CH TXT record for whoamiName per record
// of txt, each holding that record's strings.
func corpusReply(q *dns.Msg, txt [][]string) *dns.Msg {
	r := new(dns.Msg)
	r.SetReply(q)
	for _, strs := range txt {
		r.Answer = append(r.Answer, &dns.TXT{
			Hdr: dns.RR_Header{Name: whoamiName, Rrtype: dns.TypeTXT, Class: dns.ClassCHAOS},
			Txt: strs,
		})
	}
	return r
}

// TestCorpusWhoami holds parseWhoami, then Validate, to every real
// whoami answer, parsed directly, asked over plain DNS from a loopback
// server and asked over DNS-over-HTTPS from a loopback server.
func TestCorpusWhoami(t *testing.T) {
	ctx := context.Background()
	for _, s := range loadCorpus(t, "whoami", corpus.LoadWhoami, minWhoamiSamples) {
		t.Run(s.Name, func(t *testing.T) {
			f := checkSample(t, s.Name, s.Provenance, s.Family, s.Expect)
			if len(s.TXT) == 0 {
				t.Fatal("txt is required")
			}
			answer := func(q *dns.Msg) *dns.Msg { return corpusReply(q, s.TXT) }
			t.Run("parse", func(t *testing.T) {
				q := whoamiQuery(42)
				addr, err := parseWhoami(answer(q), q)
				got, err := detected(addr, err, f)
				checkExpect(t, got, err, s.Expect)
			})
			t.Run("dns", func(t *testing.T) {
				pc := listenUDP(t, familyNetwork("udp", f))
				serveDNS(t, &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
					if !isWhoamiQuery(q) {
						t.Errorf("not a whoami query: %v", q)
					}
					_ = w.WriteMsg(answer(q))
				})})
				src, err := ParseSource("dns:" + pc.LocalAddr().String())
				if err != nil {
					t.Fatal(err)
				}
				addr, err := src.Lookup(ctx, f)
				got, err := detected(addr, err, f)
				checkExpect(t, got, err, s.Expect)
			})
			t.Run("doh", func(t *testing.T) {
				srv := newLoopbackServer(t, f, dohHandler(t, answer), false)
				src, err := ParseSource("cloudflare-doh:" + srv.URL + "/dns-query")
				if err != nil {
					t.Fatal(err)
				}
				addr, err := src.Lookup(ctx, f)
				got, err := detected(addr, err, f)
				checkExpect(t, got, err, s.Expect)
			})
		})
	}
}
