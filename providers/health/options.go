package health

import (
	"context"
	"maps"
	"net"
	"net/url"
	"slices"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// Check is one site to probe.
type Check struct {
	// Name identifies the check in results; unique and non-empty.
	Name string
	// URL is the http(s) URL probed through the edge; its host names the
	// site (Host header and SNI of every probe).
	URL string
	// ExpectStatus lists the statuses that mean healthy, through the edge
	// and at the origin; empty means 200 only. A redirect is classified,
	// never followed: list its status to accept it.
	ExpectStatus []int
	// Timeout bounds each probe of the check; it must be positive.
	Timeout time.Duration
	// EdgeAddress, optional "host:port", is connected to instead of the
	// address the URL's host resolves to (pins an edge address). Host and
	// SNI stay the URL's host.
	EdgeAddress string
	// Headers are added to edge requests (an access token, for example).
	// Their values never appear in errors or explanations.
	Headers map[string]string
	// Origin, when set, also probes the origin directly.
	Origin *OriginCheck
	// Uplink, when set, names the uplink this check stands for (its
	// canary): the origin probe goes to that uplink's detected address.
	Uplink string
	// EdgeVia are further routes to the edge: when it cannot be connected
	// to through the default route within EdgeConnectTimeout, each is
	// tried in order, so that a canary is probed even while the uplink of
	// the default route is dead.
	EdgeVia []Via
}

// Via is a route to Cloudflare's edge, such as an uplink.
type Via struct {
	// Name says the route in explanations ("uplink lte").
	Name string
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// EdgeConnectTimeout bounds the connection to the edge through a route
// that is not the last one left to try.
const EdgeConnectTimeout = 5 * time.Second

// OriginCheck configures the direct probe of the origin.
type OriginCheck struct {
	// Port is the origin's port; 0 means 443 with TLS, else 80.
	Port int
	// TLS speaks HTTPS to the origin (without verifying its certificate).
	TLS bool
	// Address, optional "host:port", replaces the detected public address
	// and Port.
	Address string
}

// Options configures a Prober.
type Options struct {
	Checks []Check
	// DNSServer, "host:port", resolves CNAME targets; empty means the
	// system resolver.
	DNSServer string
}

// defaultExpect is the expectation of a check without ExpectStatus, and
// of Classify.
var defaultExpect = []int{200}

// check is a validated Check with its parsed URL.
type check struct {
	Check
	url    *url.URL
	host   string // the URL's host name, lower-case, no port
	expect []int
}

// compile returns c as a check; c must have passed validateCheck. Slices
// and maps are copied: the caller may reuse its own.
func compile(c Check) check {
	u, _ := url.Parse(c.URL)
	c.ExpectStatus = slices.Clone(c.ExpectStatus)
	c.Headers = maps.Clone(c.Headers)
	if c.Origin != nil {
		o := *c.Origin
		if o.Port == 0 {
			o.Port = defaultOriginPort(o.TLS)
		}
		c.Origin = &o
	}
	expect := c.ExpectStatus
	if len(expect) == 0 {
		expect = defaultExpect
	}
	return check{Check: c, url: u, host: controller.NormalizeName(u.Hostname()), expect: expect}
}

// defaultOriginPort is 443 for TLS, else 80.
func defaultOriginPort(tls bool) int {
	if tls {
		return 443
	}
	return 80
}

// expected reports whether status is one of expect.
func expected(status int, expect []int) bool {
	return slices.Contains(expect, status)
}
