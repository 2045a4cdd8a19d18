package ipdetect

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"

	"github.com/flarewarden/flarewarden/controller"
)

// parseHTTPURL checks that raw is an absolute http or https URL with a host.
func parseHTTPURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("empty URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid URL %q: %w", clip(raw), unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL %q: scheme must be http or https", clip(raw))
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("URL %q has no host", clip(raw))
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
