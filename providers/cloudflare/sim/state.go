package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// State is a simulator's initial content, as read from a state file:
//
//	tokens:
//	  - {token: sim-token, read_only: false, account: false, zones: [example.com]}
//	accounts:
//	  - id: 0123456789abcdef0123456789abcdef
//	    name: Home
//	    lists:
//	      - {name: scripts, description: "", kind: ip, items: [{ip: 203.0.113.7, comment: cron}]}
//	zones:
//	  - name: example.com
//	    account: 0123456789abcdef0123456789abcdef   # default: DefaultAccountID
//	    security_level: under_attack                 # default: medium
//	    records:
//	      - {name: home, type: CNAME, content: myhome.duckdns.org, proxied: true}
//	      - {name: "@", type: A, content: 198.51.100.20, ttl: 300, comment: "hand made"}
//	    rules:   # the http_request_firewall_custom entrypoint, in order
//	      - ref: scripts
//	        action: skip
//	        action_parameters: {ruleset: current, products: [securityLevel]}
//	        expression: "(ip.src in {203.0.113.7})"
//	        enabled: true   # default true
//	    access_rules:
//	      - {mode: whitelist, target: ip, value: 203.0.113.7, notes: "hand made"}
type State struct {
	Tokens   []StateToken   `json:"tokens" yaml:"tokens"`
	Accounts []StateAccount `json:"accounts" yaml:"accounts"`
	Zones    []StateZone    `json:"zones" yaml:"zones"`
}

// StateToken is a token of a state file; see TokenOptions.
type StateToken struct {
	Token    string   `json:"token" yaml:"token"`
	Account  bool     `json:"account" yaml:"account"`
	ReadOnly bool     `json:"read_only" yaml:"read_only"`
	Zones    []string `json:"zones" yaml:"zones"`
}

// StateZone is a zone of a state file with its records, custom rules and
// access rules. Account is "" (the default account) or the id of one of
// the state's accounts; SecurityLevel "" means medium.
type StateZone struct {
	Name          string            `json:"name" yaml:"name"`
	Account       string            `json:"account" yaml:"account"`
	SecurityLevel string            `json:"security_level" yaml:"security_level"`
	Records       []StateRecord     `json:"records" yaml:"records"`
	Rules         []StateRule       `json:"rules" yaml:"rules"`
	AccessRules   []StateAccessRule `json:"access_rules" yaml:"access_rules"`
}

// StateRecord is a DNS record of a state file. Name is relative to the
// zone, "@" for the apex, or an FQDN; TTL 0 means 1 (automatic); ID is
// optional (32 lower-hex chars).
type StateRecord struct {
	ID      string   `json:"id" yaml:"id"`
	Name    string   `json:"name" yaml:"name"`
	Type    string   `json:"type" yaml:"type"`
	Content string   `json:"content" yaml:"content"`
	Proxied bool     `json:"proxied" yaml:"proxied"`
	TTL     int      `json:"ttl" yaml:"ttl"`
	Comment string   `json:"comment" yaml:"comment"`
	Tags    []string `json:"tags" yaml:"tags"`
}

// ParseState reads a state file in YAML or JSON (any valid JSON document
// is read as JSON). Unknown keys are errors that name the key; so are a token
// without a secret, a zone whose name is not a valid domain name, an
// account id that is not 32 lower-hex chars or is listed twice, and a zone
// account that is not listed. Records, rules, access rules and lists are
// validated by Seed, with the API's rules.
func ParseState(data []byte) (State, error) {
	var st State
	if err := decodeStrict(data, &st); err != nil {
		return State{}, fmt.Errorf("sim state: %w", err)
	}
	if err := st.check(); err != nil {
		return State{}, fmt.Errorf("sim state: %w", err)
	}
	return st, nil
}

// LoadState reads and parses the state file at path.
func LoadState(path string) (State, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return State{}, fmt.Errorf("sim state: %w", err)
	}
	st, err := ParseState(data)
	if err != nil {
		return State{}, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

func decodeStrict(data []byte, v any) error {
	if json.Valid(data) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func (st State) check() error {
	for i, t := range st.Tokens {
		if t.Token == "" {
			return fmt.Errorf("tokens[%d]: token is empty", i)
		}
	}
	accounts, err := st.checkAccounts()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, z := range st.Zones {
		if z.Account != "" && !accounts[z.Account] {
			return fmt.Errorf("zones[%d]: account %q is not listed in accounts", i, z.Account)
		}
		name := normalizeZoneName(z.Name)
		if !validHostname(name, false) || !strings.Contains(name, ".") {
			return fmt.Errorf("zones[%d]: %q is not a valid zone name", i, z.Name)
		}
		if seen[name] {
			return fmt.Errorf("zones[%d]: zone %q is listed twice", i, name)
		}
		seen[name] = true
	}
	return nil
}

// Seed adds the state's tokens, accounts (with their lists), zones and
// their records, rules and access rules, all validated as by the API. It
// stops at the first invalid item, naming it; what was added before stays,
// so discard the Server on error.
func (s *Server) Seed(st State) error {
	for _, t := range st.Tokens {
		s.AddToken(t.Token, TokenOptions{Account: t.Account, ReadOnly: t.ReadOnly, Zones: t.Zones})
	}
	if err := s.seedAccounts(st.Accounts); err != nil {
		return fmt.Errorf("sim state: %w", err)
	}
	for _, z := range st.Zones {
		zone := s.AddZone(z.Name)
		if err := s.seedZoneSecurity(zone.Name, z); err != nil {
			return fmt.Errorf("sim state: zone %s: %w", zone.Name, err)
		}
		for i, r := range z.Records {
			rec := Record{ID: r.ID, Name: r.Name, Type: r.Type, Content: r.Content,
				Proxied: r.Proxied, TTL: r.TTL, Comment: r.Comment, Tags: r.Tags}
			if _, err := s.AddRecord(zone.Name, rec); err != nil {
				return fmt.Errorf("sim state: zone %s: records[%d] (%s %s): %w", zone.Name, i, r.Type, r.Name, err)
			}
		}
	}
	return nil
}
