package sim

import (
	"errors"
	"fmt"
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
	if !ok {
		writeEdgeText(w, p.ray, http.StatusBadRequest, "malformed "+edgeClientHeader+" header")
		return
	}
	if p.decision.outcome == edgeDirect {
		s.serveDirect(w, r, p.route, client)
		return
	}
	if p.decision.outcome != edgeOrigin { // the WAF answered, or no DNS
		writeDecision(w, p.ray, p.decision)
		return
	}
	addr := p.route.addr
	if p.resolve {
		a, err := s.resolveTarget(r.Context(), p.route.external)
		if err != nil {
			writeDecision(w, p.ray, originDNSError(err.Error()))
			return
		}
		addr = a
	}
	if !p.origins {
		writeDecision(w, p.ray, p.decision)
		return
	}
	s.serveOrigin(w, r, p.ray, addr, client)
}

// serveOrigin forwards a proxied request to the origin at addr and relays
// its answer, or answers the 52x of the failure.
func (s *Server) serveOrigin(w http.ResponseWriter, r *http.Request, ray string, addr, client netip.Addr) {
	local, ok := s.originAddr(addr)
	if !ok {
		writeEdgeText(w, ray, 523, "error code: 523")
		return
	}
	ans, err := s.fetchOrigin(r.Context(), r, local, client)
	var oe *originError
	if errors.As(err, &oe) {
		writeEdgeText(w, ray, oe.status, fmt.Sprintf("error code: %d", oe.status))
		return
	}
	h := w.Header()
	h.Set("Server", "cloudflare")
	h.Set("Cf-Ray", ray)
	if ct := ans.header.Get("Content-Type"); ct != "" {
		h.Set("Content-Type", ct)
	}
	w.WriteHeader(ans.status)
	_, _ = w.Write(ans.body)
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
	h := w.Header()
	for k, v := range ans.header {
		switch k {
		case "Connection", "Content-Length", "Transfer-Encoding", "Keep-Alive":
		default:
			h[k] = v
		}
	}
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

// writeDecision writes the edge's own answer d.
func writeDecision(w http.ResponseWriter, ray string, d edgeDecision) {
	switch d.outcome {
	case edgeChallenge:
		w.Header().Set("Cf-Mitigated", "challenge")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	case edgeOriginDNS:
		w.Header().Set("Cf-Error-Type", "origin-dns")
	}
	writeEdgeText(w, ray, d.status, d.body())
}

// writeEdgeText writes an answer of the edge itself: server: cloudflare, a
// cf-ray, and a plain text body unless a content type is already set.
func writeEdgeText(w http.ResponseWriter, ray string, status int, body string) {
	h := w.Header()
	h.Set("Server", "cloudflare")
	h.Set("Cf-Ray", ray)
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// body is the body of the edge's own answer d.
func (d edgeDecision) body() string {
	switch d.outcome {
	case edgeNoDNS:
		return "error code: 1001"
	case edgeOriginDNS:
		return "error code: 1016"
	case edgeBlock:
		return "error code: 1020"
	case edgeChallenge:
		return challengeBody
	}
	return "ok from origin"
}
