package ipdetect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
)

// Default trace endpoints: Cloudflare's resolver addresses, one per family.
const (
	defaultTraceV4 = "https://1.1.1.1/cdn-cgi/trace"
	defaultTraceV6 = "https://[2606:4700:4700::1111]/cdn-cgi/trace"
)

// traceSource reads Cloudflare's /cdn-cgi/trace ("cloudflare-trace[:URL]").
type traceSource struct {
	httpEndpoint
}

func newTraceSource(name, arg string, hasArg bool, rt transportFunc) (Source, error) {
	e, err := newHTTPEndpoint(name, arg, hasArg, rt, defaultTraceV4, defaultTraceV6)
	if err != nil {
		return nil, err
	}
	return &traceSource{e}, nil
}

// Lookup GETs the trace over family f and returns its ip= value, checked
// by ParseTrace against the host the request was sent to.
func (s *traceSource) Lookup(ctx context.Context, f controller.Family) (netip.Addr, error) {
	u := s.target(f)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	req.Host = requestHost(u)
	reply, err := doHTTP(req, s.rt(f), false)
	if err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	addr, err := ParseTrace(reply.body, req.Host)
	if err != nil {
		return netip.Addr{}, sourceError(s.name, err)
	}
	return addr, nil
}

// ParseTrace extracts the client address from a /cdn-cgi/trace body, which
// is made of key=value lines. It returns an error naming the reason when
// the body is not such a trace (HTML, a line without '=', a repeated key),
// has no ip= line or an ip= that is not an address (zones are refused),
// says warp=on or warp=plus (the request went through WARP, so ip= is not
// this host), or has an h= that is not wantHost (someone else answered).
// Hosts compare case-insensitively, and "[::1]" equals "::1". The address
// is not validated further: see Validate.
func ParseTrace(body []byte, wantHost string) (netip.Addr, error) {
	if looksHTML(body) {
		return netip.Addr{}, errHTML("a trace")
	}
	kv, err := traceFields(body)
	if err != nil {
		return netip.Addr{}, err
	}
	ip, ok := kv["ip"]
	if !ok {
		return netip.Addr{}, errors.New("not a trace: no ip= line")
	}
	if w := strings.ToLower(kv["warp"]); w == "on" || w == "plus" {
		return netip.Addr{}, fmt.Errorf("trace says warp=%s: the request went through Cloudflare WARP, ip= is not this host", w)
	}
	h, ok := kv["h"]
	if !ok {
		return netip.Addr{}, errors.New("trace has no h= line: cannot tell who answered")
	}
	if !sameHost(h, wantHost) {
		return netip.Addr{}, fmt.Errorf("trace is for host %q, not %q: something else answered", clip(h), clip(wantHost))
	}
	addr, err := parseAddrText(ip)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("trace ip=%q: %w", clip(ip), err)
	}
	return addr, nil
}

// traceFields splits a trace body into its key=value pairs. Blank lines are
// skipped; any other line without '=', or a key seen twice, is an error.
func traceFields(body []byte) (map[string]string, error) {
	kv := make(map[string]string)
	for n, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		k, v, ok := strings.Cut(string(line), "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("not a trace: line %d is not key=value", n+1)
		}
		if _, dup := kv[k]; dup {
			return nil, fmt.Errorf("not a trace: %q appears twice", clip(k))
		}
		kv[k] = v
	}
	return kv, nil
}

// sameHost compares two Host values case-insensitively, ignoring the
// brackets of a bare IPv6 literal.
func sameHost(a, b string) bool {
	return a != "" && normHost(a) == normHost(b)
}

func normHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		return h[1 : len(h)-1]
	}
	return h
}

// parseAddrText parses one textual address; zones are refused.
func parseAddrText(s string) (netip.Addr, error) {
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, errors.New("not an IP address")
	}
	if addr.Zone() != "" {
		return netip.Addr{}, errors.New("an address with a zone is not a public address")
	}
	return addr, nil
}
