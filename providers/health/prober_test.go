package health

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/nettest"
)

// barrier answers 200 through Cloudflare only once n requests wait at
// once (503 after a while otherwise): it proves requests run concurrently.
func barrier(n int) http.HandlerFunc {
	var mu sync.Mutex
	arrived, all := 0, make(chan struct{})
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if arrived++; arrived == n {
			close(all)
		}
		mu.Unlock()
		w.Header().Set("Server", "cloudflare")
		select {
		case <-all:
			w.WriteHeader(200)
		case <-time.After(3 * time.Second):
			w.WriteHeader(503)
		}
	}
}

func TestProbeConcurrentInOrder(t *testing.T) {
	srv := newServer(t, barrier(3))
	var checks []Check
	for _, name := range []string{"c", "a", "b"} {
		c := edgeCheck(addrOf(srv))
		c.Name, c.URL = name, "http://"+name+".example.test/"
		checks = append(checks, c)
	}
	results := newProber(t, Options{Checks: checks}).Probe(context.Background(), controller.ProbeInput{})
	for i, r := range results {
		if r.Check != checks[i].Name || r.Host != checks[i].Name+".example.test" {
			t.Fatalf("results[%d] is %s (%s)", i, r.Check, r.Host)
		}
		wantClass(t, r.Edge, controller.ClassOK)
	}
}

func TestProbeAllProbesOfACheck(t *testing.T) {
	srv := newServer(t, answerHandler(522, cf(), "error code: 522"))
	c := edgeCheck(addrOf(srv))
	c.Origin = &OriginCheck{Address: nettest.ClosedPort(t)}
	in := controller.ProbeInput{CNAMEs: map[string]string{"app.example.test": "home.example.invalid"}}
	r := newProber(t, Options{Checks: []Check{c}}).Probe(context.Background(), in)[0]
	wantClass(t, r.Edge, controller.ClassOriginTimeout)
	if r.Origin == nil || r.Origin.Outcome != controller.OriginRefused {
		t.Fatalf("origin %+v", r.Origin)
	}
	// The target does not resolve here, but the edge did not answer 1016:
	// the edge's class stands (ddns_target_down needs the edge's 1016).
	if r.DNS == nil || r.DNS.Resolved || r.Class() != controller.ClassOriginTimeout {
		t.Fatalf("dns %+v, class %s", r.DNS, r.Class())
	}
}

func TestProbeCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := edgeCheck(silentListener(t))
	c.Origin = &OriginCheck{Address: silentListener(t)}
	r := newProber(t, Options{Checks: []Check{c}}).Probe(ctx, controller.ProbeInput{})[0]
	wantClass(t, r.Edge, controller.ClassTimeout)
	wantContains(t, r.Edge.Explanation, "canceled")
	if r.Origin == nil || r.Origin.Outcome != controller.OriginTimeout {
		t.Fatalf("origin %+v", r.Origin)
	}
	wantContains(t, r.Origin.Explanation, "canceled")
}

func TestProbeNoChecks(t *testing.T) {
	if got := newProber(t, Options{}).Probe(context.Background(), controller.ProbeInput{}); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
}

func TestNewCopiesInput(t *testing.T) {
	srv := newServer(t, answerHandler(204, cf(), ""))
	c := edgeCheck(addrOf(srv))
	c.ExpectStatus = []int{204}
	c.Headers = map[string]string{"X-A": "1"}
	p := newProber(t, Options{Checks: []Check{c}})
	c.ExpectStatus[0], c.Headers["X-A"] = 200, "2"
	if p.checks[0].expect[0] != 204 || p.checks[0].Headers["X-A"] != "1" {
		t.Fatal("New keeps the caller's slices or maps")
	}
	wantClass(t, p.Probe(context.Background(), controller.ProbeInput{})[0].Edge, controller.ClassOK)
}

func TestNewValidation(t *testing.T) {
	good := func() Check { return Check{Name: "a", URL: "https://a.example.com/", Timeout: time.Second} }
	with := func(f func(*Check)) Check { c := good(); f(&c); return c }
	for _, tc := range []struct {
		name   string
		opts   Options
		want   []string
		secret string
	}{
		{name: "valid", opts: Options{DNSServer: "127.0.0.1:53", Checks: []Check{good(), with(func(c *Check) {
			c.Name, c.EdgeAddress, c.ExpectStatus = "b", "[::1]:443", []int{200, 301}
			c.Origin = &OriginCheck{Port: 8443, TLS: true, Address: "192.0.2.1:8443"}
			c.Headers = map[string]string{"CF-Access-Client-Id": "x"}
		})}}},
		{name: "empty name", opts: Options{Checks: []Check{with(func(c *Check) { c.Name = " " })}},
			want: []string{"checks[0].name: is empty"}},
		{name: "duplicate name", opts: Options{Checks: []Check{good(), good()}},
			want: []string{`checks[1].name: "a" is already the name of checks[0]`}},
		{name: "empty url", opts: Options{Checks: []Check{with(func(c *Check) { c.URL = "" })}},
			want: []string{"checks[0].url: is empty"}},
		{name: "scheme", opts: Options{Checks: []Check{good(), with(func(c *Check) {
			c.Name, c.URL = "b", "ftp://user:s3cret@a.example.com/?token=s3cret"
		})}}, want: []string{"checks[1].url: scheme must be http or https"}, secret: "s3cret"},
		{name: "no host", opts: Options{Checks: []Check{with(func(c *Check) { c.URL = "http:///path" })}},
			want: []string{"checks[0].url: has no host"}},
		{name: "relative", opts: Options{Checks: []Check{with(func(c *Check) { c.URL = "a.example.com/x" })}},
			want: []string{"checks[0].url: scheme must be http or https"}},
		{name: "unparsable", opts: Options{Checks: []Check{with(func(c *Check) { c.URL = "http://a b/%zz?s3cret" })}},
			want: []string{"checks[0].url: is not a valid URL"}, secret: "s3cret"},
		{name: "bad port", opts: Options{Checks: []Check{with(func(c *Check) { c.URL = "http://a.example.com:0/" })}},
			want: []string{"checks[0].url: has an invalid port"}},
		{name: "timeout", opts: Options{Checks: []Check{with(func(c *Check) { c.Timeout = 0 })}},
			want: []string{"checks[0].timeout: 0s is not positive"}},
		{name: "negative timeout", opts: Options{Checks: []Check{with(func(c *Check) { c.Timeout = -time.Second })}},
			want: []string{"checks[0].timeout: -1s is not positive"}},
		{name: "status", opts: Options{Checks: []Check{with(func(c *Check) { c.ExpectStatus = []int{200, 99} })}},
			want: []string{"checks[0].expect_status[1]: 99 is not an HTTP status"}},
		{name: "edge address", opts: Options{Checks: []Check{with(func(c *Check) { c.EdgeAddress = "1.2.3.4" })}},
			want: []string{`checks[0].edge_address: must be "host:port"`}},
		{name: "edge port", opts: Options{Checks: []Check{with(func(c *Check) { c.EdgeAddress = "a:99999" })}},
			want: []string{"checks[0].edge_address: 99999 is not a port"}},
		{name: "header name", opts: Options{Checks: []Check{with(func(c *Check) {
			c.Headers = map[string]string{"Bad Name": "s3cret"}
		})}}, want: []string{`checks[0].headers: "Bad Name" is not a valid header name`}, secret: "s3cret"},
		{name: "host header", opts: Options{Checks: []Check{with(func(c *Check) { c.Headers = map[string]string{"host": "x"} })}},
			want: []string{"checks[0].headers: the Host header cannot be set"}},
		{name: "header value", opts: Options{Checks: []Check{with(func(c *Check) {
			c.Headers = map[string]string{"Authorization": "Bearer s3cret\r\nX-Injected: 1"}
		})}}, want: []string{"checks[0].headers: the value of Authorization has a control character"}, secret: "s3cret"},
		{name: "origin port", opts: Options{Checks: []Check{with(func(c *Check) { c.Origin = &OriginCheck{Port: 70000} })}},
			want: []string{"checks[0].origin.port: 70000 is not a port"}},
		{name: "origin address", opts: Options{Checks: []Check{with(func(c *Check) {
			c.Origin = &OriginCheck{Address: "203.0.113.7"}
		})}}, want: []string{`checks[0].origin.address: must be "host:port"`}},
		{name: "origin address with a path", opts: Options{Checks: []Check{with(func(c *Check) {
			c.Origin = &OriginCheck{Address: "home/x:80"}
		})}}, want: []string{`checks[0].origin.address: must be "host:port"`}},
		{name: "dns server", opts: Options{DNSServer: "127.0.0.1", Checks: []Check{good()}},
			want: []string{`dns_server: must be "host:port"`}},
		{name: "all joined", opts: Options{DNSServer: ":53", Checks: []Check{
			with(func(c *Check) { c.Name, c.Timeout = "", 0 }), with(func(c *Check) { c.URL = "mailto:x" })}},
			want: []string{"dns_server:", "checks[0].name:", "checks[0].timeout:", "checks[1].url:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.opts)
			if len(tc.want) == 0 {
				if err != nil || p == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || p != nil {
				t.Fatalf("New = %v, %v; want an error", p, err)
			}
			wantContains(t, err.Error(), tc.want...)
			if tc.secret != "" && strings.Contains(err.Error(), tc.secret) {
				t.Fatalf("error leaks a secret: %v", err)
			}
			if n := len(strings.Split(err.Error(), "\n")); n != len(tc.want) {
				t.Fatalf("%d errors, want %d: %v", n, len(tc.want), err)
			}
		})
	}
}

func ExampleClassify() {
	h := http.Header{"Server": {"cloudflare"}, "Cf-Ray": {"8f0c1a2b3c4d5e6f-AMS"}}
	d := Classify(530, h, []byte("error code: 1016"))
	fmt.Println(d.Class, d.Status)
	fmt.Println(d.Hint)
	// Output:
	// origin_dns_error 530
	// unless its takeover_cname is false, flarewarden replaces a managed CNAME with an A record holding this host's address (with on-failure, once a health check sees the target down); by hand, replace it with an A record holding this host's current address
}
