package health

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"

	"github.com/flarewarden/flarewarden/controller"
)

// probeOrigin connects straight to the origin and GETs the URL's path with
// the URL's host as Host and SNI, within the check's timeout. The origin's
// certificate is not verified: this probe checks reachability, and origins
// behind Cloudflare often serve an Origin CA certificate that is not
// publicly trusted.
func (p *Prober) probeOrigin(ctx context.Context, c *check, d controller.Detection) *controller.OriginResult {
	addr, ok := originAddress(c.Origin, uplinkDetection(c.Uplink, d))
	if !ok {
		return &controller.OriginResult{Outcome: controller.OriginSkipped, Explanation: "no public address detected"}
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	res := &controller.OriginResult{Address: addr}
	conn, err := dialer(p.hostResolver)(ctx, "tcp", addr)
	if err != nil {
		connectFailure(ctx, c, res, err)
		return res
	}
	resp, err := getOrigin(ctx, c, conn)
	if err != nil {
		requestFailure(ctx, c, res, err)
		return res
	}
	originAnswer(c, res, resp.StatusCode)
	return res
}

// originAddress is Address, else the detected IPv4 address, else the
// IPv6 one, with the origin's port; false when there is none.
func originAddress(o *OriginCheck, d controller.Detection) (string, bool) {
	if o.Address != "" {
		return o.Address, true
	}
	for _, f := range []controller.FamilyResult{d.V4, d.V6} {
		if f.State == controller.StateKnown && f.Addr.IsValid() {
			return netip.AddrPortFrom(f.Addr.WithZone(""), uint16(o.Port)).String(), true
		}
	}
	return "", false
}

// uplinkDetection is d for a check of no uplink, else the named uplink's
// detection as a Detection of its own (empty when it was not detected).
func uplinkDetection(name string, d controller.Detection) controller.Detection {
	if name == "" {
		return d
	}
	for _, u := range d.Uplinks {
		if u.Name == name {
			return controller.Detection{V4: u.V4, V6: u.V6}
		}
	}
	return controller.Detection{}
}

// getOrigin sends the origin request over conn, and closes conn.
func getOrigin(ctx context.Context, c *check, conn net.Conn) (*http.Response, error) {
	rt, release := oneConnTransport(conn, c.host)
	defer release()
	u := *c.url
	u.Scheme, u.Fragment = "http", ""
	if c.Origin.TLS {
		u.Scheme = "https"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("building the origin request: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, _, err := fetch(&http.Client{Transport: rt, CheckRedirect: noRedirect}, req)
	return resp, err
}

// oneConnTransport sends one request over conn, with TLS (when the URL is
// https) named serverName and not verified. release closes conn if the
// transport never took it, and the transport's connections.
func oneConnTransport(conn net.Conn, serverName string) (rt *http.Transport, release func()) {
	var pending atomic.Pointer[net.Conn]
	pending.Store(&conn)
	rt = &http.Transport{
		Proxy: nil,
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			if c := pending.Swap(nil); c != nil {
				return *c, nil
			}
			return nil, errors.New("the origin connection was already used")
		},
		// Reachability, not identity: see probeOrigin.
		TLSClientConfig:   &tls.Config{ServerName: serverName, InsecureSkipVerify: true},
		DisableKeepAlives: true,
	}
	return rt, func() {
		if c := pending.Swap(nil); c != nil {
			_ = (*c).Close()
		}
		rt.CloseIdleConnections()
	}
}

// connectFailure fills res for a TCP connection that failed.
func connectFailure(ctx context.Context, c *check, res *controller.OriginResult, err error) {
	switch {
	case isRefused(err):
		res.Outcome = controller.OriginRefused
		res.Explanation = fmt.Sprintf("connection refused at %s: nothing listens on that port, "+
			"or a firewall rejects the connection", res.Address)
	case isTimeout(ctx, err):
		res.Outcome = controller.OriginTimeout
		res.Explanation = fmt.Sprintf("no TCP answer from %s within %s: the host is off, the router does not "+
			"forward the port, or a firewall drops the packets", res.Address, c.Timeout)
	case ctx.Err() != nil:
		res.Outcome, res.Explanation = controller.OriginTimeout, "the probe was canceled before the origin answered"
	case isReset(err):
		res.Outcome = controller.OriginReset
		res.Explanation = fmt.Sprintf("the connection to %s was reset while connecting: "+
			"a firewall or IPS is dropping this source", res.Address)
	default:
		res.Outcome = controller.OriginRefused
		res.Explanation = fmt.Sprintf("cannot connect to %s: %s", res.Address, errText(err))
	}
}

// requestFailure fills res for a connection that gave no HTTP answer. The
// deadline is checked first: the transport closes the connection when it
// passes, which may look like a reset.
func requestFailure(ctx context.Context, c *check, res *controller.OriginResult, err error) {
	switch {
	case isTimeout(ctx, err):
		res.Outcome = controller.OriginTimeout
		res.Explanation = fmt.Sprintf("%s accepted the connection but did not answer within %s", res.Address, c.Timeout)
	case ctx.Err() != nil:
		res.Outcome, res.Explanation = controller.OriginTimeout, "the probe was canceled before the origin answered"
	case isReset(err):
		res.Outcome = controller.OriginReset
		res.Explanation = fmt.Sprintf("%s accepted the connection, then reset or closed it right after the request: "+
			"the signature of an IPS or firewall (CrowdSec, fail2ban, a router's intrusion prevention) dropping "+
			"this source; check its block lists for this host's address", res.Address)
	case isTLS(err):
		res.Outcome = controller.OriginTLS
		res.Explanation = fmt.Sprintf("TLS with the origin at %s failed (certificates are not verified): %s",
			res.Address, errText(err))
	default:
		res.Outcome = controller.OriginStatus
		res.Explanation = fmt.Sprintf("%s did not answer with valid HTTP: %s", res.Address, errText(err))
	}
}

// originAnswer fills res for an HTTP answer of the origin.
func originAnswer(c *check, res *controller.OriginResult, status int) {
	res.Status = status
	if expected(status, c.expect) {
		res.Outcome = controller.OriginOK
		res.Explanation = fmt.Sprintf("HTTP %d from the origin, as expected", status)
		return
	}
	res.Outcome = controller.OriginStatus
	res.Explanation = fmt.Sprintf("the origin answered HTTP %d, not an expected status (%s)", status, statusList(c.expect))
}
