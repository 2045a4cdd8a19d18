// Package dnstest serves A and AAAA answers on loopback for tests of
// hostname resolution. Tests change the answers while it runs.
package dnstest

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Server is a DNS server on 127.0.0.1 (UDP). A name without answers gets
// SERVFAIL, so tests can make a lookup fail.
type Server struct {
	// Addr is "127.0.0.1:port", for a resolver option.
	Addr    string
	mu      sync.Mutex
	answers map[string][]netip.Addr
	queries int
	srv     *dns.Server
}

// New starts a server that stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a server on a free loopback port; Close stops it. The demo
// uses it as the outside world's DNS.
func Start() (*Server, error) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("dns test server: %w", err)
	}
	s := &Server{Addr: pc.LocalAddr().String(), answers: map[string][]netip.Addr{}}
	started := make(chan struct{})
	s.srv = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serve), NotifyStartedFunc: func() { close(started) }}
	go func() { _ = s.srv.ActivateAndServe() }()
	<-started
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { _ = s.srv.Shutdown() }

// Set makes host answer the addresses; no addresses makes it fail.
func (s *Server) Set(host string, addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(addrs) == 0 {
		delete(s.answers, host)
		return
	}
	var parsed []netip.Addr
	for _, a := range addrs {
		parsed = append(parsed, netip.MustParseAddr(a))
	}
	s.answers[host] = parsed
}

func (s *Server) serve(w dns.ResponseWriter, q *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(q)
	question := q.Question[0]
	s.mu.Lock()
	s.queries++
	addrs, ok := s.answers[strings.TrimSuffix(question.Name, ".")]
	s.mu.Unlock()
	if !ok {
		m.Rcode = dns.RcodeServerFailure
	}
	for _, ip := range addrs {
		if rr := record(question, ip); rr != nil {
			m.Answer = append(m.Answer, rr)
		}
	}
	_ = w.WriteMsg(m)
}

// Queries returns how many queries the server has answered.
func (s *Server) Queries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// record answers the question with ip when the types match.
func record(q dns.Question, ip netip.Addr) dns.RR {
	hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Ttl: 1, Rrtype: q.Qtype}
	switch {
	case ip.Is4() && q.Qtype == dns.TypeA:
		return &dns.A{Hdr: hdr, A: ip.AsSlice()}
	case ip.Is6() && q.Qtype == dns.TypeAAAA:
		return &dns.AAAA{Hdr: hdr, AAAA: ip.AsSlice()}
	}
	return nil
}

// Resolve answers host from the server's table without a query (a
// resolver function for the simulator's edge); an unknown host is an error.
func (s *Server) Resolve(_ context.Context, host string) ([]netip.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	addrs, ok := s.answers[strings.TrimSuffix(host, ".")]
	if !ok {
		return nil, fmt.Errorf("lookup %s: no such host", host)
	}
	return slices.Clone(addrs), nil
}
