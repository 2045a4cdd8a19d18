package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/flarewarden/flarewarden/controller"
)

// zonesPerPage is the page size of the zone listing (the API's maximum).
const zonesPerPage = 50

// Zones returns every zone the token can see, names lower-cased without a
// trailing dot, with their status: a name may be listed more than once (a
// zone re-added in another account, or mid-move), which the controller
// decides about (controller.ChooseZones). The list is reused for ZoneCacheTTL; a Records or Apply
// error with HTTP 404 or code 7003 (the zone may be gone) drops it.
func (c *Client) Zones(ctx context.Context) ([]controller.Zone, error) {
	if zones, ok := c.zones.get(); ok {
		return zones, nil
	}
	gen := c.zones.generation()
	zones, err := c.listZones(ctx)
	if err != nil {
		return nil, c.apiError(err, "list zones", "", "")
	}
	c.zones.put(gen, zones)
	return slices.Clone(zones), nil
}

// InvalidateZones drops the cached zone list; the next Zones call lists again.
func (c *Client) InvalidateZones() { c.zones.invalidate() }

// listZones pages through GET /zones (listPages), decoding each page into
// the SDK's cf.Zone. SDK defect worked around: ListZonesContext sizes its
// buffer from the first page's result_info.total_count and copies later
// pages into it at offsets of 50, so a total_count that disagrees with the
// pages drops zones without error or panics with a slice out of range
// (TestSDKListZonesTrustsResultInfo).
func (c *Client) listZones(ctx context.Context) ([]controller.Zone, error) {
	var zones []controller.Zone
	err := c.listPages(ctx, "/zones", zonesPerPage, func(raw json.RawMessage) (int, error) {
		var page []cf.Zone
		if err := decode(raw, &page); err != nil {
			return 0, err
		}
		for _, z := range page {
			zone, err := zoneOf(z)
			if err != nil {
				return 0, err
			}
			zones = append(zones, zone)
		}
		return len(page), nil
	})
	return zones, err
}

// zoneOf converts a listed zone; one without id or name is malformed.
func zoneOf(z cf.Zone) (controller.Zone, error) {
	if z.ID == "" || z.Name == "" {
		return controller.Zone{}, fmt.Errorf("%w: zone without id or name", errMalformed)
	}
	return controller.Zone{ID: z.ID, Name: controller.NormalizeName(z.Name), Status: z.Status}, nil
}

// zoneGone drops the zone cache when err says the zone does not exist.
func (c *Client) zoneGone(err *APIError) {
	if err.Status == http.StatusNotFound || err.hasCode(codeBadIdentifier) {
		c.InvalidateZones()
	}
}

// zoneCache holds the zone list for ttl (no caching when ttl <= 0). An
// invalidation bumps the generation, so a listing that started before it is
// not stored.
type zoneCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	zones   []controller.Zone
	expires time.Time
	gen     uint64
}

func (z *zoneCache) get() ([]controller.Zone, bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.zones == nil || time.Now().After(z.expires) {
		return nil, false
	}
	return slices.Clone(z.zones), true
}

func (z *zoneCache) generation() uint64 {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.gen
}

func (z *zoneCache) put(gen uint64, zones []controller.Zone) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.ttl <= 0 || gen != z.gen {
		return
	}
	z.zones, z.expires = slices.Clone(zones), time.Now().Add(z.ttl)
	if z.zones == nil {
		z.zones = []controller.Zone{}
	}
}

func (z *zoneCache) invalidate() {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.zones, z.gen = nil, z.gen+1
}

// zoneError maps err of a call about zone like apiError, and drops the
// zone cache when the answer says the zone may be gone.
func (c *Client) zoneError(err error, op string, zone controller.Zone, record string) *APIError {
	e := c.apiError(err, op, zoneLabel(zone), record)
	c.zoneGone(e)
	return e
}

// checkZone refuses a zone without ID before anything is sent.
func checkZone(op string, zone controller.Zone) *APIError {
	if zone.ID != "" {
		return nil
	}
	return &APIError{Op: op, Zone: zoneLabel(zone), Err: fmt.Errorf("%w: zone without id", errInvalid)}
}
