package demo

import (
	"fmt"
	"net"
)

// The house's uplinks: fiber has the public IP of the story so far, LTE
// is the backup line.
const (
	fiberIP = "203.0.113.8"
	lteIP   = "198.51.100.77"
)

// demoUplinks is what the user adds for the LTE backup: two uplinks, each
// with a canary probed through the simulated edge (plain HTTP, the origin
// probe on the home server's loopback address: nothing leaves the
// machine), and home.example.com following fiber, then lte. fiber detects
// its address with the top-level sources, lte's is static. ${edge} and
// ${origin} are filled in when the config is built (see demoEnv.app).
const demoUplinks = demoWAF + `
uplinks:
  - name: fiber
    bind: {address: 127.0.0.1}
    canary: {name: fiber.example.com, scheme: http, edge_address: "${edge}", origin: {address: "${origin}"}}
  - name: lte
    bind: {address: 127.0.0.1}
    detect: {ipv4: {sources: ["static:` + lteIP + `"]}}
    canary: {name: lte.example.com, scheme: http, edge_address: "${edge}", origin: {address: "${origin}"}}
records:
  - {name: home.example.com, uplinks: [fiber, lte]}
`

// The NAS's IPv6: the host id joined to the ISP's delegated /56, and the
// address this host detects under the first prefix and the next.
const (
	nasHostID  = "::aa:bbcc:ddee:ff01"
	firstIPv6  = "2001:db8:1234:5600::7"
	secondIPv6 = "2001:db8:abcd:ef00::7"
)

// demoIPv6 is what the user adds for the NAS when the detected IPv6
// address is v6: IPv6 detection (a static source in the demo) with a /56
// prefix, and nas.example.com with its host id.
func demoIPv6(v6 string) string {
	return demoWAF + fmt.Sprintf(`
detect:
  ipv6: {sources: ["static:%s"], prefix_length: 56}
records:
  - {name: nas.example.com, ipv6_host: %q}
`, v6, nasHostID)
}

// killFiber makes Cloudflare's connections to the fiber uplink's address
// refused (521), as when the line is down.
func (e *demoEnv) killFiber() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo listen on loopback: %w", err)
	}
	refused := ln.Addr().String()
	_ = ln.Close() // nothing listens there any more
	e.sim.SetOrigin(fiberIP, refused)
	return nil
}

// repairFiber lets Cloudflare reach the home server at the fiber
// uplink's address again.
func (e *demoEnv) repairFiber() error {
	e.sim.SetOrigin(fiberIP, e.origin)
	return nil
}

// homeAgainAttackOver restarts the home web server and ends the attack:
// the security level is back to medium, so that the canaries' probes
// through the edge are not challenged.
func (e *demoEnv) homeAgainAttackOver() error {
	if err := e.startHome(); err != nil {
		return err
	}
	return e.sim.SetSecurityLevel(demoZone, "medium")
}
