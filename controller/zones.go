package controller

import (
	"fmt"
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
}

// MatchZones resolves each spec to its zone: the pinned zone, or the zone
// whose name is the longest suffix of the record name. Specs that match no
// zone are returned as errors naming their config field; the others are
// returned in input order.
func MatchZones(specs []NameSpec, zones []Zone) ([]DesiredName, []error) {
	var out []DesiredName
	var errs []error
	for _, s := range specs {
		z, err := matchZone(s, zones)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, DesiredName{Zone: z, Name: NormalizeName(s.Name), Proxied: s.Proxied, TTL: s.TTL,
			TakeoverCNAME: s.TakeoverCNAME, TakeoverOnFailure: s.TakeoverOnFailure})
	}
	return out, errs
}

func matchZone(s NameSpec, zones []Zone) (Zone, error) {
	name := NormalizeName(s.Name)
	if s.Zone != "" {
		pinned := NormalizeName(s.Zone)
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
	var best Zone
	for _, z := range zones {
		if InZone(name, z.Name) && len(z.Name) > len(best.Name) {
			best = z
		}
	}
	if best.ID == "" {
		return Zone{}, fmt.Errorf("%s.name: %s is not inside any zone the api token can see", s.Field, name)
	}
	return best, nil
}
