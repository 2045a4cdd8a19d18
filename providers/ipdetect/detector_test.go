package ipdetect

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/redact"
)

func TestNewErrors(t *testing.T) {
	on := func(quorum int, sources ...string) FamilyConfig {
		return FamilyConfig{Enabled: true, Sources: sources, Quorum: quorum}
	}
	tests := []struct {
		name string
		cfg  Config
		err  string // "" means valid
	}{
		{"minimal", Config{V4: on(1, "static:203.0.113.7")}, ""},
		{"both families", Config{V4: on(2, "cloudflare-trace", "cloudflare-doh"), V6: on(1, "cloudflare-trace", "dns:2606:4700:4700::1111")}, ""},
		{"nothing enabled", Config{}, ""},
		{"disabled family is not checked", Config{V6: FamilyConfig{Sources: []string{"foo"}, Quorum: 9}}, ""},
		{"unknown kind", Config{V4: on(1, "static:203.0.113.7", "foo")},
			`ipv4.sources[1]: unknown source kind "foo" (want cloudflare-trace, cloudflare-doh, dns, url, iface, static)`},
		{"quorum too high", Config{V6: on(3, "cloudflare-trace", "cloudflare-doh")}, "ipv6.quorum: 3 is more than the 2 sources"},
		{"quorum zero", Config{V4: on(0, "cloudflare-trace")}, "ipv4.quorum: 0 is less than 1"},
		{"no sources", Config{V4: on(1)}, "ipv4.sources: an enabled family needs at least one source"},
		{"static wrong family", Config{V6: on(1, "static:10.0.0.1")}, "ipv6.sources[0]: static address 10.0.0.1 is not ipv6"},
		{"static private", Config{V4: on(1, "static:10.0.0.1")}, "ipv4.sources[0]: static address: 10.0.0.1 is a private address"},
		{"url literal of other family", Config{V4: on(1, "url:http://[2001:db8::1]/ip")}, "ipv4.sources[0]: URL host 2001:db8::1 is not an ipv4 address"},
		{"duplicate", Config{V4: on(1, "cloudflare-trace", "cloudflare-doh", "cloudflare-trace")},
			`ipv4.sources[2]: "cloudflare-trace" is already sources[0]`},
		{"duplicate up to whitespace", Config{V4: on(1, "static:203.0.113.7", " static:203.0.113.7 ")},
			`ipv4.sources[1]: "static:203.0.113.7" is already sources[0]`},
		{"negative timeout", Config{V4: on(1, "cloudflare-trace"), Timeout: -time.Second}, "timeout: -1s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(tt.cfg)
			wantBuilt(t, d, err, tt.err)
		})
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New(Config{
		V4: FamilyConfig{Enabled: true, Sources: []string{"foo", "static:"}, Quorum: 3},
		V6: FamilyConfig{Enabled: true, Quorum: 1},
	})
	for _, want := range []string{"ipv4.sources[0]", "ipv4.sources[1]", "ipv4.quorum: 3 is more than the 2 sources", "ipv6.sources:", "ipv6.quorum"} {
		wantErr(t, err, want)
	}
}

// detect builds a detector for ipv4 only and runs it.
func detect(t *testing.T, fc FamilyConfig, timeout time.Duration) controller.FamilyResult {
	t.Helper()
	fc.Enabled = true
	d, err := New(Config{V4: fc, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	det := d.Detect(context.Background())
	if det.V6.State != controller.StateDisabled || det.V6.Answers != nil {
		t.Fatalf("disabled ipv6 = %+v", det.V6)
	}
	return det.V4
}

// wantKnown fails unless r is known with addr.
func wantKnown(t *testing.T, r controller.FamilyResult, addr string) {
	t.Helper()
	if r.State != controller.StateKnown || r.Addr != netip.MustParseAddr(addr) || r.Reason != "" {
		t.Fatalf("result %+v, want known %s", r, addr)
	}
}

// wantUnknown fails unless r is unknown with a reason containing want.
func wantUnknown(t *testing.T, r controller.FamilyResult, want string) {
	t.Helper()
	if r.State != controller.StateUnknown || r.Addr.IsValid() || !strings.Contains(r.Reason, want) {
		t.Fatalf("result %+v, want unknown with reason containing %q", r, want)
	}
}

func TestDetectAgree(t *testing.T) {
	srv := newServer(t, textHandler(200, "203.0.113.7\n"))
	u := "url:" + srv.URL + "/ip"
	r := detect(t, FamilyConfig{Sources: []string{"static:203.0.113.7", u, "static:198.51.100.9"}, Quorum: 2}, 0)
	wantKnown(t, r, "203.0.113.7")
	if r.Family != controller.IPv4 || r.Quorum != 2 || len(r.Answers) != 3 {
		t.Fatalf("result %+v", r)
	}
	for i, want := range []string{"static:203.0.113.7", "url:" + srv.URL + "/…", "static:198.51.100.9"} { // a URL without its path
		if r.Answers[i].Source != want || r.Answers[i].Err != "" {
			t.Errorf("answer %d = %+v, want source %s", i, r.Answers[i], want)
		}
	}
	if r.Answers[2].Addr != netip.MustParseAddr("198.51.100.9") {
		t.Errorf("dissenting answer lost: %+v", r.Answers[2])
	}
}

func TestDetectDisagree(t *testing.T) {
	srv := newServer(t, textHandler(200, "198.51.100.9"))
	u := "url:" + srv.URL + "/ip"
	r := detect(t, FamilyConfig{Sources: []string{"static:203.0.113.7", u}, Quorum: 2}, 0)
	if r.Reason != "sources disagree: static:203.0.113.7=203.0.113.7, "+redact.Label(u)+"=198.51.100.9" {
		t.Fatalf("reason %q", r.Reason)
	}
}

func TestDetectTooFew(t *testing.T) {
	srv := newServer(t, textHandler(503, ""))
	u := "url:" + srv.URL + "/ip"
	r := detect(t, FamilyConfig{Sources: []string{u, "static:203.0.113.7", "iface:nosuchif0"}, Quorum: 2}, 0)
	wantUnknown(t, r, "1 of 3 sources answered, quorum is 2: "+redact.Label(u)+": HTTP 503, static:203.0.113.7=203.0.113.7, iface:nosuchif0: ")
}

func TestDetectTieIsUnknown(t *testing.T) {
	a := newServer(t, textHandler(200, "203.0.113.7"))
	b := newServer(t, textHandler(200, "198.51.100.9"))
	r := detect(t, FamilyConfig{Sources: []string{
		"static:203.0.113.7", "static:198.51.100.9", "url:" + a.URL, "url:" + b.URL,
	}, Quorum: 2}, 0)
	wantUnknown(t, r, "sources disagree: ")
}

func TestDetectTimeout(t *testing.T) {
	slow := "url:" + newServer(t, http.HandlerFunc(blockingHandler)).URL + "/slow"
	fast := "url:" + newServer(t, textHandler(200, "203.0.113.7")).URL + "/ip"
	fc := FamilyConfig{Sources: []string{"static:203.0.113.7", slow, fast}, Quorum: 2}
	start := time.Now()
	r := detect(t, fc, 150*time.Millisecond)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Detect took %s with a 150ms timeout", d)
	}
	wantKnown(t, r, "203.0.113.7")
	if r.Answers[1].Err != redact.Label(slow)+": no answer within 150ms" || r.Answers[1].Addr.IsValid() {
		t.Fatalf("slow answer %+v", r.Answers[1])
	}

	fc.Quorum = 3
	r = detect(t, fc, 150*time.Millisecond)
	wantUnknown(t, r, "2 of 3 sources answered, quorum is 3: ")
	wantUnknown(t, r, redact.Label(slow)+": no answer within 150ms")
}

func TestDetectRejectsHTMLWhileOthersAgree(t *testing.T) {
	h := "url:" + newServer(t, textHandler(200, "<!DOCTYPE html><html><body>Login</body></html>")).URL + "/ip"
	ok := "url:" + newServer(t, textHandler(200, "203.0.113.7")).URL + "/ip"
	r := detect(t, FamilyConfig{Sources: []string{h, "static:203.0.113.7", ok}, Quorum: 2}, 0)
	wantKnown(t, r, "203.0.113.7")
	if r.Answers[0].Err != redact.Label(h)+": answer is an HTML page, not an address" || r.Answers[0].Addr.IsValid() {
		t.Fatalf("html answer %+v", r.Answers[0])
	}
}

func TestDetectValidates(t *testing.T) {
	srv := newServer(t, textHandler(200, "10.1.2.3"))
	u := "url:" + srv.URL + "/ip"
	r := detect(t, FamilyConfig{Sources: []string{u}, Quorum: 1}, 0)
	wantUnknown(t, r, redact.Label(u)+": 10.1.2.3 is a private address")
	if r.Answers[0].Addr.IsValid() {
		t.Fatalf("rejected answer keeps its address: %+v", r.Answers[0])
	}
	r = detect(t, FamilyConfig{Sources: []string{u}, Quorum: 1, AllowPrivate: true}, 0)
	wantKnown(t, r, "10.1.2.3")

	cf := newServer(t, textHandler(200, "104.16.1.1"))
	r = detect(t, FamilyConfig{Sources: []string{"url:" + cf.URL}, Quorum: 1, AllowPrivate: true}, 0)
	wantUnknown(t, r, "Cloudflare's range")
}

func TestDetectLoopbackIface(t *testing.T) {
	lo := loopbackName(t)
	r := detect(t, FamilyConfig{Sources: []string{"iface:" + lo}, Quorum: 1}, 0)
	wantUnknown(t, r, "iface:"+lo+": 127.0.0.1 is a loopback address")
	r = detect(t, FamilyConfig{Sources: []string{"iface:" + lo}, Quorum: 1, AllowPrivate: true}, 0)
	wantKnown(t, r, "127.0.0.1")
}

func TestDetectCanceled(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(blockingHandler))
	d, err := New(Config{V4: FamilyConfig{Enabled: true, Sources: []string{"url:" + srv.URL}, Quorum: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	r := d.Detect(ctx).V4
	wantUnknown(t, r, "detection stopped: context canceled")
}

// countingTransport counts the requests of one family.
type countingTransport struct {
	f     controller.Family
	inner http.RoundTripper
	seen  map[controller.Family]*atomic.Int32
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.seen[c.f].Add(1)
	return c.inner.RoundTrip(r)
}

func TestWithHTTPTransport(t *testing.T) {
	v4 := newServer(t, textHandler(200, "203.0.113.7"))
	v6 := newServer6(t, textHandler(200, "2001:db8::7"))
	seen := map[controller.Family]*atomic.Int32{controller.IPv4: {}, controller.IPv6: {}}
	calls := 0
	opt := WithHTTPTransport(func(f controller.Family) http.RoundTripper {
		calls++
		return countingTransport{f: f, inner: &http.Transport{}, seen: seen}
	})
	cfg := Config{
		V4: FamilyConfig{Enabled: true, Sources: []string{"url:" + v4.URL}, Quorum: 1},
		V6: FamilyConfig{Enabled: true, Sources: []string{"url:" + v6.URL, "static:2001:db8::7"}, Quorum: 2},
	}
	d, err := New(cfg, opt, WithHTTPTransport(nil))
	if err != nil {
		t.Fatal(err)
	}
	det := d.Detect(context.Background())
	wantKnown(t, det.V4, "203.0.113.7")
	wantKnown(t, det.V6, "2001:db8::7")
	if calls != 2 || seen[controller.IPv4].Load() != 1 || seen[controller.IPv6].Load() != 1 {
		t.Fatalf("factory calls %d, requests v4 %d v6 %d", calls, seen[controller.IPv4].Load(), seen[controller.IPv6].Load())
	}
}
