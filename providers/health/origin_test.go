package health

import (
	"net"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/nettest"
)

// originCheck is a check whose edge answers ok and whose origin is probed
// at addr.
func originCheck(t *testing.T, addr string, tls bool) Check {
	t.Helper()
	edge := newServer(t, answerHandler(200, cf(), "ok"))
	c := edgeCheck(addrOf(edge))
	c.Origin = &OriginCheck{TLS: tls, Address: addr}
	return c
}

// known is a detection of addr.
func known(addr string) controller.FamilyResult {
	return controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr(addr)}
}

// wantOrigin fails unless the origin result has outcome want at addr.
func wantOrigin(t *testing.T, r controller.CheckResult, want, addr string) *controller.OriginResult {
	t.Helper()
	o := r.Origin
	if o == nil {
		t.Fatal("no origin result")
	}
	if o.Outcome != want || o.Address != addr || o.Explanation == "" {
		t.Fatalf("origin %+v, want outcome %q at %s", *o, want, addr)
	}
	t.Logf("origin %s: %s", o.Outcome, o.Explanation)
	return o
}

func TestOriginOKAtDetectedAddress(t *testing.T) {
	var seen captured
	srv := newServer(t, seen.handler(answerHandler(200, nil, "hi")))
	addr := netip.MustParseAddrPort(addrOf(srv))
	c := originCheck(t, "", false)
	c.Origin.Port = int(addr.Port())
	in := controller.ProbeInput{Detection: controller.Detection{V4: known("127.0.0.1"), V6: known("::1")}}
	r := probeOne(t, c, in)
	o := wantOrigin(t, r, controller.OriginOK, addr.String())
	if o.Status != 200 {
		t.Fatalf("status %d", o.Status)
	}
	if host, path, _, _ := seen.get(); host != "app.example.test" || path != "/health" {
		t.Fatalf("origin saw %s%s", host, path)
	}
}

func TestOriginIPv6WhenIPv4Unknown(t *testing.T) {
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	srv := httptest.NewUnstartedServer(answerHandler(200, nil, "hi"))
	_ = srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	port := int(netip.MustParseAddrPort(addrOf(srv)).Port())
	c := originCheck(t, "", false)
	c.Origin.Port = port
	in := controller.ProbeInput{Detection: controller.Detection{
		V4: controller.FamilyResult{State: controller.StateUnknown}, V6: known("::1")}}
	wantOrigin(t, probeOne(t, c, in), controller.OriginOK, "[::1]:"+strconv.Itoa(port))
}

func TestOriginSkipped(t *testing.T) {
	c := originCheck(t, "", false)
	in := controller.ProbeInput{Detection: controller.Detection{
		V4: controller.FamilyResult{State: controller.StateUnknown, Addr: netip.MustParseAddr("127.0.0.1")},
		V6: controller.FamilyResult{State: controller.StateDisabled}}}
	o := wantOrigin(t, probeOne(t, c, in), controller.OriginSkipped, "")
	if o.Explanation != "no public address detected" {
		t.Fatalf("explanation %q", o.Explanation)
	}
}

func TestOriginRefused(t *testing.T) {
	addr := nettest.ClosedPort(t)
	o := wantOrigin(t, probeOne(t, originCheck(t, addr, false), controller.ProbeInput{}), controller.OriginRefused, addr)
	wantContains(t, o.Explanation, "refused")
}

func TestOriginReset(t *testing.T) {
	addr := resetListener(t)
	o := wantOrigin(t, probeOne(t, originCheck(t, addr, false), controller.ProbeInput{}), controller.OriginReset, addr)
	wantContains(t, o.Explanation, "right after the request", "IPS or firewall")
}

func TestOriginTimeout(t *testing.T) {
	addr := silentListener(t)
	c := originCheck(t, addr, false)
	c.Timeout = 200 * time.Millisecond
	start := time.Now()
	wantOrigin(t, probeOne(t, c, controller.ProbeInput{}), controller.OriginTimeout, addr)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %s", d)
	}
}

func TestOriginStatus(t *testing.T) {
	srv := newServer(t, answerHandler(503, nil, "down for maintenance"))
	o := wantOrigin(t, probeOne(t, originCheck(t, addrOf(srv), false), controller.ProbeInput{}),
		controller.OriginStatus, addrOf(srv))
	if o.Status != 503 {
		t.Fatalf("status %d", o.Status)
	}
	wantContains(t, o.Explanation, "503", "200")
}

func TestOriginRedirectNotFollowed(t *testing.T) {
	srv := newServer(t, answerHandler(308, hdr("Location", "https://app.example.test/health"), ""))
	c := originCheck(t, addrOf(srv), false)
	o := wantOrigin(t, probeOne(t, c, controller.ProbeInput{}), controller.OriginStatus, addrOf(srv))
	if o.Status != 308 {
		t.Fatalf("status %d", o.Status)
	}
}

func TestOriginTLSHostAndSNI(t *testing.T) {
	var seen captured
	// httptest's certificate is not for app.example.test and not trusted:
	// the origin probe does not verify it.
	srv := httptest.NewTLSServer(seen.handler(answerHandler(200, nil, "hi")))
	t.Cleanup(srv.Close)
	c := originCheck(t, addrOf(srv), true)
	c.URL = "http://app.example.test/health?deep=1"
	wantOrigin(t, probeOne(t, c, controller.ProbeInput{}), controller.OriginOK, addrOf(srv))
	host, path, sni, _ := seen.get()
	if host != "app.example.test" || sni != "app.example.test" || path != "/health?deep=1" {
		t.Fatalf("host %q, sni %q, path %q", host, sni, path)
	}
}

func TestOriginTLSAgainstPlainHTTP(t *testing.T) {
	srv := newServer(t, answerHandler(200, nil, "hi"))
	o := wantOrigin(t, probeOne(t, originCheck(t, addrOf(srv), true), controller.ProbeInput{}),
		controller.OriginTLS, addrOf(srv))
	wantContains(t, o.Explanation, "not verified")
}

func TestOriginDefaultPort(t *testing.T) {
	for _, tls := range []bool{false, true} {
		c := edgeCheck("127.0.0.1:1")
		c.Origin = &OriginCheck{TLS: tls}
		p := newProber(t, Options{Checks: []Check{c}})
		want := map[bool]int{false: 80, true: 443}[tls]
		if got := p.checks[0].Origin.Port; got != want {
			t.Fatalf("tls %v: port %d, want %d", tls, got, want)
		}
		if c.Origin.Port != 0 {
			t.Fatal("New changed the caller's OriginCheck")
		}
	}
}
