package sim

import (
	"fmt"
	"strings"
)

// DefaultAccountID is the account that owns every zone not given another
// one (AddAccount, SetZoneAccount, or "account" in a state file). It always
// exists. It equals hexID("account", "sim").
const DefaultAccountID = "1e6becffa38646f6dd73b02ac3d346ff"

// defaultAccountName is the default account's name until AddAccount renames it.
const defaultAccountName = "Simulated account"

// accountState is an account and its lists, in creation order.
type accountState struct {
	id    string
	name  string
	lists []*listState
}

func newAccount(id, name string) *accountState {
	return &accountState{id: id, name: name}
}

// AddAccount registers the account id (case-insensitive, stored lower case)
// named name, or renames it when it exists. Like AddZone it does not
// validate (ParseState checks that state-file ids are 32 lower-hex chars).
func (s *Server) AddAccount(id, name string) {
	id = strings.ToLower(strings.TrimSpace(id))
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[id]; ok {
		a.name = name
		return
	}
	s.accounts[id] = newAccount(id, name)
}

// SetZoneAccount makes account (registered with AddAccount, or
// DefaultAccountID) the owner of zone. It is reported in the zone's JSON
// and decides which tokens see the account's lists.
func (s *Server) SetZoneAccount(zone, account string) error {
	account = strings.ToLower(strings.TrimSpace(account))
	z, unlock, zerr := s.lockZone(zone)
	if zerr != nil {
		return zerr
	}
	defer unlock()
	if s.accounts[account] == nil {
		return fmt.Errorf("cloudflare sim: no account %q", account)
	}
	z.zone.Account = account
	return nil
}

// accountName is the name of account id ("" if unknown). The caller holds s.mu.
func (s *Server) accountName(id string) string {
	if a := s.accounts[id]; a != nil {
		return a.name
	}
	return ""
}

// resolveAccount sets c.account when the path is under /accounts/{id}. An
// id that is unknown or not visible to the token is a 400 (code 7003), like
// an unknown zone.
func (s *Server) resolveAccount(c *call) *apiError {
	segs := segments(c.path)
	if len(segs) < 2 || segs[0] != "accounts" {
		return nil
	}
	a := s.accounts[segs[1]]
	if a == nil || c.token == nil || !s.canSeeAccount(c.token, a) {
		return errBadObjectID(c.path)
	}
	c.account = a
	return nil
}

// canSeeAccount reports whether token t may use account a: a token without
// a zone restriction sees every account, a restricted one only the accounts
// owning a zone it can see. The caller holds s.mu.
func (s *Server) canSeeAccount(t *token, a *accountState) bool {
	if len(t.zones) == 0 {
		return true
	}
	for _, z := range s.zones {
		if z.zone.Account == a.id && t.canSee(z.zone.Name) {
			return true
		}
	}
	return false
}
