package sim

import (
	"encoding/json"
	"fmt"
)

// StateAccount is an account of a state file with its lists.
type StateAccount struct {
	ID    string      `json:"id" yaml:"id"` // 32 lower-hex chars
	Name  string      `json:"name" yaml:"name"`
	Lists []StateList `json:"lists" yaml:"lists"`
}

// StateList is a list of a state file; Kind "" means "ip".
type StateList struct {
	Name        string          `json:"name" yaml:"name"`
	Description string          `json:"description" yaml:"description"`
	Kind        string          `json:"kind" yaml:"kind"`
	Items       []StateListItem `json:"items" yaml:"items"`
}

// StateListItem is an item of an IP list of a state file.
type StateListItem struct {
	IP      string `json:"ip" yaml:"ip"`
	Comment string `json:"comment" yaml:"comment"`
}

// StateRule is a rule of a zone's http_request_firewall_custom entrypoint in
// a state file. ID is optional (32 lower-hex chars); Ref defaults to the
// id; Enabled defaults to true.
type StateRule struct {
	ID               string         `json:"id" yaml:"id"`
	Ref              string         `json:"ref" yaml:"ref"`
	Action           string         `json:"action" yaml:"action"`
	ActionParameters map[string]any `json:"action_parameters" yaml:"action_parameters"`
	Expression       string         `json:"expression" yaml:"expression"`
	Description      string         `json:"description" yaml:"description"`
	Enabled          *bool          `json:"enabled" yaml:"enabled"`
}

// StateAccessRule is an IP Access Rule of a zone in a state file.
type StateAccessRule struct {
	Mode   string `json:"mode" yaml:"mode"`
	Target string `json:"target" yaml:"target"`
	Value  string `json:"value" yaml:"value"`
	Notes  string `json:"notes" yaml:"notes"`
}

// checkAccounts validates the account ids and returns them as a set, with
// DefaultAccountID.
func (st State) checkAccounts() (map[string]bool, error) {
	ids := map[string]bool{DefaultAccountID: true}
	for i, a := range st.Accounts {
		switch {
		case !isHexID(a.ID):
			return nil, fmt.Errorf("accounts[%d]: id %q is not 32 lower-hex chars", i, a.ID)
		case ids[a.ID] && a.ID != DefaultAccountID:
			return nil, fmt.Errorf("accounts[%d]: account %q is listed twice", i, a.ID)
		}
		ids[a.ID] = true
	}
	return ids, nil
}

// seedAccounts adds the accounts and their lists and items.
func (s *Server) seedAccounts(accounts []StateAccount) error {
	for _, a := range accounts {
		s.AddAccount(a.ID, a.Name)
		for i, l := range a.Lists {
			list, err := s.AddList(a.ID, List{Name: l.Name, Description: l.Description, Kind: l.Kind})
			if err != nil {
				return fmt.Errorf("account %s: lists[%d] (%s): %w", a.ID, i, l.Name, err)
			}
			for j, it := range l.Items {
				if _, err := s.AddListItem(a.ID, list.ID, ListItem{IP: it.IP, Comment: it.Comment}); err != nil {
					return fmt.Errorf("account %s: list %s: items[%d]: %w", a.ID, l.Name, j, err)
				}
			}
		}
	}
	return nil
}

// seedZoneSecurity sets a seeded zone's account, security level, custom
// rules and access rules.
func (s *Server) seedZoneSecurity(zone string, z StateZone) error {
	if z.Account != "" {
		if err := s.SetZoneAccount(zone, z.Account); err != nil {
			return err
		}
	}
	if z.SecurityLevel != "" {
		if err := s.SetSecurityLevel(zone, z.SecurityLevel); err != nil {
			return err
		}
	}
	for i, r := range z.Rules {
		rule, err := r.rule()
		if err == nil {
			_, err = s.AddRule(zone, rule)
		}
		if err != nil {
			return fmt.Errorf("rules[%d] (%s): %w", i, r.Ref, err)
		}
	}
	for i, r := range z.AccessRules {
		ar := AccessRule{Mode: r.Mode, Target: r.Target, Value: r.Value, Notes: r.Notes}
		if _, err := s.AddAccessRule(zone, ar); err != nil {
			return fmt.Errorf("access_rules[%d] (%s %s): %w", i, r.Target, r.Value, err)
		}
	}
	return nil
}

// rule converts a state rule to a Rule.
func (r StateRule) rule() (Rule, error) {
	out := Rule{ID: r.ID, Ref: r.Ref, Action: r.Action, Expression: r.Expression, Description: r.Description, Enabled: true}
	if r.Enabled != nil {
		out.Enabled = *r.Enabled
	}
	if r.ActionParameters != nil {
		params, err := json.Marshal(r.ActionParameters)
		if err != nil {
			return Rule{}, fmt.Errorf("action_parameters: %w", err)
		}
		out.ActionParameters = params
	}
	return out, nil
}
