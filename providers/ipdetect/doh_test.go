package ipdetect

import (
	"io"
	"net/http"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/miekg/dns"
)

// dohHandler decodes a real DNS-over-HTTPS query and answers it with
// answer(query); it reports malformed requests as test errors.
func dohHandler(t *testing.T, answer func(*dns.Msg) *dns.Msg) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != dnsMessageType ||
			r.Header.Get("Accept") != dnsMessageType || r.UserAgent() != "flarewarden" {
			t.Errorf("bad DoH request: %s CT %q Accept %q UA %q", r.Method,
				r.Header.Get("Content-Type"), r.Header.Get("Accept"), r.UserAgent())
		}
		body, _ := io.ReadAll(r.Body)
		q := new(dns.Msg)
		if err := q.Unpack(body); err != nil || !isWhoamiQuery(q) {
			t.Errorf("bad DoH query (%v): %v", err, q)
			http.Error(w, "bad query", http.StatusBadRequest)
			return
		}
		packed, err := answer(q).Pack()
		if err != nil {
			t.Errorf("pack: %v", err)
		}
		w.Header().Set("Content-Type", dnsMessageType)
		_, _ = w.Write(packed)
	}
}

func TestDoHSource(t *testing.T) {
	fixed := func(txt ...string) func(*testing.T) http.Handler {
		return func(t *testing.T) http.Handler {
			return dohHandler(t, func(q *dns.Msg) *dns.Msg { return whoamiReply(q, txt...) })
		}
	}
	testSourceCases(t, "cloudflare-doh", "/dns-query", []sourceCase{
		{name: "ipv4", family: controller.IPv4, handler: fixed("203.0.113.7"), addr: "203.0.113.7"},
		{name: "ipv6", family: controller.IPv6, handler: fixed("2001:db8::7"), addr: "2001:db8::7"},
		{name: "servfail", family: controller.IPv4, handler: func(t *testing.T) http.Handler {
			return dohHandler(t, func(q *dns.Msg) *dns.Msg {
				r := whoamiReply(q)
				r.Rcode = dns.RcodeServerFailure
				return r
			})
		}, err: "DNS answer is SERVFAIL"},
		{name: "no TXT", family: controller.IPv4, handler: fixed(), err: "no TXT record"},
		{name: "html", family: controller.IPv4, handler: anyTest(textHandler(200, "<html>blocked</html>")),
			err: "answer is an HTML page, not a DNS message"},
		{name: "wrong content type", family: controller.IPv4, handler: anyTest(textHandler(200, "203.0.113.7")),
			err: `answer has Content-Type "text/plain"`},
		{name: "not a DNS message", family: controller.IPv4, handler: anyTest(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", dnsMessageType)
			_, _ = w.Write([]byte{0, 0, 0x81})
		})), err: "answer is not a DNS message"},
		{name: "status", family: controller.IPv4, handler: anyTest(textHandler(415, "")), err: "HTTP 415"},
	})
}

func TestDoHDefaults(t *testing.T) {
	s, err := ParseSource("cloudflare-doh")
	if err != nil {
		t.Fatal(err)
	}
	ds := s.(*dohSource)
	if ds.target(controller.IPv4).String() != "https://1.1.1.1/dns-query" ||
		ds.target(controller.IPv6).String() != "https://[2606:4700:4700::1111]/dns-query" {
		t.Fatalf("defaults %s %s", ds.target(controller.IPv4).String(), ds.target(controller.IPv6).String())
	}
}
