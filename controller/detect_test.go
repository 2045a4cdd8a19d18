package controller

import "testing"

func TestSourceLabel(t *testing.T) {
	for in, want := range map[string]string{
		"cloudflare-trace":                          "cloudflare-trace",
		"iface:eth0":                                "iface:eth0",
		"url:https://ip.example/path?token=x":       "url:https://ip.example",
		"doh:https://user:pw@dns.example/dns-query": "doh:https://dns.example",
		"https://ip.example:8443/x":                 "https://ip.example:8443",
		"url:https://%zz/x":                         "url:[redacted]",
	} {
		if got := SourceLabel(in); got != want {
			t.Errorf("SourceLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
