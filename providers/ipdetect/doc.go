// Package ipdetect finds the public IPv4 and IPv6 addresses of this host.
//
// Each family has its own list of sources (see ParseSource for the spec
// syntax): Cloudflare's /cdn-cgi/trace, the whoami.cloudflare. TXT record in
// class CHAOS over DNS-over-HTTPS or plain DNS, a plain-text URL, a local
// interface, or a static address. A Detector queries the sources of a family
// concurrently, over that family only, rejects answers that cannot be this
// host's public address (see Validate) and accepts an address only when a
// quorum of sources agree on it. Detection never fails as a whole: a family
// without agreement is controller.StateUnknown, with every answer attached.
//
// A host with several uplinks (fiber, LTE) has an Uplinks detector: one
// Detector per uplink, whose sources go out through it (see Bind).
//
// The package never logs; callers log the returned controller.Detection.
package ipdetect
