package health

import (
	"context"
	"crypto/x509"
	"net"
	"sync"
	"time"

	"github.com/flarewarden/flarewarden/controller"
	"github.com/flarewarden/flarewarden/controller/daemon"
)

// Prober runs the configured checks. It is safe for concurrent use.
type Prober struct {
	checks   []check
	resolver *net.Resolver // CNAME targets: Options.DNSServer or the system's
	// dnsServer is Options.DNSServer, named in lookup errors.
	dnsServer string
	// hostResolver resolves the hosts the probes connect to; nil is the
	// system resolver. Tests point it at a local server.
	hostResolver *net.Resolver
	// edgeRoots verifies edge certificates; nil is the system pool. Tests
	// trust their own server.
	edgeRoots *x509.CertPool
	// edgeDial connects the edge probe; nil is the dialer of hostResolver.
	// Tests observe the network it is asked for.
	edgeDial func(ctx context.Context, network, addr string) (net.Conn, error)
}

var _ daemon.Prober = (*Prober)(nil)

// New validates o and returns a Prober. Errors name the field
// ("checks[1].url: scheme must be http or https"), all of them joined.
func New(o Options) (*Prober, error) {
	if err := validate(o); err != nil {
		return nil, err
	}
	p := &Prober{resolver: newResolver(o.DNSServer), dnsServer: o.DNSServer}
	for _, c := range o.Checks {
		p.checks = append(p.checks, compile(c))
	}
	return p, nil
}

// Probe runs every check once, all concurrently, and returns their results
// in the configured order. Each check's probes (edge, origin, DNS) run side
// by side, each within the check's timeout; a CNAME target looked up again
// after a 1016 (see probeCheck) takes one more timeout at most, so Probe
// returns within twice the longest timeout. It never fails: a failure is a
// result.
func (p *Prober) Probe(ctx context.Context, in controller.ProbeInput) []controller.CheckResult {
	results := make([]controller.CheckResult, len(p.checks))
	var wg sync.WaitGroup
	for i := range p.checks {
		wg.Go(func() { results[i] = p.probeCheck(ctx, &p.checks[i], in) })
	}
	wg.Wait()
	return results
}

// probeCheck runs the probes of one check concurrently, then, when the
// edge answered 1016 while the CNAME target resolved, looks the target up
// once more so that both results describe the same moment.
func (p *Prober) probeCheck(ctx context.Context, c *check, in controller.ProbeInput) controller.CheckResult {
	r := controller.CheckResult{Check: c.Name, Host: c.host, At: time.Now()}
	var wg sync.WaitGroup
	wg.Go(func() { r.Edge = p.probeEdge(ctx, c, in.Detection) })
	if c.Origin != nil {
		wg.Go(func() { r.Origin = p.probeOrigin(ctx, c, in.Detection) })
	}
	wg.Go(func() { r.DNS = p.probeDNS(ctx, c, in.CNAMEs) })
	wg.Wait()
	if r.DNS != nil && r.Edge.Class == controller.ClassOriginDNSError { // r.DNS: the host is a CNAME
		if r.DNS.Resolved {
			// The target may have stopped resolving while the edge was asked:
			// look again now that the edge has failed, so the two agree in time.
			r.DNS = p.probeDNS(ctx, c, in.CNAMEs)
		}
		r.Edge = cnameDiagnosis(r.Edge, r.DNS)
	}
	r.Edge = originAnswersHere(r.Edge, c, r.Origin)
	return r
}

// cnameDiagnosis names the CNAME target in an origin DNS error and says
// whether it resolves from here.
func cnameDiagnosis(d controller.Diagnosis, dns *controller.DNSResult) controller.Diagnosis {
	d.Explanation = dnsErrorExplanation + ": the record is a CNAME to " + dns.Target + ", which did not resolve"
	if dns.Resolved {
		d.Explanation += " for Cloudflare (it resolves from here)"
	}
	d.Hint = cnameHint
	return d
}

// originAnswersHere completes an edge diagnosis of 521 (origin_down) or
// 522 (origin_timeout) when the origin probe from this host succeeded: the
// web server is up and answers, so what refuses or drops Cloudflare's
// connections is likely a firewall, IPS or host rule blocking Cloudflare's
// addresses. A probe of a configured origin.address (a LAN address, say)
// did not cross the router: port forwarding is named too. Any other
// diagnosis, a 524 (Cloudflare did connect) included, is returned as is.
func originAnswersHere(d controller.Diagnosis, c *check, o *controller.OriginResult) controller.Diagnosis {
	if o == nil || o.Outcome != controller.OriginOK {
		return d
	}
	if d.Class != controller.ClassOriginDown && (d.Class != controller.ClassOriginTimeout || d.Status == 524) {
		return d
	}
	d.Explanation += "; yet the origin answers from this host (" + o.Address + "), so a firewall, IPS or host rule " +
		"is likely blocking Cloudflare's addresses"
	d.Hint = "allow Cloudflare's IP ranges (https://www.cloudflare.com/ips/) to the origin port in the firewall, " +
		"the IPS (CrowdSec, fail2ban) and the host's rules"
	if c.Origin.Address != "" {
		d.Hint += "; the probe used origin.address, so also check that the router forwards the port"
	}
	return d
}
