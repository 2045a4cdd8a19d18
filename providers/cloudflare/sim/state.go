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
//	zones:
//	  - name: example.com
//	    records:
//	      - {name: home, type: CNAME, content: myhome.duckdns.org, proxied: true}
//	      - {name: "@", type: A, content: 198.51.100.20, ttl: 300, comment: "hand made"}
type State struct {
	Tokens []StateToken `json:"tokens" yaml:"tokens"`
	Zones  []StateZone  `json:"zones" yaml:"zones"`
}

// StateToken is a token of a state file; see TokenOptions.
type StateToken struct {
	Token    string   `json:"token" yaml:"token"`
	Account  bool     `json:"account" yaml:"account"`
	ReadOnly bool     `json:"read_only" yaml:"read_only"`
	Zones    []string `json:"zones" yaml:"zones"`
}

// StateZone is a zone of a state file with its records.
type StateZone struct {
	Name    string        `json:"name" yaml:"name"`
	Records []StateRecord `json:"records" yaml:"records"`
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
// without a secret and a zone whose name is not a valid domain name.
// Records are validated by Seed, with the API's rules.
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
	seen := map[string]bool{}
	for i, z := range st.Zones {
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

// Seed adds the state's tokens, zones and records, records validated as by
// the API. It stops at the first invalid record, naming it; what was added
// before stays, so discard the Server on error.
func (s *Server) Seed(st State) error {
	for _, t := range st.Tokens {
		s.AddToken(t.Token, TokenOptions{Account: t.Account, ReadOnly: t.ReadOnly, Zones: t.Zones})
	}
	for _, z := range st.Zones {
		zone := s.AddZone(z.Name)
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
