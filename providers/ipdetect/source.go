package ipdetect

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/redact"
)

// Source is one way of learning this host's public address.
type Source interface {
	// Name returns the spec as configured (surrounding whitespace removed),
	// e.g. "cloudflare-trace" or "url:https://ip.example.net". It may hold
	// secrets (user information, a query key): texts show its label.
	Name() string
	// Lookup asks the source for its address of family f, over f only for
	// network sources. It honours ctx. Errors start with the name's label
	// (controller.SourceLabel) and never contain a URL's path, query or
	// user information. The address is not validated: callers apply
	// Validate with their own policy.
	Lookup(ctx context.Context, f controller.Family) (netip.Addr, error)
}

// Source kinds, the part of a spec before the first colon.
const (
	kindTrace  = "cloudflare-trace"
	kindDoH    = "cloudflare-doh"
	kindDNS    = "dns"
	kindURL    = "url"
	kindIface  = "iface"
	kindStatic = "static"
)

// kindList is the list shown when a spec has an unknown kind.
const kindList = "cloudflare-trace, cloudflare-doh, dns, url, iface, static"

// transportFunc returns the HTTP transport to use for family f.
type transportFunc func(controller.Family) http.RoundTripper

// outbound is how network sources reach their servers: HTTP sources
// through the transports of rt, plain DNS sources out through bind.
type outbound struct {
	rt   transportFunc
	bind Bind
}

// configChecker is implemented by sources whose spec alone can be wrong for
// a family (a static address, an IP literal of the other family).
type configChecker interface {
	checkConfig(f controller.Family, allowPrivate bool) error
}

// ParseSource checks the syntax of one source spec and returns the source.
// Specs are:
//
//	cloudflare-trace[:URL]  Cloudflare's /cdn-cgi/trace (default 1.1.1.1 / 2606:4700:4700::1111)
//	cloudflare-doh[:URL]    TXT whoami.cloudflare. CH over DNS-over-HTTPS (same defaults)
//	dns:SERVER              the same query over plain DNS to SERVER (host[:port], port 53)
//	url:URL                 an HTTP(S) URL whose body is exactly one address
//	iface:NAME              an address of a local network interface
//	static:IP               a fixed address
//
// It does no I/O. The returned source uses a default transport that dials
// over the family being detected and never uses a proxy.
func ParseSource(spec string) (Source, error) {
	return parseSource(spec, outbound{rt: sharedTransport})
}

// parseSource is ParseSource with the way out of network sources.
func parseSource(spec string, out outbound) (Source, error) {
	spec = strings.TrimSpace(spec)
	kind, arg, hasArg := strings.Cut(spec, ":")
	switch kind {
	case kindTrace:
		return newTraceSource(spec, arg, hasArg, out.rt)
	case kindDoH:
		return newDoHSource(spec, arg, hasArg, out.rt)
	case kindDNS:
		return newDNSSource(spec, arg, out.bind)
	case kindURL:
		return newURLSource(spec, arg, out.rt)
	case kindIface:
		return newIfaceSource(spec, arg)
	case kindStatic:
		return newStaticSource(spec, arg)
	}
	return nil, fmt.Errorf("unknown source kind %q (want %s)", kind, kindList)
}

// sourceError prefixes err with the label of the source name, as
// Source.Lookup promises.
func sourceError(name string, err error) error {
	return fmt.Errorf("%s: %w", redact.Label(name), err)
}
