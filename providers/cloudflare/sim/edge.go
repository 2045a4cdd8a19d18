package sim

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// The simulated edge: what a visitor of a proxied hostname gets from
// Cloudflare, decided from the simulator's DNS records, custom WAF rules
// and security level. It never contacts an origin. Edge requests are not
// API calls: they are neither logged nor subject to faults.

// edgeClientHeader names the visitor's address in edge requests (tests set
// it); without it the TCP peer's address is used.
const edgeClientHeader = "X-Sim-Client-IP"

// edgeOutcome classifies an edge answer.
type edgeOutcome int

const (
	edgeOrigin    edgeOutcome = iota // 200 from the origin
	edgeNoDNS                        // 530, error 1001
	edgeBlock                        // 403 by a block rule, error 1020
	edgeChallenge                    // 403 challenge, cf-mitigated: challenge
)

// edgeDecision is the edge's answer to one request.
type edgeDecision struct {
	outcome edgeOutcome
	status  int
	reason  string
}

// challengeBody is the HTML of a challenge answer.
const challengeBody = `<!DOCTYPE html><html><head><title>Just a moment...</title></head>` +
	`<body><h1>Checking your browser</h1><p>Simulated Cloudflare challenge.</p></body></html>`

// Edge returns a handler that plays Cloudflare's edge for the simulated
// zones: the Host header names the hostname; the visitor is the address in
// X-Sim-Client-IP, else the TCP peer (a malformed header is a 400). Every
// answer carries "server: cloudflare" and a cf-ray; see EdgeDecision for
// what is answered.
func (s *Server) Edge() http.Handler {
	return http.HandlerFunc(s.serveEdge)
}

// EdgeDecision decides what the edge answers a visitor at client for host
// (a port and a trailing dot are ignored):
//   - 530 "error code: 1001" when no zone holds an A, AAAA or CNAME record
//     named host;
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
//   - otherwise 200 from the origin.
//
// reason says which of these applied, naming the rule id when a rule decided.
func (s *Server) EdgeDecision(host string, client netip.Addr) (status int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.decide(host, client)
	return d.status, d.reason
}

// decide implements EdgeDecision. The caller holds s.mu.
func (s *Server) decide(host string, client netip.Addr) edgeDecision {
	host = edgeHost(host)
	z := s.zoneForHost(host)
	if z == nil || !slices.ContainsFunc(recordsNamed(z, host), proxiedType) {
		return edgeDecision{edgeNoDNS, 530, fmt.Sprintf("no A, AAAA or CNAME record for %q (error 1001)", host)}
	}
	skipped := map[string]bool{}
	if rs := z.rulesets[customPhase]; rs != nil {
		if d, decided := runCustomRules(rs, client, skipped); decided {
			return d
		}
	}
	if z.security.value == "under_attack" && !skipped["securityLevel"] {
		return edgeDecision{edgeChallenge, http.StatusForbidden, "challenge: security level under_attack"}
	}
	return edgeDecision{edgeOrigin, http.StatusOK, "origin"}
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

func (s *Server) serveEdge(w http.ResponseWriter, r *http.Request) {
	client, ok := edgeClient(r)
	s.mu.Lock()
	ray := s.newRay()
	d := s.decide(r.Host, client)
	s.mu.Unlock()
	h := w.Header()
	h.Set("Server", "cloudflare")
	h.Set("Cf-Ray", ray)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("malformed " + edgeClientHeader + " header"))
		return
	}
	body := d.body()
	if d.outcome == edgeChallenge {
		h.Set("Cf-Mitigated", "challenge")
		h.Set("Content-Type", "text/html; charset=utf-8")
	}
	w.WriteHeader(d.status)
	_, _ = w.Write([]byte(body))
}

// body is the answer's body.
func (d edgeDecision) body() string {
	switch d.outcome {
	case edgeNoDNS:
		return "error code: 1001"
	case edgeBlock:
		return "error code: 1020"
	case edgeChallenge:
		return challengeBody
	}
	return "ok from origin"
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
