package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// TokenOptions describe an API token's scope.
type TokenOptions struct {
	// Account marks an account-owned token: it works on zone and DNS
	// endpoints, but GET /user/tokens/verify does not know it (401, code 1000).
	Account bool
	// ReadOnly tokens get 403 (code 10000) on every non-GET request.
	ReadOnly bool
	// Zones lists the zone names the token can see; empty means all. Other
	// zones do not exist for the token (absent from lists, 7003 by id).
	Zones []string
}

// token is a registered API token.
type token struct {
	id       string
	account  bool
	readOnly bool
	zones    map[string]bool // empty = all zones
}

// AddToken registers (or replaces) the bearer token secret with options o.
// Its id (reported by /user/tokens/verify) derives from registration order,
// never from the secret.
func (s *Server) AddToken(secret string, o TokenOptions) {
	t := &token{account: o.Account, readOnly: o.ReadOnly, zones: map[string]bool{}}
	for _, z := range o.Zones {
		t.zones[normalizeZoneName(z)] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenSeq++
	t.id = hexID("token", strconv.FormatUint(s.tokenSeq, 10))
	s.tokens[secret] = t
}

// canSee reports whether the token has access to the zone named name.
func (t *token) canSee(name string) bool {
	return len(t.zones) == 0 || t.zones[name]
}

// bearerToken extracts the secret of an "Authorization: Bearer <token>"
// header; a missing or malformed header is a 400 (code 6003).
func bearerToken(h http.Header) (string, *apiError) {
	scheme, secret, ok := strings.Cut(h.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" || strings.ContainsAny(secret, " \t") {
		return "", errBadHeaders()
	}
	return secret, nil
}

// tokenStatus is the result of GET /user/tokens/verify.
type tokenStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// verifyToken answers GET /user/tokens/verify. Like the real endpoint it
// only knows user tokens: account-owned and unknown tokens get 401, code 1000.
func (s *Server) verifyToken(c *call) (reply, *apiError) {
	if c.token == nil || c.token.account {
		return reply{}, errInvalidToken()
	}
	return reply{
		result:   tokenStatus{ID: c.token.id, Status: "active"},
		messages: []message{{Code: 10000, Message: "This API Token is valid and active"}},
	}, nil
}
