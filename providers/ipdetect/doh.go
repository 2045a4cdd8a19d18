package ipdetect

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/netip"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/miekg/dns"
)

// Default DNS-over-HTTPS endpoints: Cloudflare's resolver, one per family.
const (
	defaultDoHV4 = "https://1.1.1.1/dns-query"
	defaultDoHV6 = "https://[2606:4700:4700::1111]/dns-query"
)

// dnsMessageType is the media type of DNS-over-HTTPS bodies (RFC 8484).
const dnsMessageType = "application/dns-message"

// dohSource asks whoami.cloudflare. over DNS-over-HTTPS
// ("cloudflare-doh[:URL]").
type dohSource struct {
	httpEndpoint
}

func newDoHSource(name, arg string, hasArg bool, rt transportFunc) (Source, error) {
	e, err := newHTTPEndpoint(name, arg, hasArg, rt, defaultDoHV4, defaultDoHV6)
	if err != nil {
		return nil, err
	}
	return &dohSource{e}, nil
}

// Lookup POSTs the whoami query as an application/dns-message over family
// f and returns the address in the TXT answer.
func (s *dohSource) Lookup(ctx context.Context, f controller.Family) (netip.Addr, error) {
	addr, err := s.lookup(ctx, f)
	if err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	return addr, nil
}

func (s *dohSource) lookup(ctx context.Context, f controller.Family) (netip.Addr, error) {
	q := whoamiQuery(0) // ID 0, as RFC 8484 recommends
	packed, err := q.Pack()
	if err != nil {
		return netip.Addr{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.target(f).String(), bytes.NewReader(packed))
	if err != nil {
		return netip.Addr{}, err
	}
	req.Header.Set("Content-Type", dnsMessageType)
	req.Header.Set("Accept", dnsMessageType)
	reply, err := doHTTP(req, s.rt(f), false)
	if err != nil {
		return netip.Addr{}, err
	}
	resp, err := decodeDNSMessage(reply)
	if err != nil {
		return netip.Addr{}, err
	}
	return parseWhoami(resp, q)
}

// decodeDNSMessage unpacks a DoH answer body, refusing other media types.
func decodeDNSMessage(reply httpReply) (*dns.Msg, error) {
	mt, _, _ := mime.ParseMediaType(reply.contentType)
	if mt != dnsMessageType {
		if mt == "text/html" || looksHTML(reply.body) {
			return nil, errHTML("a DNS message")
		}
		return nil, fmt.Errorf("answer has Content-Type %q, want %s", clip(reply.contentType), dnsMessageType)
	}
	m := new(dns.Msg)
	if err := m.Unpack(reply.body); err != nil {
		return nil, fmt.Errorf("answer is not a DNS message: %w", err)
	}
	return m, nil
}
