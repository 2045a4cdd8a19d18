package sim

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Zone is a simulated zone as the Go API reports it. Over HTTP it is
// rendered as the API's full zone object (plan, owner, name servers, ...).
type Zone struct {
	ID        string    // 32 lower-hex chars derived from Name
	Name      string    // lower case, no trailing dot
	Status    string    // "active", unless set by AddZoneCopy
	Account   string    // id of the owning account; DefaultAccountID unless set
	CreatedOn time.Time // UTC; also reported as modified_on and activated_on
}

// zoneState is a zone, its DNS records keyed by record id, and its
// security settings.
type zoneState struct {
	zone        Zone
	records     map[string]Record
	security    setting             // security_level
	rulesets    map[string]*Ruleset // entrypoint rulesets, by phase
	accessRules []AccessRule        // IP Access Rules, in creation order
}

// clone copies z's zone and records so a batch can work on them (the other
// fields stay empty); records are values, and their tag slices are never
// modified in place, so a shallow map copy suffices.
func (z *zoneState) clone() *zoneState {
	return &zoneState{zone: z.zone, records: maps.Clone(z.records)}
}

// AddZone adds an active zone named name (case-insensitive, a trailing dot
// ignored), owned by the default account, and returns it. The ID is derived from the name, so it is the
// same in every run. Adding an existing zone returns it unchanged. The name
// is not validated (ParseState does that for state files).
func (s *Server) AddZone(name string) Zone {
	name = normalizeZoneName(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	id := hexID("zone", name)
	if z, ok := s.zones[id]; ok {
		return z.zone
	}
	now := s.now()
	z := &zoneState{
		zone:     Zone{ID: id, Name: name, Status: "active", Account: DefaultAccountID, CreatedOn: now},
		records:  map[string]Record{},
		security: setting{value: defaultSecurityLevel, modifiedOn: now},
		rulesets: map[string]*Ruleset{},
	}
	s.zones[id] = z
	return z.zone
}

// AddZoneCopy adds one more zone named name (a zone re-added in another
// account, or mid-move), with an id of its own and the given status
// ("active", "pending", "initializing" or "moved"; not checked): the zone
// listing then shows the name more than once. The calls that take a zone
// name (AddRecord, Records, ...) and the edge keep using the zone AddZone
// made; the copy is reached over HTTP by its id. It returns the copy.
func (s *Server) AddZoneCopy(name, status string) Zone {
	name = normalizeZoneName(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	id := hexID("zone", fmt.Sprintf("%s#%d", name, len(s.zones)))
	now := s.now()
	s.zones[id] = &zoneState{
		zone:     Zone{ID: id, Name: name, Status: status, Account: DefaultAccountID, CreatedOn: now},
		records:  map[string]Record{},
		security: setting{value: defaultSecurityLevel, modifiedOn: now},
		rulesets: map[string]*Ruleset{},
	}
	return s.zones[id].zone
}

// Zones returns all zones sorted by name.
func (s *Server) Zones() []Zone {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Zone, 0, len(s.zones))
	for _, z := range s.sortedZones() {
		out = append(out, z.zone)
	}
	return out
}

// sortedZones lists the zones by name. The caller holds s.mu.
func (s *Server) sortedZones() []*zoneState {
	zs := slices.Collect(maps.Values(s.zones))
	slices.SortFunc(zs, func(a, b *zoneState) int {
		return cmp.Or(strings.Compare(a.zone.Name, b.zone.Name), strings.Compare(a.zone.ID, b.zone.ID))
	})
	return zs
}

// zoneByName finds a zone by name, or nil. The caller holds s.mu.
func (s *Server) zoneByName(name string) *zoneState {
	return s.zones[hexID("zone", normalizeZoneName(name))]
}

// seededZone is zoneByName for the Go API that seeds and edits the
// simulator, whose callers name a zone that must exist: else an error. The
// caller holds s.mu.
func (s *Server) seededZone(name string) (*zoneState, error) {
	if z := s.zoneByName(name); z != nil {
		return z, nil
	}
	return nil, fmt.Errorf("cloudflare sim: no zone %q", name)
}

// resolveZone sets c.zone when the path is under /zones/{id}. An id that is
// malformed, unknown or not visible to the token is a 400 (code 7003).
func (s *Server) resolveZone(c *call) *apiError {
	segs := segments(c.path)
	if len(segs) < 2 || segs[0] != "zones" {
		return nil
	}
	z := s.zones[segs[1]]
	if !isHexID(segs[1]) || z == nil || c.token == nil || !c.token.canSee(z.zone.Name) {
		return errBadObjectID(c.path)
	}
	c.zone = z
	return nil
}

func normalizeZoneName(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

// lockZone takes s.mu and returns the named zone (seededZone) and the
// function that releases s.mu; on error s.mu is not held.
func (s *Server) lockZone(name string) (*zoneState, func(), error) {
	s.mu.Lock()
	z, err := s.seededZone(name)
	if err != nil {
		s.mu.Unlock()
		return nil, nil, err
	}
	return z, s.mu.Unlock, nil
}
