package ipdetect

import (
	"context"
	"io"
	"net/http"
	"net/netip"
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
	ctx := context.Background()
	fixed := func(txt ...string) func(*dns.Msg) *dns.Msg {
		return func(q *dns.Msg) *dns.Msg { return whoamiReply(q, txt...) }
	}
	lookup := func(t *testing.T, srvURL string, f controller.Family) (netip.Addr, error) {
		t.Helper()
		s, err := ParseSource("cloudflare-doh:" + srvURL + "/dns-query")
		if err != nil {
			t.Fatal(err)
		}
		return s.Lookup(ctx, f)
	}
	t.Run("ipv4", func(t *testing.T) {
		srv := newServer(t, dohHandler(t, fixed("203.0.113.7")))
		got, err := lookup(t, srv.URL, controller.IPv4)
		if err != nil || got != netip.MustParseAddr("203.0.113.7") {
			t.Fatalf("Lookup = %v, %v", got, err)
		}
	})
	t.Run("ipv6", func(t *testing.T) {
		srv := newServer6(t, dohHandler(t, fixed("2001:db8::7")))
		got, err := lookup(t, srv.URL, controller.IPv6)
		if err != nil || got != netip.MustParseAddr("2001:db8::7") {
			t.Fatalf("Lookup = %v, %v", got, err)
		}
	})
	t.Run("servfail", func(t *testing.T) {
		srv := newServer(t, dohHandler(t, func(q *dns.Msg) *dns.Msg {
			r := whoamiReply(q)
			r.Rcode = dns.RcodeServerFailure
			return r
		}))
		_, err := lookup(t, srv.URL, controller.IPv4)
		wantErr(t, err, "cloudflare-doh:"+srv.URL+"/…: DNS answer is SERVFAIL")
	})
	t.Run("no TXT", func(t *testing.T) {
		srv := newServer(t, dohHandler(t, fixed()))
		_, err := lookup(t, srv.URL, controller.IPv4)
		wantErr(t, err, "no TXT record")
	})
	t.Run("html", func(t *testing.T) {
		srv := newServer(t, textHandler(200, "<html>blocked</html>"))
		_, err := lookup(t, srv.URL, controller.IPv4)
		wantErr(t, err, "answer is an HTML page, not a DNS message")
	})
	t.Run("wrong content type", func(t *testing.T) {
		srv := newServer(t, textHandler(200, "203.0.113.7"))
		_, err := lookup(t, srv.URL, controller.IPv4)
		wantErr(t, err, `Content-Type "text/plain"`)
	})
	t.Run("not a DNS message", func(t *testing.T) {
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", dnsMessageType)
			_, _ = w.Write([]byte{0, 0, 0x81})
		}))
		_, err := lookup(t, srv.URL, controller.IPv4)
		wantErr(t, err, "not a DNS message")
	})
	t.Run("status", func(t *testing.T) {
		srv := newServer(t, textHandler(415, ""))
		_, err := lookup(t, srv.URL, controller.IPv4)
		wantErr(t, err, "HTTP 415")
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
