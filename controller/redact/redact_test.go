package redact

import "testing"

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://hc-ping.com/0b7e-uuid":        "https://hc-ping.com/…",
		"https://user:pw@hooks.example.net":    "https://hooks.example.net/…",
		"https://ip.example:8443/x?key=s3cret": "https://ip.example:8443/…",
		"https://kuma.example/api/push/k#frag": "https://kuma.example/…",
		"https://ip.example/":                  "https://ip.example",
		"https://ip.example":                   "https://ip.example",
		"https://%zz/x":                        Invalid,
		"not a url":                            Invalid,
		"/relative/path":                       Invalid,
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{
		"cloudflare-trace":                          "cloudflare-trace",
		"iface:eth0":                                "iface:eth0",
		"url:https://ip.example/path?token=x":       "url:https://ip.example/…",
		"doh:https://user:pw@dns.example/dns-query": "doh:https://dns.example/…",
		"url:https://ip.example":                    "url:https://ip.example",
		"url:https://%zz/x":                         "url:" + Invalid,
	} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
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
