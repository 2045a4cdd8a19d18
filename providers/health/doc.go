// Package health probes sites behind Cloudflare and says, in an operator's
// words, why one fails.
//
// A Prober runs every configured Check concurrently. Each check is up to
// three probes, run side by side within the check's timeout:
//
//   - the edge probe GETs the check's URL through Cloudflare (or through
//     Check.EdgeAddress) without following redirects, and Classify turns the
//     answer into a controller.Diagnosis: origin_dns_error for a 530 with
//     error 1016, origin_down for a 521, challenged for a page marked
//     cf-mitigated: challenge or carrying a challenge's markers,
//     origin_error for a 5xx the origin sent (server: cloudflare and cf-ray
//     say "through Cloudflare", not "made by Cloudflare"), not_cloudflare
//     for an answer that did not go through Cloudflare, and so on, with the
//     Cloudflare error code (1xxx) of the edge's own page; a request that
//     gets no answer is timeout, tls or dns. It connects over the family of the detected
//     address when only one is known (controller.ProbeInput.Detection), so
//     Cloudflare sees the address a `self` skip rule lists;
//   - the origin probe (Check.Origin) connects straight to the origin at the
//     detected public address and GETs the same path with the URL's host in
//     the Host header and in SNI. It tells a refused connection from a reset
//     right after the request (the signature of an IPS or firewall dropping
//     this host's address), a timeout, a TLS failure and an unexpected
//     status; when it succeeds while the edge says 521 or 522, the edge
//     diagnosis adds that a firewall likely blocks Cloudflare's addresses.
//     It does not verify the origin's certificate: it checks
//     reachability, and a Cloudflare Origin CA certificate, the usual one on
//     an origin behind Cloudflare, is not publicly trusted;
//   - the DNS probe, for a check whose host is still a CNAME
//     (controller.ProbeInput.CNAMEs), resolves the CNAME's target (A and
//     AAAA) through Options.DNSServer or the system resolver: a target that
//     does not resolve makes the check ddns_target_down.
//
// Names under .invalid (RFC 6761) never resolve and are never sent to a DNS
// server. Probes never use a proxy from the environment: a proxy would
// answer in Cloudflare's place. Explanations never carry header values or
// URL queries, so a token in Check.Headers or in a URL stays out of logs.
//
// The package never logs; callers log the returned results.
package health
