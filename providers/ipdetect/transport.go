package ipdetect

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/flarewarden/flarewarden/controller"
)

// familyNetwork returns base ("tcp" or "udp") restricted to family f.
func familyNetwork(base string, f controller.Family) string {
	if f == controller.IPv6 {
		return base + "6"
	}
	return base + "4"
}

// familyTransport returns an HTTP transport that connects over family f
// only (tcp4 or tcp6), whatever the network argument net/http passes, so a
// dual-stack host asks over the family it detects, and out through b. It
// never uses a proxy from the environment: a proxy would answer with its
// own address.
func familyTransport(f controller.Family, b Bind) http.RoundTripper {
	network := familyNetwork("tcp", f)
	d := b.dialer(network, 10*time.Second)
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        4,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
}

// sharedTransports are the unbound transports of sources made by
// ParseSource.
var sharedTransports = sync.OnceValue(func() map[controller.Family]http.RoundTripper {
	return map[controller.Family]http.RoundTripper{
		controller.IPv4: familyTransport(controller.IPv4, Bind{}),
		controller.IPv6: familyTransport(controller.IPv6, Bind{}),
	}
})

// sharedTransport returns the package-wide transport of family f.
func sharedTransport(f controller.Family) http.RoundTripper {
	return sharedTransports()[f]
}
