package sim

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// The simulated edge: what a visitor of a hostname gets from Cloudflare,
// decided from the simulator's DNS records, custom WAF rules and security
// level and, once origins are configured, from the origin itself. Edge
// requests are not API calls: they are neither logged nor subject to faults.

// edgeClientHeader names the visitor's address in edge requests (tests set
// it); without it the TCP peer's address is used.
const edgeClientHeader = "X-Sim-Client-IP"

// edgeOutcome classifies an edge answer.
type edgeOutcome int

const (
	edgeOrigin    edgeOutcome = iota // on to the origin
	edgeNoDNS                        // 409, error 1001
	edgeOriginDNS                    // 530, error 1016
	edgeBlock                        // 403 by a block rule, error 1020
	edgeChallenge                    // 403 challenge, cf-mitigated: challenge
	edgeDirect                       // not proxied: the visitor talks to the origin
)

// edgeDecision is the edge's answer to one request.
type edgeDecision struct {
	outcome edgeOutcome
	status  int
	reason  string
}

// Edge returns a handler that plays Cloudflare's edge for the simulated
// zones: the Host header names the hostname; the visitor is the address in
// X-Sim-Client-IP, else the TCP peer (a malformed header is a 400). Every
// answer of the edge carries "server: cloudflare" and a cf-ray
// (16 hex digits, "-", a 3-letter colo), the origin's answers included.
//
// It answers as EdgeDecision decides, in the real edge's shapes (see
// edgeVisit): an error is "error code: N" as plain text, or Cloudflare's
// HTML error page for a visitor whose Accept asks for text/html; a
// challenge is an HTML "Just a moment..." page marked cf-mitigated:
// challenge. A request the WAF lets through then has a CNAME target
// outside the simulated zones resolved, when the edge resolves them (see
// WithResolver): a failed resolution is a 530, error 1016. Without configured origins (see WithOrigins
// and SetOrigin) a request that passes answers 200 "ok from origin". With
// them, the edge picks the origin address (the first A or AAAA at the end
// of the CNAME chain, or the resolved target's first address) and its
// local address: unmapped 523; then it forwards the request over plain
// HTTP and relays the answer (status, headers but the hop-by-hop ones,
// body) with its own Server and Cf-Ray in place of the origin's, except
// that an origin's 502 or 504 becomes the edge's own 502 or 504 error;
// refused 521, connection timeout 522, closed without an answer 520,
// answer timeout 524. For a name whose records are not proxied the visitor talks
// to the origin directly: its answer is relayed as is, without server:
// cloudflare or cf-ray, and any failure closes the connection. The
// simulator's lock is never held while resolving or contacting an origin.
func (s *Server) Edge() http.Handler {
	return http.HandlerFunc(s.serveEdge)
}

// EdgeDecision decides, from the simulator's state alone, what the edge
// answers a visitor at client for host (a port and a trailing dot are
// ignored). It resolves nothing and contacts no origin:
//   - 409 (error 1001, as the real edge answers it) when no zone holds an
//     A, AAAA or CNAME record named host;
//   - once origins are configured, 200 "dns only" when none of those
//     records is proxied: Cloudflare is not in the path;
//   - otherwise the enabled rules of the zone's http_request_firewall_custom
//     entrypoint run in order, each acting only if its expression matches
//     client (only the forms "ip.src in {...}" and "ip.src eq X" ever
//     match): a matching skip rule exempts client from the products it
//     lists (and with "ruleset" or "phase": "current" ends the custom
//     rules), a matching block rule answers 403 (error 1020), a matching
//     challenge, js_challenge or managed_challenge rule answers a 403
//     challenge;
//   - then, if the zone's security level is under_attack and no matching
//     skip rule listed the product securityLevel, a 403 challenge;
//   - then, as the origin is looked up only for a request the WAF let
//     through, 530 (error 1016) when the CNAME chain inside the simulated
//     zones leads nowhere, or leaves them while the edge resolves targets
//     without a resolver (see WithResolver);
//   - otherwise 200 "origin": the request goes on to the origin, whose
//     answer (or failure, see Edge) the edge relays.
//
// reason says which of these applied, naming the rule id when a rule decided.
func (s *Server) EdgeDecision(host string, client netip.Addr) (status int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	host = edgeHost(host)
	rt, z := s.route(host)
	d := s.decide(host, rt, z, client)
	return d.status, d.reason
}

// decide implements EdgeDecision for host routed as rt, z being the zone
// holding host (see route). The caller holds s.mu.
func (s *Server) decide(host string, rt edgeRoute, z *zoneState, client netip.Addr) edgeDecision {
	switch {
	case !rt.found:
		return edgeDecision{edgeNoDNS, http.StatusConflict, fmt.Sprintf("no A, AAAA or CNAME record for %q (error 1001)", host)}
	case s.originsSet && !rt.proxied:
		return edgeDecision{edgeDirect, http.StatusOK, "dns only: the visitor connects to the origin"}
	}
	skipped := map[string]bool{}
	if rs := z.rulesets[customPhase]; rs != nil {
		if d, decided := runCustomRules(rs, client, skipped); decided {
			return d
		}
	}
	switch {
	case z.security.value == "under_attack" && !skipped["securityLevel"]:
		return edgeDecision{edgeChallenge, http.StatusForbidden, "challenge: security level under_attack"}
	case rt.broken != "":
		return originDNSError(rt.broken)
	case rt.external != "" && s.resolves() && s.resolver == nil:
		return originDNSError(fmt.Sprintf("CNAME target %s: %v", rt.external, errNoResolver))
	}
	return edgeDecision{edgeOrigin, http.StatusOK, "origin"}
}

// originDNSError is the 530 of a CNAME target that does not resolve.
func originDNSError(why string) edgeDecision {
	return edgeDecision{edgeOriginDNS, 530, "origin dns error (error 1016): " + why}
}

// runCustomRules runs the enabled custom rules that match client, in
// order, recording skipped products; decided is true when a rule answered.
func runCustomRules(rs *Ruleset, client netip.Addr, skipped map[string]bool) (d edgeDecision, decided bool) {
	for _, r := range rs.Rules {
		if !r.Enabled || !exprMatches(r.Expression, client) {
			continue
		}
		switch r.Action {
		case "skip":
			var p skipParams
			_ = json.Unmarshal(r.ActionParameters, &p) // validated when stored; a foreign shape skips nothing
			for _, product := range p.Products {
				skipped[product] = true
			}
			if p.Ruleset == "current" || p.Phase == "current" {
				return edgeDecision{}, false
			}
		case "block":
			return edgeDecision{edgeBlock, http.StatusForbidden, "block: custom rule " + r.ID}, true
		case "challenge", "js_challenge", "managed_challenge":
			return edgeDecision{edgeChallenge, http.StatusForbidden, "challenge: custom rule " + r.ID}, true
		}
	}
	return edgeDecision{}, false
}

// edgeClient is the visitor's address: X-Sim-Client-IP when present (ok is
// false when it is malformed), else the TCP peer.
func edgeClient(r *http.Request) (netip.Addr, bool) {
	v := r.Header.Get(edgeClientHeader)
	if v == "" {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			v = host
		}
	}
	a, err := netip.ParseAddr(strings.TrimSpace(v))
	return a.Unmap(), err == nil
}

// edgeHost lower-cases host and drops a port and a trailing dot.
func edgeHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return normalizeZoneName(host)
}

// zoneForHost is the zone with the longest name that is host or a parent
// of it, or nil. The caller holds s.mu.
func (s *Server) zoneForHost(host string) *zoneState {
	for name := host; name != ""; {
		if z := s.zoneByName(name); z != nil {
			return z
		}
		_, parent, found := strings.Cut(name, ".")
		if !found {
			break
		}
		name = parent
	}
	return nil
}

// recordsNamed lists z's records named host.
func recordsNamed(z *zoneState, host string) []Record {
	var out []Record
	for _, r := range z.records {
		if r.Name == host {
			out = append(out, r)
		}
	}
	return out
}

// proxiedType reports whether r can route web traffic (A, AAAA or CNAME).
func proxiedType(r Record) bool {
	return r.Type == "A" || r.Type == "AAAA" || r.Type == "CNAME"
}
