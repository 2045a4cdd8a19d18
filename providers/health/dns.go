package health

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/flarewarden/flarewarden/controller"
)

// newResolver returns a resolver that asks server ("host:port") over UDP
// or TCP, or the system resolver when server is empty.
func newResolver(server string) *net.Resolver {
	if server == "" {
		return net.DefaultResolver
	}
	var d net.Dialer
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, server)
		},
	}
}

// cnameTarget returns the CNAME target of host in cnames, whose keys may
// differ from host in case or a trailing dot; false when host is not a
// CNAME.
func cnameTarget(cnames map[string]string, host string) (string, bool) {
	if t, ok := cnames[host]; ok && t != "" {
		return controller.NormalizeName(t), true
	}
	for name, t := range cnames {
		if t != "" && controller.NormalizeName(name) == host {
			return controller.NormalizeName(t), true
		}
	}
	return "", false
}

// probeDNS resolves the CNAME target of the check's host (A and AAAA),
// within the check's timeout; nil when the host is not a CNAME.
func (p *Prober) probeDNS(ctx context.Context, c *check, cnames map[string]string) *controller.DNSResult {
	target, ok := cnameTarget(cnames, c.host)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	res := &controller.DNSResult{Name: c.host, Target: target}
	if isInvalidName(target) {
		res.Err = "names under .invalid never resolve"
		return res
	}
	// The final dot keeps the resolver from trying search domains.
	addrs, err := p.resolver.LookupNetIP(ctx, "ip", target+".")
	switch {
	case err != nil:
		res.Err = dnsErrText(err, p.dnsServer)
	case len(addrs) == 0:
		res.Err = "no A or AAAA record"
	default:
		res.Resolved = true
	}
	return res
}

// dnsErrText describes a failed lookup in its own words: a *net.DNSError
// names the server of resolv.conf even when the lookup went to server.
func dnsErrText(err error, server string) string {
	var de *net.DNSError
	if !errors.As(err, &de) {
		return errText(err)
	}
	via := "the system resolver"
	if server != "" {
		via = server
	}
	what := "lookup failed: " + de.Err
	switch {
	case de.IsNotFound:
		what = "no such host"
	case de.IsTimeout:
		what = "timed out"
	case de.Err == "server misbehaving":
		what = "server failure (SERVFAIL or a malformed answer)"
	}
	return fmt.Sprintf("%s, asked %s", what, via)
}
