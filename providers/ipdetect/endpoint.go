package ipdetect

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/redact"
)

// parseHTTPURL checks that raw is an absolute http or https URL with a
// host. Its errors show at most the URL's scheme and host.
func parseHTTPURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("empty URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL %q: scheme must be http or https", clip(redact.Label(raw)))
	}
	if u.Hostname() == "" {
		return nil, errors.New("URL has no host")
	}
	return u, nil
}

// requestHost is the host a request to u is addressed to, as the Host
// header carries it: the host name (an IPv6 literal in brackets) plus the
// port when it is not the scheme's default.
func requestHost(u *url.URL) string {
	host, port := u.Hostname(), u.Port()
	if port == "" || port == defaultPort(u.Scheme) {
		if _, err := netip.ParseAddr(host); err == nil && !isIPv4Text(host) {
			return "[" + host + "]"
		}
		return host
	}
	return net.JoinHostPort(host, port)
}

// defaultPort returns the port a scheme implies.
func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// isIPv4Text reports whether s is written as an IPv4 address.
func isIPv4Text(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// checkLiteralFamily rejects a host that is an IP literal of the other
// family: it could never be reached over f.
func checkLiteralFamily(what, host string, f controller.Family) error {
	a, err := netip.ParseAddr(host)
	if err != nil || f.Matches(a) {
		return nil
	}
	return fmt.Errorf("%s %s is not an %s address", what, host, f)
}

// httpEndpoint is what the HTTP sources share: the spec they were
// configured with, an optional URL (nil: a per-family default) and the
// transports to reach it over each family.
type httpEndpoint struct {
	name      string
	url       *url.URL
	rt        transportFunc
	defaultV4 string
	defaultV6 string
}

// newHTTPEndpoint parses the optional URL argument of an HTTP source.
func newHTTPEndpoint(name, arg string, hasArg bool, rt transportFunc, defaultV4, defaultV6 string) (httpEndpoint, error) {
	e := httpEndpoint{name: name, rt: rt, defaultV4: defaultV4, defaultV6: defaultV6}
	if hasArg {
		u, err := parseHTTPURL(arg)
		if err != nil {
			return e, err
		}
		e.url = u
	}
	return e, nil
}

// Name returns the spec as configured.
func (e *httpEndpoint) Name() string { return e.name }

// checkConfig refuses a URL whose host is an IP literal of the other family.
func (e *httpEndpoint) checkConfig(f controller.Family, _ bool) error {
	if e.url == nil {
		return nil
	}
	return checkLiteralFamily("URL host", e.url.Hostname(), f)
}

// target returns the configured URL or the default of family f.
func (e *httpEndpoint) target(f controller.Family) *url.URL {
	if e.url != nil {
		return e.url
	}
	raw := e.defaultV4
	if f == controller.IPv6 {
		raw = e.defaultV6
	}
	u, _ := url.Parse(raw) // the defaults are constants that parse
	return u
}
