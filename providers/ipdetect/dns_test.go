package ipdetect

import (
	"context"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/miekg/dns"
)

// serveDNS runs a miekg/dns server on the packet or stream listener and
// stops it at the end of the test.
func serveDNS(t *testing.T, srv *dns.Server) {
	t.Helper()
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
}

// listenUDP opens a UDP socket on the loopback address of network
// ("udp4" or "udp6"), skipping the test when it is unavailable.
func listenUDP(t *testing.T, network string) net.PacketConn {
	t.Helper()
	host := "127.0.0.1"
	if network == "udp6" {
		host = "[::1]"
	}
	pc, err := net.ListenPacket(network, host+":0")
	if err != nil {
		t.Skipf("%s loopback: %v", network, err)
	}
	return pc
}

// echoClient answers whoami with the client's own address, as Cloudflare
// does: the answer proves which family the query used.
func echoClient(w dns.ResponseWriter, q *dns.Msg) {
	host, _, _ := net.SplitHostPort(w.RemoteAddr().String())
	if !isWhoamiQuery(q) {
		host = "bad query"
	}
	_ = w.WriteMsg(whoamiReply(q, host))
}

func TestDNSSource(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		network string
		f       controller.Family
		want    string
	}{
		{"udp4", controller.IPv4, "127.0.0.1"},
		{"udp6", controller.IPv6, "::1"},
	} {
		t.Run(tc.f.String(), func(t *testing.T) {
			pc := listenUDP(t, tc.network)
			serveDNS(t, &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(echoClient)})
			s, err := ParseSource("dns:" + pc.LocalAddr().String())
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Lookup(ctx, tc.f)
			if err != nil || got != netip.MustParseAddr(tc.want) {
				t.Fatalf("Lookup = %v, %v", got, err)
			}
		})
	}
}

// serveTruncatedUDP serves DNS on one port of 127.0.0.1: over UDP every
// answer is truncated (udpHits counts them), over TCP tcp answers. It
// returns the server's host:port.
func serveTruncatedUDP(t *testing.T, udpHits *atomic.Int32, tcp dns.HandlerFunc) string {
	t.Helper()
	pc := listenUDP(t, "udp4")
	serveDNS(t, &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		udpHits.Add(1)
		r := whoamiReply(q)
		r.Truncated = true
		_ = w.WriteMsg(r)
	})})
	l, err := net.Listen("tcp4", pc.LocalAddr().String())
	if err != nil {
		t.Skipf("TCP port of the UDP server is taken: %v", err)
	}
	serveDNS(t, &dns.Server{Listener: l, Handler: tcp})
	return pc.LocalAddr().String()
}

func TestDNSSourceFallsBackToTCP(t *testing.T) {
	var udpHits, tcpHits atomic.Int32
	server := serveTruncatedUDP(t, &udpHits, func(w dns.ResponseWriter, q *dns.Msg) {
		tcpHits.Add(1)
		_ = w.WriteMsg(whoamiReply(q, "203.0.113.53"))
	})
	s, _ := ParseSource("dns:" + server)
	got, err := s.Lookup(context.Background(), controller.IPv4)
	if err != nil || got != netip.MustParseAddr("203.0.113.53") {
		t.Fatalf("Lookup = %v, %v", got, err)
	}
	if udpHits.Load() != 1 || tcpHits.Load() != 1 {
		t.Fatalf("udp %d tcp %d queries, want 1 each", udpHits.Load(), tcpHits.Load())
	}
}

func TestDNSSourceErrors(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		pc := listenUDP(t, "udp4")
		serveDNS(t, &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
			r := whoamiReply(q)
			r.Rcode = dns.RcodeRefused
			_ = w.WriteMsg(r)
		})})
		name := "dns:" + pc.LocalAddr().String()
		s, _ := ParseSource(name)
		_, err := s.Lookup(context.Background(), controller.IPv4)
		wantErr(t, err, name+": DNS answer is REFUSED")
	})
	t.Run("silent server honours ctx", func(t *testing.T) {
		pc := listenUDP(t, "udp4") // never answers
		defer pc.Close()
		s, _ := ParseSource("dns:" + pc.LocalAddr().String())
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := s.Lookup(ctx, controller.IPv4)
		wantErr(t, err, "deadline exceeded")
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Lookup took %s", d)
		}
	})
	t.Run("wrong family", func(t *testing.T) {
		s, _ := ParseSource("dns:127.0.0.1:53")
		_, err := s.Lookup(context.Background(), controller.IPv6)
		wantErr(t, err, "dns:127.0.0.1:53: ")
		wantErr(t, s.(configChecker).checkConfig(controller.IPv6, false), "DNS server 127.0.0.1 is not an ipv6 address")
	})
}

func TestSplitServer(t *testing.T) {
	tests := []struct{ in, host, port, err string }{
		{"1.1.1.1", "1.1.1.1", "53", ""},
		{"1.1.1.1:5353", "1.1.1.1", "5353", ""},
		{"2606:4700:4700::1111", "2606:4700:4700::1111", "53", ""},
		{"[2606:4700:4700::1111]", "2606:4700:4700::1111", "53", ""},
		{"[2606:4700:4700::1111]:853", "2606:4700:4700::1111", "853", ""},
		{"one.one.one.one", "one.one.one.one", "53", ""},
		{"resolver.example:54", "resolver.example", "54", ""},
		{"", "", "", "needs a server"},
		{"1.1.1.1:", "", "", "invalid port"},
		{"1.1.1.1:99999", "", "", "invalid port"},
		{"1.1.1.1:dns", "", "", "invalid port"},
		{"bad host:53", "", "", "invalid host"},
		{"a/b", "", "", "invalid host"},
		{"fe80::1%eth0", "fe80::1%eth0", "53", ""}, // a router's link-local resolver
		{"[fe80::1%eth0]:53", "fe80::1%eth0", "53", ""},
	}
	for _, tt := range tests {
		host, port, err := splitServer(tt.in)
		t.Run(tt.in, func(t *testing.T) {
			wantErr(t, err, tt.err)
			if host != tt.host || port != tt.port {
				t.Fatalf("got %q %q, want %q %q", host, port, tt.host, tt.port)
			}
		})
	}
}
