package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/flarewarden/flarewarden/controller"
)

// apiRecord is a DNS record as the list endpoint returns it.
type apiRecord struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Content string   `json:"content"`
	Proxied bool     `json:"proxied"`
	TTL     int      `json:"ttl"`
	Comment string   `json:"comment"`
	Tags    []string `json:"tags"`
}

// Records returns every record of the zone, all types, in one logical
// listing (GET /zones/{id}/dns_records, PerPage records a page, every
// page). Names are lower-cased without a trailing dot and ZoneID is the
// zone's. An answer with a record lacking id, name or type, or one that
// cannot be decoded, fails the whole listing with a temporary error naming
// the zone, so a bad answer never leads to writes.
func (c *Client) Records(ctx context.Context, zone controller.Zone) ([]controller.Record, error) {
	if zone.ID == "" {
		return nil, &APIError{Op: "list records", Zone: zoneLabel(zone), Err: fmt.Errorf("%w: zone without id", errInvalid)}
	}
	var recs []controller.Record
	err := c.listPages(ctx, zonePath(zone.ID)+"/dns_records", c.perPage, func(raw json.RawMessage) (int, error) {
		var page []apiRecord
		if err := decode(raw, &page); err != nil {
			return 0, err
		}
		for _, r := range page {
			if r.ID == "" || r.Name == "" || r.Type == "" {
				return 0, fmt.Errorf("%w: record without id, name or type", errMalformed)
			}
			recs = append(recs, r.toRecord(zone.ID))
		}
		return len(page), nil
	})
	if err != nil {
		e := c.apiError(err, "list records", zoneLabel(zone), "")
		c.zoneGone(e)
		return nil, e
	}
	return recs, nil
}

func (r apiRecord) toRecord(zoneID string) controller.Record {
	return controller.Record{
		ID: r.ID, ZoneID: zoneID, Name: controller.NormalizeName(r.Name), Type: r.Type,
		Content: r.Content, Proxied: r.Proxied, TTL: r.TTL, Comment: r.Comment, Tags: r.Tags,
	}
}
