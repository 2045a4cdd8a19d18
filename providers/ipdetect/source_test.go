package ipdetect

import (
	"testing"

	"github.com/flarewarden/flarewarden/controller"
)

func TestParseSource(t *testing.T) {
	tests := []struct{ spec, err string }{
		{"cloudflare-trace", ""},
		{"cloudflare-trace:https://1.1.1.1/cdn-cgi/trace", ""},
		{"cloudflare-doh", ""},
		{"cloudflare-doh:https://cloudflare-dns.com/dns-query", ""},
		{"dns:1.1.1.1", ""},
		{"dns:[2606:4700:4700::1111]:53", ""},
		{"url:https://ip.example.net/", ""},
		{"url:http://127.0.0.1:8080/ip", ""},
		{"iface:eth0", ""},
		{"static:203.0.113.7", ""},
		{"static:2001:db8::7", ""},
		{"  static:203.0.113.7  ", ""},
		{"foo", `unknown source kind "foo" (want cloudflare-trace, cloudflare-doh, dns, url, iface, static)`},
		{"", `unknown source kind ""`},
		{"URL:https://x", `unknown source kind "URL"`},
		{"cloudflare-trace:", "empty URL"},
		{"cloudflare-trace:ftp://1.1.1.1/", "scheme must be http or https"},
		{"cloudflare-doh:https://", "has no host"},
		{"dns:", "needs a server"},
		{"url:", "needs a URL"},
		{"url:1.1.1.1", "scheme must be http or https"},
		{"url:http://[::1", "invalid URL"},
		{"iface:", "needs an interface name"},
		{"static:", "needs an address"},
		{"static:example.com", `static address "example.com": not an IP address`},
		{"static:203.0.113.7/24", "not an IP address"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := ParseSource(tt.spec)
			wantErr(t, err, tt.err)
			if err == nil && s.Name() == "" {
				t.Fatal("empty name")
			}
		})
	}
}

func TestParseSourceName(t *testing.T) {
	s, err := ParseSource(" url:http://127.0.0.1/ip ")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "url:http://127.0.0.1/ip" {
		t.Fatalf("Name() = %q", s.Name())
	}
}

func TestCheckConfigLiteralFamily(t *testing.T) {
	tests := []struct {
		spec string
		f    controller.Family
		err  string
	}{
		{"url:http://[2001:db8::1]/ip", controller.IPv4, "URL host 2001:db8::1 is not an ipv4 address"},
		{"url:http://203.0.113.1/ip", controller.IPv6, "URL host 203.0.113.1 is not an ipv6 address"},
		{"url:http://ip.example.net/", controller.IPv6, ""},
		{"cloudflare-trace:https://1.1.1.1/cdn-cgi/trace", controller.IPv6, "not an ipv6 address"},
		{"cloudflare-doh:https://[2606:4700:4700::1111]/dns-query", controller.IPv4, "not an ipv4 address"},
		{"cloudflare-trace", controller.IPv6, ""},
		{"dns:2606:4700:4700::1111", controller.IPv6, ""},
	}
	for _, tt := range tests {
		s, err := ParseSource(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.(configChecker).checkConfig(tt.f, false), tt.err)
	}
}
