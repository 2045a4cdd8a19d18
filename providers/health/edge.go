package health

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/flarewarden/flarewarden/controller"
)

// HTTP limits and identification of every probe.
const (
	maxBody   = 64 << 10
	userAgent = "flarewarden-health"
)

// probeEdge GETs the check's URL through the edge, within the check's
// timeout, over the family edgeNetwork picks for d, and diagnoses the
// answer or the failure to get one.
func (p *Prober) probeEdge(ctx context.Context, c *check, d controller.Detection) controller.Diagnosis {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	var via string
	resp, body, err := p.getEdge(ctx, c, edgeNetwork(c, d), &via)
	if err != nil {
		return edgeFailure(ctx, c, err)
	}
	diag := classify(resp.StatusCode, resp.Header, body, c.expect)
	if via != "" {
		diag.Explanation += " (the edge was reached through " + via + ": not through the default route)"
	}
	return diag
}

// getEdge sends the edge request over network: the check's headers, the
// URL's host as Host and SNI, to EdgeAddress when set. Redirects are not
// followed.
func (p *Prober) getEdge(ctx context.Context, c *check, network string, via *string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("building the edge request: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	for name, value := range c.Headers {
		req.Header.Set(name, value)
	}
	rt := p.edgeTransport(c, network, via)
	defer rt.CloseIdleConnections()
	return fetch(&http.Client{Transport: rt, CheckRedirect: noRedirect}, req)
}

// edgeTransport connects over network to EdgeAddress, or to the URL's
// host, through the default route or else the check's EdgeVia (see
// dialEdge, which sets via to the route used when not the default), never
// through a proxy (a proxy would answer in Cloudflare's place), and keeps
// no connection: every probe is a fresh one.
func (p *Prober) edgeTransport(c *check, network string, via *string) *http.Transport {
	dial := p.edgeDial
	if dial == nil {
		dial = dialer(p.hostResolver)
	}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			if c.EdgeAddress != "" {
				addr = c.EdgeAddress
			}
			return dialEdge(ctx, append([]Via{{Dial: dial}}, c.EdgeVia...), network, addr, via)
		},
		TLSClientConfig:   &tls.Config{ServerName: c.host, RootCAs: p.edgeRoots, MinVersion: tls.VersionTLS12},
		DisableKeepAlives: true,
	}
}

// dialEdge connects through the first of routes that reaches addr, each
// but the last within EdgeConnectTimeout, and sets via to the name of the
// route used when it is not the first (the default route). The error
// joins every route's failure.
func dialEdge(ctx context.Context, routes []Via, network, addr string, via *string) (net.Conn, error) {
	var errs []error
	for i, r := range routes {
		dctx, cancel := ctx, context.CancelFunc(func() {})
		if i < len(routes)-1 {
			dctx, cancel = context.WithTimeout(ctx, EdgeConnectTimeout)
		}
		conn, err := r.Dial(dctx, network, addr)
		cancel()
		if err == nil {
			if i > 0 {
				*via = r.Name
			}
			return conn, nil
		}
		if ctx.Err() != nil || len(routes) == 1 {
			return nil, err
		}
		errs = append(errs, fmt.Errorf("through %s: %w", cmp.Or(r.Name, "the default route"), err))
	}
	return nil, errors.Join(errs...)
}

// edgeNetwork is the network the edge probe dials: "tcp4" when only the
// IPv4 address is detected (known), "tcp6" when only the IPv6 one is, so
// that Cloudflare sees the address a `self` skip rule lists; a proxied name
// has both A and AAAA records, and a dual-stack host would else connect
// over IPv6, whose address self lacks when IPv6 detection is off. It is
// "tcp" (either family) when both or neither are known, and when
// EdgeAddress pins the address: the pinned address decides its family.
func edgeNetwork(c *check, d controller.Detection) string {
	if c.EdgeAddress != "" {
		return "tcp"
	}
	v4, v6 := d.V4.State == controller.StateKnown, d.V6.State == controller.StateKnown
	switch {
	case v4 && !v6:
		return "tcp4"
	case v6 && !v4:
		return "tcp6"
	}
	return "tcp"
}

// fetch sends req and reads at most maxBody bytes of the answer. A body
// cut short is returned as read: the status and headers are the answer.
func fetch(client *http.Client, req *http.Request) (*http.Response, []byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return resp, body, nil
}

// noRedirect makes a client return a redirect as the answer.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// edgeFailure diagnoses an edge request that got no answer.
func edgeFailure(ctx context.Context, c *check, err error) controller.Diagnosis {
	if de, ok := dnsError(err); ok {
		return controller.Diagnosis{Class: controller.ClassDNS,
			Explanation: fmt.Sprintf("%s does not resolve (%s)", hostOf(c, de.Name), de.Err),
			Hint:        "check that the record exists in Cloudflare DNS and that this host's resolver works"}
	}
	switch {
	case isTimeout(ctx, err):
		return controller.Diagnosis{Class: controller.ClassTimeout,
			Explanation: fmt.Sprintf("no answer from the edge within %s", c.Timeout),
			Hint:        "check this host's connectivity; if only this site times out, the record may point at a dead address"}
	case ctx.Err() != nil:
		return controller.Diagnosis{Class: controller.ClassTimeout,
			Explanation: "the probe was canceled before the edge answered"}
	case isTLS(err):
		return controller.Diagnosis{Class: controller.ClassTLS,
			Explanation: "TLS with the edge failed: " + errText(err),
			Hint: "a TLS failure usually means another server answers (the record is not proxied); " +
				"else check the zone's edge certificates"}
	}
	return controller.Diagnosis{Class: controller.ClassNotCloudflare,
		Explanation: "no HTTP answer from the edge: " + errText(err) +
			"; Cloudflare always answers, so the name points somewhere else or this host is offline",
		Hint: "check that the DNS record is proxied (orange cloud) and this host's connectivity"}
}

// hostOf names the host that did not resolve: the URL's, or EdgeAddress's.
func hostOf(c *check, name string) string {
	if name == "" {
		return c.host
	}
	return name
}
