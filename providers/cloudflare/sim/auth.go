package sim

import (
	"net/http"
	"net/netip"
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
	// ClientIPs restricts the token to clients in these prefixes (the
	// dashboard's "Client IP Address Filtering"); empty means any. A
	// request from elsewhere gets 403, code 9109, whatever its route.
	ClientIPs []netip.Prefix
}

// token is a registered API token.
type token struct {
	id        string
	account   bool
	readOnly  bool
	zones     map[string]bool // empty = all zones
	clientIPs []netip.Prefix  // empty = any client
}

// AddToken registers (or replaces) the bearer token secret with options o.
// Its id (reported by /user/tokens/verify) derives from registration order,
// never from the secret.
func (s *Server) AddToken(secret string, o TokenOptions) {
	t := &token{account: o.Account, readOnly: o.ReadOnly, zones: map[string]bool{}}
	for _, z := range o.Zones {
		t.zones[normalizeZoneName(z)] = true
	}
	for _, p := range o.ClientIPs {
		t.clientIPs = append(t.clientIPs, p.Masked())
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

// allows reports whether the token may be used from addr.
func (t *token) allows(addr netip.Addr) bool {
	if len(t.clientIPs) == 0 {
		return true
	}
	for _, p := range t.clientIPs {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// authenticate sets c.token from the credential headers: malformed ones
// are a 400 (code 6003, see credentials); an unknown token is a 403 (code
// 10000) unless selfAuth (the route answers unknown tokens itself); a
// known token used from an address it is not allowed from is a 403 (code
// 9109).
func (s *Server) authenticate(c *call, selfAuth bool) *apiError {
	secret, err := credentials(c.header)
	if err != nil {
		return err
	}
	c.token = s.tokens[secret]
	switch {
	case c.token == nil && !selfAuth:
		return errAuth()
	case c.token != nil && !c.token.allows(c.remote):
		return errLocation(c.remote.String())
	}
	return nil
}

// credentials extracts the secret of an "Authorization: Bearer <token>"
// header. A malformed one is a 400 (code 6003) whose error chain holds
// 6111. Without an Authorization header the API expects the legacy
// X-Auth-Email and X-Auth-Key headers: see legacyCredentials.
func credentials(h http.Header) (string, *apiError) {
	if len(h.Values("Authorization")) == 0 {
		return "", legacyCredentials(h)
	}
	scheme, secret, ok := strings.Cut(h.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" || strings.ContainsAny(secret, " \t") {
		return "", errBadHeaders(message{Code: codeBadAuthorization, Message: "Invalid format for Authorization header"})
	}
	return secret, nil
}

// legacyCredentials answers a request without an Authorization header: a
// 400 (code 6003) whose error chain names each legacy header that is
// missing (6100, 6101) or malformed (6102, 6103). Well-formed legacy
// credentials are a 403 (code 10000): the simulator has no global API keys.
func legacyCredentials(h http.Header) *apiError {
	var causes []message
	email, key := h.Get("X-Auth-Email"), h.Get("X-Auth-Key")
	switch {
	case email == "":
		causes = append(causes, message{Code: codeMissingEmail, Message: "Missing X-Auth-Email header"})
	case !plausibleEmail(email):
		causes = append(causes, message{Code: codeBadEmail, Message: "Invalid format for X-Auth-Email header"})
	}
	switch {
	case key == "":
		causes = append(causes, message{Code: codeMissingKey, Message: "Missing X-Auth-Key header"})
	case len(key) != 37 || !isLowerHex(key):
		causes = append(causes, message{Code: codeBadKey, Message: "Invalid format for X-Auth-Key header"})
	}
	if len(causes) == 0 {
		return errAuth()
	}
	return errBadHeaders(causes...)
}

// plausibleEmail reports whether v has the shape local@domain, without spaces.
func plausibleEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(v, " \t")
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
