package ipdetect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/miekg/dns"
)

// dnsSource asks whoami.cloudflare. over plain DNS ("dns:SERVER").
type dnsSource struct {
	name   string
	host   string // host name or IP address, no brackets
	server string // host:port to dial
	bind   Bind   // the way out
}

func newDNSSource(name, arg string, bind Bind) (Source, error) {
	host, port, err := splitServer(arg)
	if err != nil {
		return nil, err
	}
	return &dnsSource{name: name, host: host, server: net.JoinHostPort(host, port), bind: bind}, nil
}

// splitServer parses "host", "host:port", "IPv6", "[IPv6]" or "[IPv6]:port";
// the port defaults to 53.
func splitServer(s string) (host, port string, err error) {
	if s == "" {
		return "", "", errors.New(`dns source needs a server ("dns:1.1.1.1")`)
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil && !strings.Contains(s, "]:") {
		return a.String(), "53", nil
	}
	host, port, err = net.SplitHostPort(s)
	if err != nil {
		host, port = s, "53"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("DNS server %q: invalid port %q", clip(s), clip(port))
	}
	if !validHostName(host) {
		return "", "", fmt.Errorf("DNS server %q: invalid host %q", clip(s), clip(host))
	}
	return host, port, nil
}

// validHostName accepts an IP address or a syntactically valid DNS name.
func validHostName(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if _, ok := dns.IsDomainName(h); !ok || h == "" {
		return false
	}
	for _, r := range h {
		if !isHostRune(r) {
			return false
		}
	}
	return true
}

// isHostRune reports whether r may appear in a host name.
func isHostRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '.' || r == '-' || r == '_'
}

// Name returns the spec as configured.
func (s *dnsSource) Name() string { return s.name }

func (s *dnsSource) checkConfig(f controller.Family, _ bool) error {
	return checkLiteralFamily("DNS server", s.host, f)
}

// Lookup queries the server over UDP of family f (udp4/udp6), falls back
// to TCP of the same family when the answer is truncated, and returns the
// address in the TXT answer. Both go out through the source's bind.
func (s *dnsSource) Lookup(ctx context.Context, f controller.Family) (netip.Addr, error) {
	q := whoamiQuery(dns.Id())
	resp, err := s.exchange(ctx, familyNetwork("udp", f), q)
	if err == nil && resp.Truncated {
		resp, err = s.exchange(ctx, familyNetwork("tcp", f), q)
	}
	if err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	addr, err := parseWhoami(resp, q)
	if err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	return addr, nil
}

// exchange sends q to the server over network, out through the source's
// bind, and returns the answer. The connection is closed as soon as ctx is
// done.
func (s *dnsSource) exchange(ctx context.Context, network string, q *dns.Msg) (*dns.Msg, error) {
	timeout := timeLeft(ctx)
	c := &dns.Client{Net: network, Timeout: timeout, Dialer: s.bind.dialer(network, timeout)}
	conn, err := c.DialContext(ctx, s.server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	resp, _, err := c.ExchangeWithConnContext(ctx, q, conn)
	if err != nil && timedOut(ctx) {
		return nil, context.DeadlineExceeded
	}
	if ctxErr := ctx.Err(); err != nil && ctxErr != nil {
		return nil, ctxErr
	}
	return resp, err
}
