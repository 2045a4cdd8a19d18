package sim

import (
	"errors"
	"net/http"
	"net/netip"
)

// edgePlan is what the edge decided about a request under the lock; the
// rest (resolution, origin) happens without it.
type edgePlan struct {
	ray      string
	route    edgeRoute
	decision edgeDecision
	resolve  bool // route.external is to be resolved before answering
	origins  bool // origins are configured: forward instead of "ok from origin"
}

// plan decides about a request for host from client under s.mu.
func (s *Server) plan(host string, client netip.Addr) edgePlan {
	s.mu.Lock()
	defer s.mu.Unlock()
	host = edgeHost(host)
	rt, z := s.route(host)
	p := edgePlan{ray: s.newRay(), route: rt, origins: s.originsSet}
	p.decision = s.decide(host, rt, z, client)
	p.resolve = p.decision.outcome == edgeOrigin && p.route.external != "" && s.resolves()
	return p
}

// serveEdge answers one visitor; see Edge.
func (s *Server) serveEdge(w http.ResponseWriter, r *http.Request) {
	client, ok := edgeClient(r)
	p := s.plan(r.Host, client)
	v := newEdgeVisit(r, p.ray)
	if !ok {
		v.writeText(w, http.StatusBadRequest, "malformed "+edgeClientHeader+" header")
		return
	}
	if p.decision.outcome == edgeDirect {
		s.serveDirect(w, r, p.route, client)
		return
	}
	if p.decision.outcome != edgeOrigin { // the WAF answered, or no DNS
		v.writeDecision(w, p.decision)
		return
	}
	addr := p.route.addr
	if p.resolve {
		a, err := s.resolveTarget(r.Context(), p.route.external)
		if err != nil {
			v.writeDecision(w, originDNSError(err.Error()))
			return
		}
		addr = a
	}
	if !p.origins {
		v.writeText(w, http.StatusOK, "ok from origin")
		return
	}
	s.serveOrigin(w, r, v, addr, client)
}

// serveOrigin forwards a proxied request to the origin at addr and relays
// its answer, or answers the 52x of the failure. An origin's 502 or 504
// is answered with the edge's own 502 or 504 error, as the real edge does.
func (s *Server) serveOrigin(w http.ResponseWriter, r *http.Request, v edgeVisit, addr, client netip.Addr) {
	local, ok := s.originAddr(addr)
	if !ok {
		v.writeError(w, 523, 523)
		return
	}
	ans, err := s.fetchOrigin(r.Context(), r, local, client)
	var oe *originError
	switch {
	case errors.As(err, &oe):
		v.writeError(w, oe.status, oe.status)
		return
	case ans.status == http.StatusBadGateway || ans.status == http.StatusGatewayTimeout:
		v.writeError(w, ans.status, ans.status) // the real edge shows its own page for these
		return
	}
	h := w.Header()
	copyHeader(h, ans.header)
	h.Set("Server", "cloudflare")
	h.Set("Cf-Ray", v.ray)
	w.WriteHeader(ans.status)
	_, _ = w.Write(ans.body)
}

// copyHeader adds the end-to-end headers of from to h: all but the
// hop-by-hop ones and the length, which the edge's own connection sets.
func copyHeader(h, from http.Header) {
	for k, vs := range from {
		switch k {
		case "Connection", "Content-Length", "Transfer-Encoding", "Keep-Alive", "Proxy-Connection",
			"Te", "Trailer", "Upgrade":
		default:
			h[k] = vs
		}
	}
}

// serveDirect plays a visitor talking to the origin of a name that is not
// proxied: the origin's answer as is, or a failed connection.
func (s *Server) serveDirect(w http.ResponseWriter, r *http.Request, rt edgeRoute, client netip.Addr) {
	addr := rt.addr
	if rt.external != "" {
		a, err := s.resolveTarget(r.Context(), rt.external)
		if err != nil {
			abortConnection(w)
			return
		}
		addr = a
	}
	local, ok := s.originAddr(addr)
	if !addr.IsValid() || !ok {
		abortConnection(w)
		return
	}
	ans, err := s.fetchOrigin(r.Context(), r, local, client)
	if err != nil {
		abortConnection(w)
		return
	}
	copyHeader(w.Header(), ans.header)
	w.WriteHeader(ans.status)
	_, _ = w.Write(ans.body)
}

// abortConnection closes the visitor's connection without an answer.
func abortConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// writeDecision writes the edge's own answer d (a challenge, a block or
// a DNS error).
func (v edgeVisit) writeDecision(w http.ResponseWriter, d edgeDecision) {
	switch d.outcome {
	case edgeChallenge:
		v.writeChallenge(w)
	case edgeNoDNS:
		v.writeError(w, d.status, 1001)
	case edgeOriginDNS:
		v.writeError(w, d.status, 1016)
	case edgeBlock:
		v.writeError(w, d.status, 1020)
	default:
		v.writeText(w, d.status, "ok from origin")
	}
}
