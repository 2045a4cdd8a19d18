package health

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/providers/sources/dnstest"
)

// dualServers holds edge servers on 127.0.0.1 and, when the host has it,
// [::1], at one port, each counting the requests it answers.
type dualServers struct {
	port  string
	v6    bool // [::1] is served
	hits4 atomic.Int32
	hits6 atomic.Int32
}

// newDualServers starts the servers; the IPv6 one only when ::1 can be
// listened on. Both answer 200 through Cloudflare.
func newDualServers(t *testing.T) *dualServers {
	t.Helper()
	s := &dualServers{}
	serve := func(l net.Listener, hits *atomic.Int32) {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			answerHandler(200, cf(), "ok")(w, r)
		}))
		_ = srv.Listener.Close()
		srv.Listener = l
		srv.Start()
		t.Cleanup(srv.Close)
	}
	for range 20 {
		l6, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			l4, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			_, s.port, _ = net.SplitHostPort(l4.Addr().String())
			serve(l4, &s.hits4)
			return s
		}
		_, port, _ := net.SplitHostPort(l6.Addr().String())
		l4, err := net.Listen("tcp4", "127.0.0.1:"+port)
		if err != nil { // the port is taken on IPv4: try another
			_ = l6.Close()
			continue
		}
		s.port, s.v6 = port, true
		serve(l4, &s.hits4)
		serve(l6, &s.hits6)
		return s
	}
	t.Fatal("no port free on both 127.0.0.1 and [::1]")
	return nil
}

// knownDetection returns a detection with the given families known.
func knownDetection(v4, v6 bool) controller.Detection {
	d := controller.Detection{V4: controller.FamilyResult{State: controller.StateUnknown},
		V6: controller.FamilyResult{State: controller.StateDisabled}}
	if v4 {
		d.V4 = controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("203.0.113.7")}
	}
	if v6 {
		d.V6 = controller.FamilyResult{State: controller.StateKnown, Addr: netip.MustParseAddr("2001:db8::7")}
	}
	return d
}

// The edge probe dials the family of the detected address, so Cloudflare
// sees the address a self skip rule lists, unless both or neither are
// known, or EdgeAddress pins the address (its family decides).
func TestProbeEdgeDialsTheDetectedFamily(t *testing.T) {
	srv := newDualServers(t)
	dns := dnstest.New(t)
	if srv.v6 {
		dns.Set("dual.example.test", "127.0.0.1", "::1")
	} else {
		dns.Set("dual.example.test", "127.0.0.1")
	}
	tests := []struct {
		name          string
		v4, v6, needs bool // needs: the case needs ::1
		pin           string
		network       string
		hits4, hits6  int32 // -1: either server may answer
	}{
		{name: "ipv4 only", v4: true, network: "tcp4", hits4: 1},
		{name: "ipv6 only", v6: true, needs: true, network: "tcp6", hits6: 1},
		{name: "both", v4: true, v6: true, network: "tcp", hits4: -1, hits6: -1},
		{name: "neither", network: "tcp", hits4: -1, hits6: -1},
		{name: "ipv4 only, pinned to ::1", v4: true, needs: true, pin: "[::1]:" + srv.port, network: "tcp", hits6: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needs && !srv.v6 {
				t.Skip("::1 is not available on this host")
			}
			srv.hits4.Store(0)
			srv.hits6.Store(0)
			c := Check{Name: "app", URL: "http://dual.example.test:" + srv.port + "/", Timeout: testTimeout, EdgeAddress: tc.pin}
			var mu sync.Mutex
			var networks []string
			observe := func(p *Prober) {
				dial := dialer(newResolver(dns.Addr))
				p.edgeDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
					mu.Lock()
					networks = append(networks, network)
					mu.Unlock()
					return dial(ctx, network, addr)
				}
			}
			in := controller.ProbeInput{Detection: knownDetection(tc.v4, tc.v6)}
			wantClass(t, probeOne(t, c, in, observe).Edge, controller.ClassOK)
			if len(networks) != 1 || networks[0] != tc.network {
				t.Fatalf("dialed %v, want [%s]", networks, tc.network)
			}
			wantHits(t, "127.0.0.1", srv.hits4.Load(), tc.hits4)
			wantHits(t, "[::1]", srv.hits6.Load(), tc.hits6)
		})
	}
}

// wantHits fails unless a server answered want requests (-1: any number).
func wantHits(t *testing.T, server string, got, want int32) {
	t.Helper()
	if want >= 0 && got != want {
		t.Fatalf("the server on %s answered %d requests, want %d", server, got, want)
	}
}

func TestEdgeNetwork(t *testing.T) {
	pinned := &check{Check: Check{EdgeAddress: "[2001:db8::1]:443"}}
	unpinned := &check{}
	for _, tc := range []struct {
		c      *check
		v4, v6 bool
		want   string
	}{
		{unpinned, true, false, "tcp4"},
		{unpinned, false, true, "tcp6"},
		{unpinned, true, true, "tcp"},
		{unpinned, false, false, "tcp"},
		{pinned, true, false, "tcp"},
		{pinned, false, true, "tcp"},
	} {
		if got := edgeNetwork(tc.c, knownDetection(tc.v4, tc.v6)); got != tc.want {
			t.Errorf("edgeNetwork(pin %q, v4 %v, v6 %v) = %s, want %s", tc.c.EdgeAddress, tc.v4, tc.v6, got, tc.want)
		}
	}
}
