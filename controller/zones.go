package controller

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// NameSpec is one managed name as configured.
type NameSpec struct {
	// Field is the config path used in errors, e.g. "records[2]".
	Field string
	Name  string
	// Zone pins the zone by name; empty means the longest matching suffix.
	Zone          string
	Proxied       *bool
	TTL           *int
	TakeoverCNAME bool
	// TakeoverOnFailure takes the CNAME over only in a pass asked to
	// (PassOptions.Takeover), when health checks found its target down.
	TakeoverOnFailure bool
	// IPv6Host, when set, places the name's AAAA under the detected prefix.
	IPv6Host IPv6Host
	// Uplinks and UplinkMode, when Uplinks is set, make the name follow
	// those uplinks (see DesiredName).
	Uplinks    []string
	UplinkMode UplinkMode
}

// MatchZones resolves each spec to its zone: the pinned zone, or the zone
// whose name is the longest suffix of the record name. Zones listed more
// than once are chosen between as ChooseZones does; a spec whose zone is
// ambiguous gets an error naming the zone and its ids, never the zone of a
// shorter suffix. Specs that match no zone are returned as errors naming
// their config field; the others are returned in input order.
func MatchZones(specs []NameSpec, listed []Zone) ([]DesiredName, []error) {
	zones, choices := ChooseZones(listed)
	ambiguous := map[string]ZoneChoice{}
	for _, c := range choices {
		if c.Ambiguous() {
			ambiguous[c.Name] = c
		}
	}
	var out []DesiredName
	var errs []error
	for _, s := range specs {
		z, err := matchZone(s, zones, ambiguous)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, DesiredName{Zone: z, Name: NormalizeName(s.Name), Proxied: s.Proxied, TTL: s.TTL,
			TakeoverCNAME: s.TakeoverCNAME, TakeoverOnFailure: s.TakeoverOnFailure, IPv6Host: s.IPv6Host,
			Uplinks: s.Uplinks, UplinkMode: s.UplinkMode})
	}
	return out, errs
}

func matchZone(s NameSpec, zones []Zone, ambiguous map[string]ZoneChoice) (Zone, error) {
	name := NormalizeName(s.Name)
	if s.Zone != "" {
		return pinnedZone(s, name, zones, ambiguous)
	}
	var best Zone
	for _, z := range zones {
		if InZone(name, z.Name) && len(z.Name) > len(best.Name) {
			best = z
		}
	}
	longest := ""
	for zname := range ambiguous {
		if InZone(name, zname) && len(zname) > len(longest) {
			longest = zname
		}
	}
	if len(longest) > len(best.Name) {
		return Zone{}, fmt.Errorf("%s.name: %s: %w", s.Field, name, ambiguous[longest].Err())
	}
	if best.ID == "" {
		return Zone{}, fmt.Errorf("%s.name: %s is not inside any zone the api token can see", s.Field, name)
	}
	return best, nil
}

func pinnedZone(s NameSpec, name string, zones []Zone, ambiguous map[string]ZoneChoice) (Zone, error) {
	pinned := NormalizeName(s.Zone)
	if c, ok := ambiguous[pinned]; ok {
		return Zone{}, fmt.Errorf("%s.zone: %w", s.Field, c.Err())
	}
	for _, z := range zones {
		if strings.EqualFold(z.Name, pinned) {
			if !InZone(name, z.Name) {
				return Zone{}, fmt.Errorf("%s.name: %s is not inside its zone %s", s.Field, name, z.Name)
			}
			return z, nil
		}
	}
	return Zone{}, fmt.Errorf("%s.zone: zone %s is not visible to the api token", s.Field, pinned)
}

// ZoneChoice is what ChooseZones decided for a name listed more than once.
type ZoneChoice struct {
	Name   string
	Listed []Zone // every zone listed under Name, in listing order
	Chosen Zone   // the only active one; zero when ambiguous
}

// Ambiguous reports whether no zone could be chosen.
func (c ZoneChoice) Ambiguous() bool { return c.Chosen.ID == "" }

// Ignored returns the zones listed under the name but not chosen.
func (c ZoneChoice) Ignored() []Zone {
	return slices.DeleteFunc(slices.Clone(c.Listed), func(z Zone) bool { return z.ID == c.Chosen.ID })
}

// Err says why an ambiguous name has no zone.
func (c ZoneChoice) Err() error {
	active := len(slices.DeleteFunc(slices.Clone(c.Listed), func(z Zone) bool { return z.Status != ZoneActive }))
	why := "none is active"
	if active > 1 {
		why = fmt.Sprintf("%d are active", active)
	}
	return fmt.Errorf("zone %s is listed %d times (%s) and %s: nothing is written in it",
		c.Name, len(c.Listed), ZoneIDs(c.Listed), why)
}

// ZoneIDs renders zones as "id (status), id (status)".
func ZoneIDs(zones []Zone) string {
	parts := make([]string, len(zones))
	for i, z := range zones {
		parts[i] = fmt.Sprintf("%s (%s)", z.ID, cmp.Or(z.Status, "status unknown"))
	}
	return strings.Join(parts, ", ")
}

// ChooseZones keeps one zone per name (a zone id listed twice counts
// once). A name listed once keeps its zone, whatever its status. A name
// listed more than once (a zone re-added in another account, or mid-move)
// keeps its only active zone; with none or several active it is ambiguous
// and keeps none: nothing is read or written there. zones and choices (one
// entry per name listed more than once) follow the order in which the
// names are first listed.
func ChooseZones(listed []Zone) (zones []Zone, choices []ZoneChoice) {
	for _, same := range zonesByName(listed) {
		if len(same) == 1 {
			zones = append(zones, same[0])
			continue
		}
		c := ZoneChoice{Name: same[0].Name, Listed: same}
		if active := slices.DeleteFunc(slices.Clone(same), func(z Zone) bool { return z.Status != ZoneActive }); len(active) == 1 {
			c.Chosen = active[0]
			zones = append(zones, c.Chosen)
		}
		choices = append(choices, c)
	}
	return zones, choices
}

// zonesByName groups the listed zones by name, in the order the names are
// first listed, each zone id once (a listing whose pages shifted may
// repeat one).
func zonesByName(listed []Zone) [][]Zone {
	index := map[string]int{}
	ids := map[string]bool{}
	var groups [][]Zone
	for _, z := range listed {
		if ids[z.ID] {
			continue
		}
		ids[z.ID] = true
		i, ok := index[z.Name]
		if !ok {
			i = len(groups)
			index[z.Name] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], z)
	}
	return groups
}
