package ipdetect

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

const sampleTrace = "fl=123f45\nh=1.1.1.1\nip=203.0.113.7\nts=1700000000.123\nvisit_scheme=https\n" +
	"uag=flarewarden\ncolo=AMS\nsliver=none\nhttp=http/2\nloc=NL\ntls=TLSv1.3\nsni=off\nwarp=off\ngateway=off\nrbi=off\nkex=X25519\n"

func TestParseTrace(t *testing.T) {
	tests := []struct {
		name, body, host string
		want             string // address, or "" on error
		err              string
	}{
		{"ok", sampleTrace, "1.1.1.1", "203.0.113.7", ""},
		{"ok crlf", "h=1.1.1.1\r\nip=203.0.113.7\r\nwarp=off\r\n", "1.1.1.1", "203.0.113.7", ""},
		{"ok no warp line", "h=1.1.1.1\nip=203.0.113.7\n", "1.1.1.1", "203.0.113.7", ""},
		{"ok v6 bracketed h", "h=[2606:4700:4700::1111]\nip=2001:db8::7\n", "[2606:4700:4700::1111]", "2001:db8::7", ""},
		{"ok v6 bare h", "h=2606:4700:4700::1111\nip=2001:db8::7\n", "[2606:4700:4700::1111]", "2001:db8::7", ""},
		{"ok host with port", "h=127.0.0.1:8080\nip=203.0.113.7\n", "127.0.0.1:8080", "203.0.113.7", ""},
		{"ok host case", "h=Trace.Example.NET\nip=203.0.113.7\n", "trace.example.net", "203.0.113.7", ""},
		{"missing ip", "h=1.1.1.1\nwarp=off\n", "1.1.1.1", "", "no ip= line"},
		{"empty", "", "1.1.1.1", "", "no ip= line"},
		{"warp on", "h=1.1.1.1\nip=203.0.113.7\nwarp=on\n", "1.1.1.1", "", "warp=on"},
		{"warp plus", "h=1.1.1.1\nip=203.0.113.7\nwarp=plus\n", "1.1.1.1", "", "warp=plus"},
		{"wrong h", "h=one.one.one.one\nip=203.0.113.7\n", "1.1.1.1", "", `trace is for host "one.one.one.one", not "1.1.1.1"`},
		{"wrong port", "h=127.0.0.1:8080\nip=203.0.113.7\n", "127.0.0.1:9090", "", "not"},
		{"missing h", "ip=203.0.113.7\n", "1.1.1.1", "", "no h= line"},
		{"empty h", "h=\nip=203.0.113.7\n", "", "", "trace is for host"},
		{"garbage", "hello world\n", "1.1.1.1", "", "not key=value"},
		{"binary", "\x00\x01\x02=\xff", "1.1.1.1", "", "no ip= line"},
		{"html", "<!DOCTYPE html><html><body>ip=203.0.113.7</body></html>", "1.1.1.1", "", "HTML page"},
		{"bad ip", "h=1.1.1.1\nip=203.0.113.999\n", "1.1.1.1", "", `ip="203.0.113.999": not an IP address`},
		{"zone", "h=1.1.1.1\nip=fe80::1%eth0\n", "1.1.1.1", "", "zone"},
		{"duplicate ip", "h=1.1.1.1\nip=203.0.113.7\nip=198.51.100.9\n", "1.1.1.1", "", `"ip" appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTrace([]byte(tt.body), tt.host)
			wantErr(t, err, tt.err)
			if tt.err == "" && got != netip.MustParseAddr(tt.want) {
				t.Fatalf("got %v, want %s", got, tt.want)
			}
			if tt.err != "" && got.IsValid() {
				t.Fatalf("error %v but address %v", err, got)
			}
		})
	}
}

func TestRequestHost(t *testing.T) {
	tests := map[string]string{
		"https://1.1.1.1/cdn-cgi/trace":                "1.1.1.1",
		"https://1.1.1.1:443/cdn-cgi/trace":            "1.1.1.1",
		"https://[2606:4700:4700::1111]/cdn-cgi/trace": "[2606:4700:4700::1111]",
		"http://127.0.0.1:8080/x":                      "127.0.0.1:8080",
		"http://[::1]:8080/x":                          "[::1]:8080",
		"https://example.net:80/":                      "example.net:80",
		"http://example.net:80/":                       "example.net",
	}
	for raw, want := range tests {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := requestHost(u); got != want {
			t.Errorf("requestHost(%s) = %q, want %q", raw, got, want)
		}
	}
}

func TestTraceDefaults(t *testing.T) {
	s, err := ParseSource("cloudflare-trace")
	if err != nil {
		t.Fatal(err)
	}
	ts := s.(*traceSource)
	if got := ts.target(controller.IPv4).String(); got != defaultTraceV4 {
		t.Errorf("v4 target %s", got)
	}
	if got := ts.target(controller.IPv6).String(); got != defaultTraceV6 {
		t.Errorf("v6 target %s", got)
	}
	if got := requestHost(ts.target(controller.IPv6)); got != "[2606:4700:4700::1111]" {
		t.Errorf("v6 host %s", got)
	}
}

// traceHandler answers a trace for the host it was asked, with ip and the
// client's family recorded in extra lines, after checking the request.
func traceHandler(t *testing.T, ip string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/cdn-cgi/trace" || r.UserAgent() != "flarewarden" {
			t.Errorf("unexpected request %s %s UA %q", r.Method, r.URL.Path, r.UserAgent())
		}
		fmt.Fprintf(w, "fl=1\nh=%s\nip=%s\nwarp=off\n", r.Host, ip)
	}
}

func TestTraceSource(t *testing.T) {
	answer := func(ip string) func(*testing.T) http.Handler {
		return func(t *testing.T) http.Handler { return traceHandler(t, ip) }
	}
	testSourceCases(t, "cloudflare-trace", "/cdn-cgi/trace", []sourceCase{
		{name: "ipv4", family: controller.IPv4, handler: answer("203.0.113.7"), addr: "203.0.113.7"},
		{name: "ipv6", family: controller.IPv6, handler: answer("2001:db8::7"), addr: "2001:db8::7"},
		{name: "other host answered", family: controller.IPv4, handler: anyTest(textHandler(200, "h=1.1.1.1\nip=203.0.113.7\n")),
			err: `trace is for host "1.1.1.1"`},
		{name: "status", family: controller.IPv4, handler: anyTest(textHandler(503, "busy")), err: "HTTP 503"},
		{name: "redirect not followed", family: controller.IPv4,
			handler: anyTest(http.RedirectHandler("http://203.0.113.1/cdn-cgi/trace", http.StatusFound)),
			err:     "HTTP 302 redirect to http://203.0.113.1 (not followed)"},
		{name: "relative redirect with a secret", family: controller.IPv4,
			handler: anyTest(http.RedirectHandler("/login?token=s3cret", http.StatusFound)),
			err:     "HTTP 302 redirect to a path of the same host (not followed)", hidden: "s3cret"},
	})
}

// sourceCase is one lookup by an HTTP source (TestTraceSource,
// TestDoHSource) of a test server on loopback.
type sourceCase struct {
	name    string
	family  controller.Family
	handler func(*testing.T) http.Handler
	addr    string // the address detected, or "" on error
	err     string // what follows "KIND:URL/…: " in the error
	hidden  string // with err, what the error must not show
}

// anyTest is a sourceCase handler that serves h in every test.
func anyTest(h http.Handler) func(*testing.T) http.Handler {
	return func(*testing.T) http.Handler { return h }
}

// testSourceCases runs every case in a subtest: it serves the case's
// handler on the loopback address of its family and looks it up with the
// source KIND:URL+path.
func testSourceCases(t *testing.T, kind, path string, cases []sourceCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			srv := newLoopbackServer(t, tt.family, tt.handler(t), false)
			s, err := ParseSource(kind + ":" + srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Lookup(context.Background(), tt.family)
			if tt.err != "" {
				wantErr(t, err, kind+":"+srv.URL+"/…: "+tt.err)
				if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
					t.Fatalf("error %q shows %q", err, tt.hidden)
				}
				return
			}
			if err != nil || got != netip.MustParseAddr(tt.addr) {
				t.Fatalf("Lookup = %v, %v", got, err)
			}
		})
	}
}
