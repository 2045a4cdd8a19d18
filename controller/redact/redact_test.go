package redact

import "testing"

func TestURLAndLabel(t *testing.T) {
	tests := []struct {
		show func(string) string
		in   string
		want string
	}{
		{URL, "https://hc-ping.com/0b7e-uuid", "https://hc-ping.com/…"},
		{URL, "https://user:pw@hooks.example.net", "https://hooks.example.net/…"},
		{URL, "https://ip.example:8443/x?key=s3cret", "https://ip.example:8443/…"},
		{URL, "https://kuma.example/api/push/k#frag", "https://kuma.example/…"},
		{URL, "https://ip.example/", "https://ip.example"},
		{URL, "https://ip.example", "https://ip.example"},
		{URL, "https://%zz/x", Invalid},
		{URL, "not a url", Invalid},
		{URL, "/relative/path", Invalid},
		{Label, "cloudflare-trace", "cloudflare-trace"},
		{Label, "iface:eth0", "iface:eth0"},
		{Label, "url:https://ip.example/path?token=x", "url:https://ip.example/…"},
		{Label, "doh:https://user:pw@dns.example/dns-query", "doh:https://dns.example/…"},
		{Label, "url:https://ip.example", "url:https://ip.example"},
		{Label, "url:https://%zz/x", "url:" + Invalid},
	}
	for _, tt := range tests {
		if got := tt.show(tt.in); got != tt.want {
			t.Errorf("%q shows as %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		`{"source":"url:https://u:p@ip.example/x?key=s3cret"}`:                                 `{"source":"url:https://ip.example/…"}`,
		`Get "https://ip.example/x?key=s3cret": EOF`:                                           `Get "https://ip.example/…": EOF`,
		"url:https://ip.example=203.0.113.9, dns:x=203.0.113.7":                                "url:https://ip.example=203.0.113.9, dns:x=203.0.113.7",
		"url:https://ip.example/p=203.0.113.9":                                                 "url:https://ip.example/…",
		"sources disagree: url:https://a.example=192.0.2.1; url:https://b.example/k=192.0.2.2": "sources disagree: url:https://a.example=192.0.2.1; url:https://b.example/…",
	} {
		if got := string(Text([]byte(in))); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}
