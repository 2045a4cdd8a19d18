package sim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Record is a DNS record. Its JSON form is the API's of today: the fields
// below plus "meta": {} and "settings": {}; "comment" is null when empty and
// "tags" is always an array. Like real answers since 2025 it carries no
// zone_id, zone_name or locked (see api_corpus_test.go).
type Record struct {
	ID         string    `json:"id"`   // 32 lower-hex chars
	Name       string    `json:"name"` // FQDN, lower case
	Type       string    `json:"type"`
	Content    string    `json:"content"`
	Proxiable  bool      `json:"proxiable"`
	Proxied    bool      `json:"proxied"`
	TTL        int       `json:"ttl"` // 1 = automatic; always 1 when proxied
	Comment    string    `json:"comment,omitempty"`
	Tags       []string  `json:"tags"`
	CreatedOn  time.Time `json:"created_on"`
	ModifiedOn time.Time `json:"modified_on"`
}

// MarshalJSON renders r as the API does.
func (r Record) MarshalJSON() ([]byte, error) {
	type plain Record
	wire := struct {
		plain
		Comment  *string  `json:"comment"` // shadows plain's: null when empty
		Meta     struct{} `json:"meta"`
		Settings struct{} `json:"settings"`
	}{plain: plain(r)}
	if r.Comment != "" {
		wire.Comment = &r.Comment
	}
	if wire.Tags == nil {
		wire.Tags = []string{}
	}
	return json.Marshal(wire)
}

// AddRecord creates r in the zone named zone with the API's validation
// (name, content, TTL, proxied, comment, CNAME conflicts, duplicates) and
// returns it as stored. r.Name may be relative, "@" or an FQDN; r.TTL 0
// means 1 (automatic); r.ID, when set, must be 32 lower-hex chars unused
// in every zone, otherwise the next counter-derived id is used. The
// change is not logged as a request.
func (s *Server) AddRecord(zone string, r Record) (Record, error) {
	z, unlock, zerr := s.lockZone(zone)
	if zerr != nil {
		return Record{}, zerr
	}
	defer unlock()
	if r.ID != "" && (!isHexID(r.ID) || s.recordIDTaken(r.ID, z)) {
		return Record{}, fmt.Errorf("cloudflare sim: record id %q is malformed or already used", r.ID)
	}
	if r.TTL == 0 {
		r.TTL = 1
	}
	out, err := s.store(z, r, r.ID, s.now())
	if err != nil {
		return Record{}, err
	}
	return out, nil
}

// UpdateRecord applies mutate to a copy of a record, like an edit in the
// dashboard: the result is validated as by the API, stored with a new
// modified_on, and not logged. Changes to ID, CreatedOn, ModifiedOn and
// Proxiable are ignored. mutate must not retain the pointer.
func (s *Server) UpdateRecord(zone, id string, mutate func(*Record)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	z, old, err := s.lookup(zone, id)
	if err != nil {
		return err
	}
	r := old
	r.Tags = slices.Clone(old.Tags)
	if mutate != nil {
		mutate(&r)
	}
	if _, err := s.store(z, r, id, s.now()); err != nil {
		return err
	}
	return nil
}

// DeleteRecord removes a record, unlogged.
func (s *Server) DeleteRecord(zone, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	z, _, err := s.lookup(zone, id)
	if err != nil {
		return err
	}
	delete(z.records, id)
	return nil
}

// Records returns a snapshot (a deep copy) of a zone's records sorted by
// name, type and content: empty for an empty zone, nil for an unknown zone.
func (s *Server) Records(zone string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	z := s.zoneByName(zone)
	if z == nil {
		return nil
	}
	out := make([]Record, 0, len(z.records))
	for _, r := range z.records {
		r.Tags = slices.Clone(r.Tags)
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Record) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Type, b.Type),
			cmp.Compare(a.Content, b.Content), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// lookup finds a zone by name and a record in it. The caller holds s.mu.
func (s *Server) lookup(zone, id string) (*zoneState, Record, error) {
	z, zerr := s.seededZone(zone)
	if zerr != nil {
		return nil, Record{}, zerr
	}
	r, ok := z.records[id]
	if !ok {
		return nil, Record{}, fmt.Errorf("cloudflare sim: zone %q has no record %q", zone, id)
	}
	return z, r, nil
}
